// Diff-aware runs gate the loops of unchanged files whose guard rests on a changed file's
// definitions (dependents.ts): staging only a helper that lost its bound must fail the commit.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';
import type { Report } from '../src/model.js';
import { cli, cliJson } from './helpers/cli.js';
import { git, gitRepo, removeAll, write } from './helpers/git.js';

const dirs: string[] = [];
afterEach(() => removeAll(dirs));

const json = cliJson;

const loopsOf = (report: Report): string[][] => report.loops.map((l) => [l.file, l.function, l.guard.kind, l.status]);

// ---- Python ----

const GUARDS = `import asyncio
import logging
import time

from starlette.websockets import WebSocket, WebSocketState

logger = logging.getLogger(__name__)


async def wait_ready(ws: WebSocket, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while ws.application_state == WebSocketState.CONNECTING:
        if time.monotonic() > deadline:
            logger.warning("timeout")
            return False
        await asyncio.sleep(0.01)
    return ws.application_state == WebSocketState.CONNECTED


def unrelated(x):
    return x + 1
`;
const UNBOUNDED = GUARDS.replace('        if time.monotonic() > deadline:\n            logger.warning("timeout")\n            return False\n', '');
const BETTER = GUARDS.replace('timeout: float = 3.0', 'timeout: float = 2.0');

const caller = (fn: string): string => `from fastapi import WebSocket

from pkg.guards import wait_ready


async def ${fn}(websocket: WebSocket):
    await websocket.accept()
    while True:
        if not await wait_ready(websocket):
            break
        await websocket.receive_text()
`;

/** Names the helper module and its function in a comment, but guards its loop inline. */
const MENTIONS = `import asyncio
import time

from fastapi import WebSocket
from starlette.websockets import WebSocketState

# not pkg.guards.wait_ready: this one waits inline


async def inline(websocket: WebSocket):
    await websocket.accept()
    while True:
        deadline = time.monotonic() + 3.0
        while websocket.application_state == WebSocketState.CONNECTING:
            if time.monotonic() > deadline:
                break
            await asyncio.sleep(0.01)
        if websocket.application_state != WebSocketState.CONNECTED:
            break
        await websocket.receive_text()
`;

/** A loop with no guard at all that has nothing to do with the helper: a full run fails on it, a diff-aware one must not. */
const UNRELATED_BAD = `from fastapi import WebSocket


async def raw(websocket: WebSocket):
    await websocket.accept()
    while True:
        await websocket.receive_text()
`;

function pythonRepo(): string {
  return gitRepo({ 'pkg/__init__.py': '', 'pkg/guards.py': GUARDS, 'pkg/app.py': caller('ep'), 'svc/b.py': caller('other'), 'pkg/mentions.py': MENTIONS, 'pkg/raw.py': UNRELATED_BAD }, dirs);
}

describe('diff-aware runs: callers of a changed Python helper', () => {
  it('staging only the helper with its bound removed gates every caller\'s loop (--staged, named as pre-commit does, and --base)', () => {
    const root = pythonRepo();
    write(root, 'pkg/guards.py', UNBOUNDED);
    git(root, 'add', 'pkg/guards.py');
    for (const args of [['verify', '--staged'], ['verify', '--staged', 'pkg/guards.py']]) {
      const r = json(args, root);
      expect(r.code).toBe(1);
      // The callers' loops, not the loop that only mentions the helper, not the unrelated unguarded one.
      expect(loopsOf(r.report)).toEqual([
        ['pkg/app.py', 'ep', 'unbounded', 'fail'],
        ['svc/b.py', 'other', 'unbounded', 'fail'],
      ]);
      expect(r.report.summary.files).toBe(3);
      expect(r.report.findings.map((f) => [f.file, f.ruleId])).toEqual([
        ['pkg/app.py', 'HG003'],
        ['svc/b.py', 'HG003'],
      ]);
    }
    const text = cli(['verify', '--staged'], root);
    expect(text.stderr).toContain('2 unchanged files (pkg/app.py, svc/b.py) added: 2 loops there rest on a changed file');
    // fix leaves the callers alone: the helper is what to fix.
    expect(text.stdout).not.toContain('fixable');

    git(root, 'checkout', '-q', '-b', 'feature');
    git(root, 'commit', '-q', '-m', 'unbound the helper');
    const base = json(['verify', '--base', 'main'], root);
    expect(base.code).toBe(1);
    expect(loopsOf(base.report)).toEqual([
      ['pkg/app.py', 'ep', 'unbounded', 'fail'],
      ['svc/b.py', 'other', 'unbounded', 'fail'],
    ]);
  }, 60_000);

  it('reads the helper from the index under --staged: a fix only in the working tree does not pass, a staged fix does', () => {
    const root = pythonRepo();
    write(root, 'pkg/guards.py', UNBOUNDED);
    git(root, 'add', 'pkg/guards.py');
    write(root, 'pkg/guards.py', GUARDS); // restored on disk only
    expect(json(['verify', '--staged'], root).code).toBe(1);
    git(root, 'add', 'pkg/guards.py');
    write(root, 'pkg/guards.py', UNBOUNDED + '\n# more\n'); // broken on disk only; the index is the original again
    const r = json(['verify', '--staged'], root);
    expect(r.code).toBe(0);
    expect(r.report.loops).toEqual([]); // nothing staged
  }, 60_000);

  it('finds a caller by its staged content when its working tree no longer names the helper (and not the other way round)', () => {
    const root = pythonRepo();
    write(root, 'pkg/guards.py', UNBOUNDED);
    git(root, 'add', 'pkg/guards.py');
    // Unstaged edits: app.py stops calling the helper on disk (its index still calls it); raw.py starts.
    write(root, 'pkg/app.py', UNRELATED_BAD.replace('raw', 'ep'));
    write(root, 'pkg/raw.py', caller('raw'));
    const r = json(['verify', '--staged'], root);
    expect(r.code).toBe(1);
    expect(loopsOf(r.report)).toEqual([
      ['pkg/app.py', 'ep', 'unbounded', 'fail'],
      ['svc/b.py', 'other', 'unbounded', 'fail'],
    ]);
  }, 60_000);

  it('pre-commit run --all-files names every file: an unchanged one is gated as named, and adds no dependents', () => {
    const root = pythonRepo();
    const all = ['pkg/__init__.py', 'pkg/guards.py', 'pkg/app.py', 'svc/b.py', 'pkg/mentions.py'];
    const r = cli(['verify', '--staged', ...all], root);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('unchanged file');
  }, 60_000);

  it('a helper that got better passes, its callers listed as guarded', () => {
    const root = pythonRepo();
    write(root, 'pkg/guards.py', BETTER);
    git(root, 'add', 'pkg/guards.py');
    const r = json(['verify', '--staged'], root);
    expect(r.code).toBe(0);
    expect(loopsOf(r.report)).toEqual([
      ['pkg/app.py', 'ep', 'polling', 'pass'],
      ['svc/b.py', 'other', 'polling', 'pass'],
    ]);
  }, 60_000);

  it('an unrelated change adds nothing', () => {
    const root = pythonRepo();
    write(root, 'pkg/util.py', 'def helper_of_nothing(x):\n    return x\n');
    write(root, 'pkg/other.py', 'from pkg.util import helper_of_nothing\n\nprint(helper_of_nothing(1))\n');
    git(root, 'add', 'pkg/util.py');
    const r = json(['verify', '--staged'], root);
    expect(r.code).toBe(0);
    expect(r.report.summary.files).toBe(1);
    expect(r.report.loops).toEqual([]);
    expect(cli(['verify', '--staged'], root).stderr).not.toContain('unchanged file');
    // Changing the helper file's other function, or adding one, or a comment: wait_ready resolves
    // as before, so its callers are not searched for (only functions whose definition changed are).
    write(root, 'pkg/guards.py', `${GUARDS.replace('return x + 1', 'return x + 2')}\n\ndef added(y):\n    return y\n# edited\n`);
    git(root, 'add', 'pkg/guards.py');
    const same = json(['verify', '--staged', 'pkg/guards.py'], root);
    expect(same.code).toBe(0);
    expect(loopsOf(same.report)).toEqual([]);
    // A function wait_ready calls changed: wait_ready may have changed with it, its callers are gated (and pass).
    write(root, 'pkg/guards.py', GUARDS.replace('deadline = time.monotonic() + timeout', 'deadline = time.monotonic() + unrelated(timeout)').replace('return x + 1', 'return x + 0'));
    git(root, 'add', 'pkg/guards.py');
    git(root, 'commit', '-q', '-m', 'calls unrelated');
    write(root, 'pkg/guards.py', GUARDS.replace('deadline = time.monotonic() + timeout', 'deadline = time.monotonic() + unrelated(timeout)').replace('return x + 1', 'return x + 2'));
    git(root, 'add', 'pkg/guards.py');
    const through = json(['verify', '--staged', 'pkg/guards.py'], root);
    expect(loopsOf(through.report).map(([file]) => file)).toEqual(['pkg/app.py', 'svc/b.py']);
  }, 60_000);

  it('follows one re-exporting package: `from pkg import wait_ready` through pkg/__init__.py', () => {
    const root = gitRepo({ 'pkg/__init__.py': 'from .guards import wait_ready\n', 'pkg/guards.py': GUARDS, 'app/main.py': caller('ep').replace('from pkg.guards import wait_ready', 'from pkg import wait_ready') }, dirs);
    write(root, 'pkg/guards.py', UNBOUNDED);
    git(root, 'add', 'pkg/guards.py');
    const r = json(['verify', '--staged', 'pkg/guards.py'], root);
    expect(r.code).toBe(1);
    expect(loopsOf(r.report)).toEqual([['app/main.py', 'ep', 'unbounded', 'fail']]);
  }, 60_000);

  it('fix --staged leaves the callers alone (the helper is what to fix)', () => {
    const root = pythonRepo();
    write(root, 'pkg/guards.py', UNBOUNDED);
    git(root, 'add', 'pkg/guards.py');
    const r = cli(['fix', '--staged'], root);
    expect(r.stderr).not.toContain('internal error');
    expect(r.stdout).not.toContain('pkg/app.py');
    expect(r.stdout).not.toContain('svc/b.py');
  }, 60_000);

  it('a full run is unchanged: every loop, and no dependency marks on them', async () => {
    const root = pythonRepo();
    write(root, 'pkg/guards.py', UNBOUNDED);
    const full = await run({ cwd: root, paths: [] });
    expect(full.loops.map((l) => l.file)).toEqual(['pkg/app.py', 'pkg/mentions.py', 'pkg/raw.py', 'svc/b.py']);
    expect(full.loops.some((l) => l.dependsOn !== undefined)).toBe(false);
    expect(full.dependents).toBeUndefined();
    git(root, 'add', 'pkg/guards.py');
    const staged = await run({ cwd: root, paths: [], staged: true });
    expect(staged.loops.map((l) => [l.file, l.dependsOn?.map((f) => path.relative(root, f))])).toEqual([
      ['pkg/app.py', [path.join('pkg', 'guards.py')]],
      ['svc/b.py', [path.join('pkg', 'guards.py')]],
    ]);
    expect([...(staged.dependents ?? [])].map((f) => path.relative(root, f)).sort()).toEqual([path.join('pkg', 'app.py'), path.join('svc', 'b.py')]);
  }, 60_000);
});

// ---- TypeScript ----

const WAIT = `import WebSocket from 'ws';

export async function waitForOpen(ws: WebSocket, timeoutMs = 3000): Promise<boolean> {
  const start = performance.now();
  while (ws.readyState === WebSocket.CONNECTING && performance.now() - start < timeoutMs) {
    await new Promise((r) => setTimeout(r, 10));
  }
  if (ws.readyState !== WebSocket.OPEN) {
    console.warn('websocket not open in time');
    return false;
  }
  return true;
}

export function unrelatedHelper(n: number): number {
  return n + 1;
}
`;
const WAIT_UNBOUNDED = WAIT.replace(' && performance.now() - start < timeoutMs', '');

const CLIENT = `import WebSocket from 'ws';
import { waitForOpen } from './wait.js';

export async function send(url: string, items: string[]): Promise<void> {
  const ws = new WebSocket(url);
  if (!(await waitForOpen(ws))) return;
  for (const item of items) ws.send(item);
}
`;

describe('diff-aware runs: callers of a changed TS helper', () => {
  it('staging only the helper with its bound removed gates the caller\'s loop; a better helper passes; an unrelated change adds nothing', () => {
    const root = gitRepo({ 'src/wait.ts': WAIT, 'src/client.ts': CLIENT, 'src/other.ts': "export const x = 1;\n" }, dirs);
    write(root, 'src/wait.ts', WAIT_UNBOUNDED);
    git(root, 'add', 'src/wait.ts');
    const r = json(['verify', '--staged', 'src/wait.ts'], root);
    expect(r.code).toBe(1);
    expect(loopsOf(r.report)).toEqual([['src/client.ts', 'send', 'unbounded', 'fail']]);
    expect(r.report.findings.map((f) => [f.file, f.ruleId])).toEqual([['src/client.ts', 'HG003']]);

    git(root, 'checkout', '-q', '-b', 'feature');
    git(root, 'commit', '-q', '-m', 'unbound');
    expect(loopsOf(json(['verify', '--base', 'main'], root).report)).toEqual([['src/client.ts', 'send', 'unbounded', 'fail']]);

    write(root, 'src/wait.ts', WAIT.replace('timeoutMs = 3000', 'timeoutMs = 2000'));
    git(root, 'add', 'src/wait.ts');
    const better = json(['verify', '--staged'], root);
    expect(better.code).toBe(0);
    expect(loopsOf(better.report)).toEqual([['src/client.ts', 'send', 'polling', 'pass']]);

    git(root, 'commit', '-q', '-m', 'better');
    write(root, 'src/other.ts', "export const x = 2;\nexport function other(): number {\n  return x;\n}\n");
    git(root, 'add', 'src/other.ts');
    const unrelated = json(['verify', '--staged'], root);
    expect(unrelated.code).toBe(0);
    expect(unrelated.report.loops).toEqual([]);
    expect(unrelated.report.summary.files).toBe(1);
  }, 60_000);

  it('follows a barrel: `import { waitForOpen } from \'./lib\'` through lib/index.ts', () => {
    const root = gitRepo({ 'src/lib/wait.ts': WAIT, 'src/lib/index.ts': "export * from './wait.js';\n", 'src/client.ts': CLIENT.replace("'./wait.js'", "'./lib/index.js'") }, dirs);
    write(root, 'src/lib/wait.ts', WAIT_UNBOUNDED);
    git(root, 'add', 'src/lib/wait.ts');
    const r = json(['verify', '--staged'], root);
    expect(r.code).toBe(1);
    expect(loopsOf(r.report)).toEqual([['src/client.ts', 'send', 'unbounded', 'fail']]);
  }, 60_000);
});
