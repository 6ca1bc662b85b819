// `--staged` and `--base` against real git repositories (SPEC §6).
import { cpSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../src/model.js';
import { cli, cliJson, tempTree } from './helpers/cli.js';
import { git, gitRepo, guarded, removeAll, UNGUARDED, write } from './helpers/git.js';
import { ROUTES } from './helpers/helper-module.js';

const dirs: string[] = [];
afterEach(() => removeAll(dirs));

const json = cliJson;

const files = (report: Report): string[] => [...new Set(report.loops.map((l) => l.file))].sort();

/** Two handlers with polling guards in one module: a consistency group of two. */
function twoLoops(first: string, second: string): string {
  const one = guarded(first, '0.01', 'first');
  const two = guarded(second, '0.01', 'second').split('\n').slice(10).join('\n').replace('@app.websocket("/ws")', '@app.websocket("/ws2")');
  return `${one}\n${two}`;
}

describe('verify --staged', () => {
  it('judges a partially staged file by its staged content, not the working tree', () => {
    const root = gitRepo({ 'ok.py': 'x = 1\n' }, dirs);
    write(root, 'app.py', UNGUARDED);
    git(root, 'add', 'app.py');
    write(root, 'app.py', guarded()); // fixed on disk, but not staged
    const staged = json(['verify', '--staged'], root);
    expect(staged.code).toBe(1);
    expect(staged.report.loops.map((l) => [l.file, l.guard.kind, l.status])).toEqual([['app.py', 'none', 'fail']]);
    expect(cli(['verify'], root).code).toBe(0); // the working tree passes

    git(root, 'add', 'app.py');
    write(root, 'app.py', UNGUARDED); // broken on disk, the staged content is fixed
    const fixed = json(['verify', '--staged'], root);
    expect(fixed.code).toBe(0);
    expect(fixed.report.loops.map((l) => [l.file, l.guard.kind])).toEqual([['app.py', 'polling']]);
  });

  it('checks a new file, passes the names pre-commit gives, and ignores committed and untracked files', () => {
    const root = gitRepo({ 'old.py': UNGUARDED }, dirs); // committed, unguarded: not this commit's business
    write(root, 'untracked.py', UNGUARDED);
    write(root, 'pkg/new.py', UNGUARDED);
    git(root, 'add', 'pkg/new.py');
    const r = json(['verify', '--staged'], root);
    expect(r.code).toBe(1);
    expect(files(r.report)).toEqual(['pkg/new.py']);
    // pre-commit passes file names; lint-staged too. Named files are read from the index.
    const named = json(['verify', '--staged', 'pkg/new.py'], root);
    expect(files(named.report)).toEqual(['pkg/new.py']);
    // `pre-commit run --all-files` names committed files too: they are checked, from the index.
    expect(files(json(['verify', '--staged', 'old.py', 'pkg/new.py'], root).report)).toEqual(['old.py', 'pkg/new.py']);
    const untracked = json(['verify', '--staged', 'untracked.py'], root);
    expect(untracked.report.loops).toEqual([]);
    expect(untracked.stderr).toContain('untracked.py: not in the git index (untracked); not checked');
    // A directory argument limits the staged files to it.
    expect(json(['verify', '--staged', 'pkg'], root).report.loops).toHaveLength(1);
    expect(json(['verify', '--staged', '.'], root).report.loops).toHaveLength(1);
  });

  it('a staged deletion removes the file from the gate, even while it is still on disk; its public names are removed', () => {
    const root = gitRepo({ 'ok.py': 'x = 1\n', 'bad.py': UNGUARDED, 'gone.py': '_private = 1\n' }, dirs);
    git(root, 'rm', '-q', '--cached', 'bad.py'); // still on disk, gone from the commit
    const r = json(['verify', '--staged'], root);
    expect(r.report.loops).toEqual([]);
    // The commit deletes the module `echo` lived in: importers of it break.
    expect(r.report.checks.find((c) => c.id === 'breaking')).toMatchObject({ status: 'fail', details: expect.stringContaining('bad.py:6 removed echo (file deleted)') });
    expect(r.report.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['breaking']);
    rmSync(path.join(root, 'bad.py'));
    git(root, 'add', '-A');
    expect(json(['verify', '--staged'], root).code).toBe(1);
    // A deleted module with no public name breaks nothing.
    git(root, 'commit', '-q', '-m', 'drop bad.py');
    git(root, 'rm', '-q', 'gone.py');
    const quiet = json(['verify', '--staged'], root);
    expect(quiet.code).toBe(0);
    expect(quiet.report.checks.find((c) => c.id === 'breaking')?.details).toContain('1 deleted file compared');
  });

  it('a rename is its new path, checked whole; the old path is gone (its importers break), said once', () => {
    const root = gitRepo({ 'old_name.py': UNGUARDED }, dirs);
    git(root, 'mv', 'old_name.py', 'new_name.py');
    const r = json(['verify', '--staged'], root);
    expect(r.code).toBe(1);
    expect(files(r.report)).toEqual(['new_name.py']);
    const breaking = r.report.checks.find((c) => c.id === 'breaking');
    expect(breaking).toMatchObject({ status: 'fail', details: '1 breaking change against HEAD: old_name.py renamed to new_name.py (imports of the old path break); 1 renamed file compared with its new path' });
  });

  it('consistency groups see the whole staged module, not just the changed hunk', () => {
    const root = gitRepo({ 'app.py': twoLoops('3.0', '3.0') }, dirs);
    const base = json(['verify'], root);
    expect(base.report.loops).toHaveLength(2);
    expect(base.report.checks.find((c) => c.id === 'consistency')?.status).toBe('pass');
    write(root, 'app.py', twoLoops('3.0', '5.0')); // only the second loop changes
    git(root, 'add', 'app.py');
    const r = json(['verify', '--staged'], root);
    expect(r.report.loops.map((l) => l.function)).toEqual(['first', 'second']);
    const consistency = r.report.checks.find((c) => c.id === 'consistency');
    expect(consistency?.status).toBe('fail');
    expect(r.report.findings.filter((f) => f.ruleId === 'HG002').length).toBeGreaterThan(0);
  });

  it('compares the staged public API for breaking changes', () => {
    const root = gitRepo({ 'lib.py': 'def serve(app, port=8000):\n    pass\n' }, dirs);
    write(root, 'lib.py', 'def serve(app, port):\n    pass\n');
    git(root, 'add', 'lib.py');
    write(root, 'lib.py', 'def serve(app, port=8000):\n    pass\n'); // the disk is unchanged
    const r = json(['verify', '--staged'], root);
    const breaking = r.report.checks.find((c) => c.id === 'breaking');
    expect(breaking?.status).toBe('fail');
    expect(breaking?.details).toContain('port made required');
  });

  it('works before the first commit, and refuses outside a repository', () => {
    const root = gitRepo({}, dirs);
    write(root, 'app.py', UNGUARDED);
    git(root, 'add', 'app.py');
    expect(json(['verify', '--staged'], root).report.loops).toHaveLength(1);
    const outside = tempTree({ 'app.py': UNGUARDED });
    dirs.push(outside);
    const r = cli(['verify', '--staged'], outside);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--staged needs a git repository');
  });

  it('reads the helper a staged guard calls from the index too', () => {
    const helper = `import asyncio
import logging
import time

from starlette.websockets import WebSocketState

logger = logging.getLogger(__name__)


async def wait_for_handshake(websocket, timeout=3.0, interval=0.01):
    deadline = time.monotonic() + timeout
    while websocket.application_state != WebSocketState.CONNECTED:
        if websocket.application_state == WebSocketState.DISCONNECTED:
            return False
        if time.monotonic() >= deadline:
            logger.warning("handshake not complete")
            return False
        await asyncio.sleep(interval)
    return True
`;
    const root = gitRepo({ 'app/__init__.py': '', 'app/guards.py': helper }, dirs);
    write(root, 'app/routes.py', ROUTES);
    git(root, 'add', 'app/routes.py');
    expect(json(['verify', '--staged'], root).report.loops.map((l) => l.guard.kind)).toEqual(['polling']);
    // The helper's polling is deleted on disk only: the commit still has it.
    write(root, 'app/guards.py', 'async def wait_for_handshake(websocket):\n    return True\n');
    expect(json(['verify', '--staged'], root).report.loops.map((l) => l.guard.kind)).toEqual(['polling']);
    expect(json(['verify'], root).report.loops.map((l) => l.guard.kind)).not.toEqual(['polling']);
  });
});

describe('verify --base', () => {
  /** main: a.py and b.py unguarded, lib.py with a public API; a feature branch off it. */
  function branched(): string {
    const root = gitRepo({ 'a.py': UNGUARDED, 'b.py': UNGUARDED, 'lib.py': 'def serve(app, port=8000):\n    pass\n' }, dirs);
    git(root, 'checkout', '-q', '-b', 'feature');
    return root;
  }

  it('gates only the files changed since the merge base', () => {
    const root = branched();
    write(root, 'c.py', UNGUARDED); // new on the branch, committed
    git(root, 'add', 'c.py');
    git(root, 'commit', '-q', '-m', 'c');
    write(root, 'd.py', UNGUARDED); // untracked in the working tree
    const r = json(['verify', '--base', 'main'], root);
    expect(files(r.report)).toEqual(['c.py', 'd.py']);
    expect(r.report.summary.files).toBe(2);
    expect(r.code).toBe(1);
    // Nothing changed: nothing to gate, and the gate passes.
    const clean = gitRepo({ 'a.py': UNGUARDED }, dirs);
    const none = json(['verify', '--base', 'HEAD'], clean);
    expect(none.report.loops).toEqual([]);
    expect(none.code).toBe(0);
  });

  it('compares public APIs against the merge base, not against what main did since', () => {
    const root = branched();
    // main moves on: lib.py gains a function the branch never had.
    git(root, 'checkout', '-q', 'main');
    write(root, 'lib.py', 'def serve(app, port=8000):\n    pass\n\n\ndef added_on_main():\n    pass\n');
    git(root, 'commit', '-q', '-am', 'main moves');
    git(root, 'checkout', '-q', 'feature');
    write(root, 'lib.py', 'def serve(app, port=8000, *, host="0.0.0.0"):\n    pass\n');
    git(root, 'commit', '-q', '-am', 'compatible change');
    const ok = json(['verify', '--base', 'main'], root).report.checks.find((c) => c.id === 'breaking');
    expect(ok?.status).toBe('pass');
    expect(ok?.details).toContain('against main (merge base ');

    write(root, 'lib.py', 'def serve(app):\n    pass\n');
    git(root, 'commit', '-q', '-am', 'breaking change');
    const broken = json(['verify', '--base', 'main'], root).report.checks.find((c) => c.id === 'breaking');
    expect(broken?.status).toBe('fail');
    expect(broken?.details).toContain('lib.py');
    expect(broken?.details).not.toContain('added_on_main');
  });

  it('with a repository-wide consistency group, a changed file is compared with the unchanged ones', () => {
    const root = gitRepo(
      {
        'handshake-guard.config.json': '{"consistency": "repository"}',
        'a.py': guarded('3.0', '0.01', 'a'),
        'z.py': guarded('3.0', '0.01', 'z'),
      },
      dirs,
    );
    git(root, 'checkout', '-q', '-b', 'feature');
    write(root, 'z.py', guarded('5.0', '0.01', 'z'));
    const r = json(['verify', '--base', 'main'], root);
    expect(files(r.report)).toEqual(['z.py']);
    expect(r.report.findings.map((f) => [f.ruleId, f.file])).toEqual([['HG002', 'z.py']]);
    expect(r.report.checks.find((c) => c.id === 'consistency')?.status).toBe('fail');
    expect(r.code).toBe(1);
    // The changed file is the first one: the group is still judged whole.
    write(root, 'z.py', guarded('3.0', '0.01', 'z'));
    write(root, 'a.py', guarded('5.0', '0.01', 'a'));
    const first = json(['verify', '--base', 'main'], root);
    expect(first.report.checks.find((c) => c.id === 'consistency')?.status).toBe('fail');
  });

  it('an unknown base is a usage error', () => {
    const root = branched();
    const r = cli(['verify', '--base', 'origin/nope'], root);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('handshake-guard: --base origin/nope: unknown revision');
  });

  it('--staged --base: the staged content of files that differ from the merge base', () => {
    const root = branched();
    write(root, 'a.py', guarded());
    git(root, 'commit', '-q', '-am', 'fix a');
    write(root, 'b.py', guarded());
    git(root, 'add', 'b.py');
    write(root, 'b.py', UNGUARDED);
    const r = json(['verify', '--staged', '--base', 'main'], root);
    expect(files(r.report)).toEqual(['a.py', 'b.py']);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(root, 'b.py'), 'utf8')).toBe(UNGUARDED);
  });
});

describe('a repository named by its path, from a working directory outside it', () => {
  it('judges as a run inside it does: the breaking row, --base and --staged', () => {
    const root = gitRepo({ 'lib.py': 'def serve(app, port=8000):\n    pass\n' }, dirs);
    write(root, 'lib.py', 'def serve(app):\n    pass\n');
    const parent = path.dirname(root);
    const name = path.basename(root);
    const inside = json(['verify'], root);
    const outside = json(['verify', name], parent);
    const breaking = (r: { report: Report }): string | undefined => r.report.checks.find((c) => c.id === 'breaking')?.status;
    expect(breaking(inside)).toBe('fail');
    expect(breaking(outside)).toBe('fail'); // it said "skip: not a git repository" and passed the gate
    expect(outside.code).toBe(1);
    expect(json(['verify', '--base', 'HEAD', name], parent).report.checks.find((c) => c.id === 'breaking')?.details).toContain(`${name}/lib.py`);
    git(root, 'add', 'lib.py');
    expect(breaking(json(['verify', '--staged', name], parent))).toBe('fail');
    // A repository nested in the working directory's (a submodule, a vendored checkout) is its own.
    const outer = gitRepo({ 'README.md': 'outer\n' }, dirs);
    const inner = path.join(outer, 'inner');
    cpSync(root, inner, { recursive: true });
    write(inner, 'lib.py', 'def serve(app, port=8000):\n    pass\n');
    git(inner, 'add', 'lib.py');
    write(inner, 'lib.py', 'def serve(app, port):\n    pass\n');
    git(inner, 'add', 'lib.py');
    const nested = json(['verify', '--staged', 'inner'], outer);
    expect(nested.report.checks.find((c) => c.id === 'breaking')?.details).toContain('inner/lib.py:1 serve(app, port=…) → serve(app, port) (port made required)');
    expect(breaking(json(['verify', 'inner'], outer))).toBe('fail');
    expect(cli(['verify', '--base', 'HEAD', 'inner'], outer).stderr).toBe('');
    // Paths in no repository, or in two: still refused.
    const other = gitRepo({ 'x.py': 'x = 1\n' }, dirs);
    const two = cli(['verify', '--base', 'HEAD', name, path.basename(other)], parent);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('nor are all the given paths in one');
  });
});
