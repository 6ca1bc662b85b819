// `fix --staged`, `--base` and `--baseline` (SPEC §6: options common to scan, verify and fix),
// against real git repositories.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { git, gitRepo, guarded, removeAll, UNGUARDED, write } from './helpers/git.js';

const dirs: string[] = [];
afterEach(() => removeAll(dirs));

const read = (root: string, rel: string): string => readFileSync(path.join(root, rel), 'utf8');
/** The files a diff names (`+++ b/…` lines). */
const patched = (stdout: string): string[] => [...stdout.matchAll(/^\+\+\+ b\/(\S+)/gm)].map((m) => m[1] ?? '').sort();

describe('fix --staged', () => {
  it('diffs the staged content, and writes a file only when its working tree holds it', () => {
    const root = gitRepo({ 'old.py': UNGUARDED }, dirs); // committed, unguarded: not this commit's business
    write(root, 'app.py', UNGUARDED);
    git(root, 'add', 'app.py');
    const unstaged = `${UNGUARDED}# not staged\n`;
    write(root, 'app.py', unstaged);

    const dry = cli(['fix', '--staged'], root);
    expect(dry.code).toBe(0);
    expect(patched(dry.stdout)).toEqual(['app.py']);
    expect(dry.stdout).not.toContain('# not staged'); // the index's text, not the working tree's
    expect(dry.stdout).toContain('1 loop would be fixed in 1 file.');
    expect(cli(['fix', '--staged', '--check'], root).code).toBe(1);

    // The working tree differs from the index: writing the fixed staged text would lose the
    // unstaged line, so the file is refused and left as it is.
    const refused = cli(['fix', '--staged', '--write'], root);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('app.py (the working tree differs from the staged content (unstaged changes); stage or stash them, then run again)');
    expect(read(root, 'app.py')).toBe(unstaged);

    git(root, 'add', 'app.py');
    const wrote = cli(['fix', '--staged', '--write'], root);
    expect(wrote.code).toBe(0);
    expect(wrote.stdout).toContain('1 loop fixed in 1 file.');
    expect(read(root, 'app.py')).toContain('# not staged');
    expect(read(root, 'old.py')).toBe(UNGUARDED);
    // Written to the working tree, not staged (as ruff or black under pre-commit): the user adds it.
    expect(git(root, 'diff', '--name-only')).toBe('app.py\n');
    expect(cli(['verify', 'app.py'], root).code).toBe(0);
    expect(cli(['fix', '--staged', '--check'], root).code).toBe(1); // the index still holds the old text
    git(root, 'add', 'app.py');
    expect(cli(['fix', '--staged', '--check'], root).code).toBe(0);
  });

  it('has nothing to fix when the staged content is guarded, whatever the working tree holds', () => {
    const root = gitRepo({ 'ok.py': 'x = 1\n' }, dirs);
    write(root, 'app.py', guarded());
    git(root, 'add', 'app.py');
    write(root, 'app.py', UNGUARDED);
    const r = cli(['fix', '--staged', '--write'], root);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('0 loops fixed in 0 files.\n');
    expect(read(root, 'app.py')).toBe(UNGUARDED);
    // What the scan left out is said, as scan says it.
    write(root, 'untracked.py', UNGUARDED);
    const named = cli(['fix', '--staged', 'untracked.py'], root);
    expect(named.stderr).toBe('note: untracked.py: not in the git index (untracked); not checked\n');
    expect(cli(['fix', '--staged', '-q', 'untracked.py'], root).stderr).toBe('');
  });

  it('with core.autocrlf, writes the fixed staged text with the working tree\'s CRLF line ends', () => {
    const root = gitRepo({ 'ok.py': 'x = 1\n' }, dirs);
    git(root, 'config', 'core.autocrlf', 'true');
    write(root, 'app.py', UNGUARDED.replace(/\n/g, '\r\n'));
    git(root, 'add', 'app.py'); // the index holds LF, the working tree CRLF: no unstaged change
    expect(git(root, 'diff', '--name-only')).toBe('');
    const r = cli(['fix', '--staged', '--write'], root);
    expect(r.stdout).toBe('1 loop fixed in 1 file.\n');
    expect(r.code).toBe(0);
    const fixed = read(root, 'app.py');
    expect(fixed.split('\r\n').length).toBe(fixed.split('\n').length); // every line ends CRLF
    expect(fixed).toContain('handshake-guard: bounded wait');
    git(root, 'add', 'app.py');
    expect(cli(['verify', '--staged'], root).code).toBe(0);
  });

  it('a staged file deleted from the working tree is left as it is, with the reason (it ended the run with "path not found")', () => {
    const root = gitRepo({ 'ok.py': 'x = 1\n' }, dirs);
    write(root, 'app.py', UNGUARDED);
    git(root, 'add', 'app.py');
    rmSync(path.join(root, 'app.py'));
    for (const args of [[], ['--check'], ['--write']]) {
      const r = cli(['fix', '--staged', ...args], root);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('0 loops would be fixed in 0 files, 1 file left untouched: app.py (deleted in the working tree (its staged content is still to be committed): restore or unstage it).\n'.replace('would be fixed', args[0] === '--write' ? 'fixed' : 'would be fixed'));
    }
    expect(existsSync(path.join(root, 'app.py'))).toBe(false);
  });

  it('needs a git repository', () => {
    const root = gitRepo({}, dirs);
    const r = cli(['fix', '--staged'], path.join(root, '..'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^handshake-guard: --staged needs a git repository \(.*\)\n$/);
  });
});

describe('fix --base', () => {
  it('fixes only the files changed since the merge base', () => {
    const root = gitRepo({ 'old.py': UNGUARDED, 'changed.py': UNGUARDED }, dirs);
    git(root, 'checkout', '-q', '-b', 'topic');
    write(root, 'changed.py', `${UNGUARDED}# edited\n`);
    write(root, 'new.py', UNGUARDED);
    const dry = cli(['fix', '--base', 'main'], root);
    expect(dry.code).toBe(0);
    expect(patched(dry.stdout)).toEqual(['changed.py', 'new.py']);
    expect(cli(['fix', '--base', 'main', '--write'], root).code).toBe(0);
    expect(read(root, 'old.py')).toBe(UNGUARDED);
    expect(cli(['verify', 'changed.py', 'new.py'], root).code).toBe(0);
    expect(cli(['fix', '--base', 'nope'], root).code).toBe(2);
  });

  it('follows a repository-wide consistency group, files outside the change included', () => {
    const root = gitRepo({ 'handshake-guard.config.json': '{"consistency": "repository"}', 'old.py': guarded('5.0', '0.05') }, dirs);
    write(root, 'new.py', UNGUARDED);
    const dry = cli(['fix', '--base', 'HEAD'], root);
    expect(patched(dry.stdout)).toEqual(['new.py']);
    expect(dry.stdout).toContain('time.monotonic() + 5.0'); // old.py's bound, not the default 3.0
    expect(dry.stdout).toContain('asyncio.sleep(0.05)');
    expect(cli(['fix', '--base', 'HEAD', '--write'], root).code).toBe(0);
    expect(cli(['verify', '--base', 'HEAD'], root).code).toBe(0); // the group is judged whole: no HG002
    git(root, 'add', 'new.py');
    expect(cli(['fix', '--staged', '--check'], root).code).toBe(0);
  });
});

describe('fix --baseline', () => {
  it('leaves alone the loops the baseline records and fixes the new ones', () => {
    const root = gitRepo({ 'old.py': UNGUARDED }, dirs);
    expect(cli(['baseline'], root).code).toBe(0);
    expect(cli(['fix', '--baseline', '.handshake-guard-baseline.json', '--check'], root).code).toBe(0);
    write(root, 'new.py', UNGUARDED);
    const dry = cli(['fix', '--baseline', '.handshake-guard-baseline.json'], root);
    expect(patched(dry.stdout)).toEqual(['new.py']);
    expect(cli(['fix', '--check'], root).code).toBe(1); // without it, both are pending
    const missing = cli(['fix', '--baseline', 'nope.json'], root);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--baseline nope.json: no such file');
  });
});
