// The result cache (issue #8) changes how long a scan takes, never what it reports: the same
// output with --no-cache, a cold cache and a warm one, and a cached result is not reused once
// anything it rests on changed (a helper in another file, a file appearing where the resolver
// looked, the configuration, the target version, the tool's build).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, statSync, symlinkSync, utimesSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { setBuildFingerprintForTests } from '../src/engine/build-fingerprint.js';
import { defaultCacheDir } from '../src/engine/cache-location.js';
import { memoFile } from '../src/engine/report-memo.js';
import { run, type RunResult } from '../src/engine/run.js';
import { comparable } from './helpers/comparable.js';
import { HELPER, ROUTES } from './helpers/helper-module.js';
import { git as gitIn, gitRepo, removeAll } from './helpers/git.js';
// @ts-expect-error -- a plain .mjs script without type declarations
import { generate } from '../bench/generate.mjs';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin/handshake-guard.js');
const BUILT = existsSync(path.join(ROOT, 'dist/src/engine/python-files.js'));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'hg-cache-'));
const repos: string[] = [];
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  removeAll(repos);
});
afterEach(() => setBuildFingerprintForTests(null));

let n = 0;
function writeTree(files: Record<string, string>): string {
  const dir = path.join(tmp, `tree-${n++}`);
  for (const [rel, text] of Object.entries(files)) write(dir, rel, text);
  return dir;
}

function write(dir: string, rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), text);
}

/** A cached run (cache in `dir`) reports exactly what an uncached one does; returns its cache stats. */
async function expectAsUncached(cwd: string, cacheDir: string, extra: { pythonVersion?: string } = {}): Promise<{ hits: number; misses: number }> {
  const cached = await run({ cwd, paths: ['.'], cache: cacheDir, ...extra });
  const plain = await run({ cwd, paths: ['.'], ...extra });
  expect(comparable(cached)).toEqual(comparable(plain));
  expect((cached.cache?.problems ?? []).filter((p) => /not written|unreadable/.test(p))).toEqual([]);
  return { hits: cached.cache?.hits ?? -1, misses: cached.cache?.misses ?? -1 };
}

function cliRun(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: undefined, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}


describe('same output with --no-cache, a cold cache and a warm cache (the built CLI)', () => {
  const corpora: [string, () => string][] = [
    ['fixtures (Python and TS/JS)', () => path.join(ROOT, 'fixtures')],
    ['examples', () => path.join(ROOT, 'examples')],
    [
      'a generated bench tree (150 files, threads)',
      () => {
        const out = path.join(tmp, 'bench-tree');
        generate({ out, files: 150, seed: 3, wsShare: 0.1, quiet: true });
        return out;
      },
    ],
  ];
  for (const [name, dirOf] of corpora) {
    it(name, () => {
      if (!BUILT) return;
      const cwd = dirOf();
      const cacheDir = path.join(tmp, `cli-${n++}`);
      // JSON to a file and text on stdout in one run; --jobs 2: worker threads record facts too.
      const scan = (...extra: string[]): { json: string; text: string; stderr: string } => {
        const out = path.join(tmp, `out-${n++}.json`);
        const r = cliRun(cwd, ['scan', '--format', 'json', '-o', out, '--format', 'text', '--fail-on', 'never', '--jobs', '2', ...extra], { HANDSHAKE_GUARD_CACHE_DIR: cacheDir });
        expect(r.code).toBe(0);
        return { json: readFileSync(out, 'utf8'), text: r.stdout, stderr: r.stderr };
      };
      const plain = scan('--no-cache');
      expect(existsSync(cacheDir)).toBe(false);
      const cold = scan('--verbose');
      const warm = scan('--verbose');
      expect(cold.json).toBe(plain.json);
      expect(warm.json).toBe(plain.json);
      expect(cold.text).toBe(plain.text);
      expect(warm.text).toBe(plain.text);
      expect(cold.stderr).toMatch(/note: cache .*: 0 reused \(0 unread: unchanged since cached\), \d+ analysed/);
      // Nothing analysed again on a warm run, TS/JS files that asked a type checker included.
      expect(warm.stderr).toMatch(/note: cache .*: \d+ reused \(\d+ unread: unchanged since cached\), 0 analysed/);
      // The verification table too.
      const verify = (...extra: string[]): string => cliRun(cwd, ['verify', '--fail-on', 'never', ...extra], { HANDSHAKE_GUARD_CACHE_DIR: cacheDir }).stdout;
      expect(verify()).toBe(verify('--no-cache'));
    }, 240_000);
  }

  it('editing the helper module the generated loops import (analysed by threads) re-analyses its importers', () => {
    if (!BUILT) return;
    const out = path.join(tmp, 'bench-helper');
    generate({ out, files: 150, seed: 3, wsShare: 0.1, quiet: true });
    const cacheDir = path.join(tmp, `cli-${n++}`);
    const scan = (...extra: string[]): string => cliRun(out, ['scan', '--format', 'json', '--fail-on', 'never', '--jobs', '2', ...extra], { HANDSHAKE_GUARD_CACHE_DIR: cacheDir }).stdout;
    const before = scan();
    const helper = readdirSync(path.join(out, 'src'), { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith(path.join('core', 'ws_guards.py')));
    expect(helper).toBeDefined();
    const file = path.join(out, 'src', helper as string);
    // The helper stops bounding its wait: every loop guarded through it changes kind.
    writeFileSync(file, readFileSync(file, 'utf8').replace(/time\.monotonic\(\) - \w+ [<>]=? [\w.]+/g, 'True'));
    const after = scan();
    expect(after).not.toBe(before);
    expect(after).toBe(scan('--no-cache'));
  }, 240_000);
});

describe('a rebuilt tool', () => {
  it('a changed module in the built tool (a copy of dist/) reads none of the older build\'s entries', () => {
    if (!BUILT) return;
    const tool = path.join(tmp, `tool-${n++}`);
    cpSync(path.join(ROOT, 'dist'), path.join(tool, 'dist'), { recursive: true });
    cpSync(path.join(ROOT, 'bin'), path.join(tool, 'bin'), { recursive: true });
    cpSync(path.join(ROOT, 'package.json'), path.join(tool, 'package.json'));
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(tool, 'node_modules'));
    const dir = writeTree({ 'app/__init__.py': '', 'app/guards.py': HELPER, 'app/routes.py': ROUTES });
    const cacheDir = path.join(tmp, `cli-${n++}`);
    const scan = (): string => {
      const r = spawnSync(process.execPath, [path.join(tool, 'bin/handshake-guard.js'), 'scan', '--verbose', '--fail-on', 'never'], { cwd: dir, encoding: 'utf8', env: { ...process.env, HANDSHAKE_GUARD_CACHE_DIR: cacheDir } });
      return r.stderr;
    };
    scan();
    expect(scan()).toMatch(/3 reused \(\d unread: unchanged since cached\), 0 analysed/);
    const guards = path.join(tool, 'dist/src/languages/python/guards.js');
    writeFileSync(guards, `${readFileSync(guards, 'utf8')}\n// rebuilt\n`);
    expect(scan()).toMatch(/0 reused \(0 unread: unchanged since cached\), 3 analysed/);
  }, 60_000);
});

describe('what a cached result rests on', () => {
  it('a helper edited in another file', async () => {
    const dir = writeTree({ 'app/__init__.py': '', 'app/guards.py': HELPER, 'app/routes.py': ROUTES });
    const cache = path.join(tmp, `c-${n++}`);
    await expectAsUncached(dir, cache);
    expect(await expectAsUncached(dir, cache)).toEqual({ hits: 3, misses: 0 });
    const before = await run({ cwd: dir, paths: ['.'], cache });
    expect(before.report.loops[0]?.guard.kind).toBe('polling');
    // The helper no longer bounds its wait: routes.py's loop is judged again.
    write(dir, 'app/guards.py', HELPER.replace('if time.monotonic() - start > timeout:\n            return False\n        ', ''));
    const stats = await expectAsUncached(dir, cache);
    expect(stats).toEqual({ hits: 1, misses: 2 });
    const after = await run({ cwd: dir, paths: ['.'], cache });
    expect(after.report.loops[0]?.guard.kind).not.toBe('polling');
  });

  it('a caller file added later: a loop on a generic name that only callers make a WebSocket', async () => {
    // flat_pump.relay(connection) receives on a name alone in a module that imports no WebSocket
    // library: a loop only where another file passes it a real connection (repo-index callersOf).
    const dir = writeTree({ 'flat_pump.py': 'async def relay(connection):\n    while True:\n        await connection.receive()\n' });
    const cache = path.join(tmp, `c-${n++}`);
    await expectAsUncached(dir, cache);
    expect((await run({ cwd: dir, paths: ['.'], cache })).report.loops).toEqual([]);
    write(dir, 'flat_main.py', 'from starlette.websockets import WebSocket\n\nimport flat_pump\n\n\nasync def handler(websocket: WebSocket):\n    await websocket.accept()\n    await flat_pump.relay(connection=websocket)\n');
    await expectAsUncached(dir, cache); // the new file's directory listing: flat_pump.py is judged again
    const r = await run({ cwd: dir, paths: ['.'], cache });
    expect(r.report.loops.map((l) => [l.file, l.function, l.framework])).toEqual([['flat_pump.py', 'relay', 'starlette']]);
  });

  it('a file created where the resolver looked first', async () => {
    // routes.py imports `guards`: found at the top, but app/guards.py (nearer) would win.
    const dir = writeTree({ 'guards.py': HELPER, 'app/routes.py': ROUTES.replace('from app.guards import', 'from guards import') });
    const cache = path.join(tmp, `c-${n++}`);
    await expectAsUncached(dir, cache);
    write(dir, 'app/guards.py', 'async def wait_for_handshake(websocket):\n    return True\n');
    const stats = await expectAsUncached(dir, cache);
    // routes.py is analysed again although neither it nor guards.py changed.
    expect(stats.misses).toBe(2);
    const r = await run({ cwd: dir, paths: ['.'], cache });
    expect(r.report.loops[0]?.guard.kind).not.toBe('polling');
  });

  it('a file the prefilter ruled out gains a loop when an imported module starts receiving', async () => {
    const dir = writeTree({
      'app/__init__.py': '',
      'app/helpers.py': 'async def next_message(conn):\n    return conn.pop()\n',
      'app/routes.py': 'from app.helpers import next_message\n\n\nasync def handler(conn):\n    while True:\n        msg = await next_message(conn)\n        print(msg)\n',
    });
    const cache = path.join(tmp, `c-${n++}`);
    await expectAsUncached(dir, cache);
    expect((await run({ cwd: dir, paths: ['.'], cache })).report.loops).toEqual([]);
    write(dir, 'app/helpers.py', 'async def next_message(conn):\n    return await conn.receive_text()\n');
    await expectAsUncached(dir, cache);
    expect((await run({ cwd: dir, paths: ['.'], cache })).report.loops.map((l) => `${l.file}:${l.line}`)).toEqual(['app/routes.py:5']);
  });

  it('an edit that changes no import and no receive-like word keeps the prefilter\'s verdicts; one that adds an import does not', async () => {
    const dir = writeTree({
      'app/__init__.py': '',
      'app/ws.py': 'async def next_message(conn):\n    return await conn.receive_text()\n',
      'app/a.py': 'def next_message(conn):\n    return conn.pop()\n',
      'app/b.py': 'from app.a import next_message\n\n\nasync def handler(conn):\n    while True:\n        msg = await next_message(conn)\n        print(msg)\n',
      'app/c.py': 'from app import a\n\n\ndef total(xs):\n    n = 0\n    for x in xs:\n        n += a.f(x)\n    return n\n',
    });
    const cache = path.join(tmp, `c-${n++}`);
    await expectAsUncached(dir, cache);
    expect((await run({ cwd: dir, paths: ['.'], cache })).report.loops).toEqual([]);
    // A body edit: only a.py is analysed again; b.py and c.py keep their loop-free results.
    write(dir, 'app/a.py', 'def next_message(conn):\n    # popped\n    return conn.pop()\n');
    expect(await expectAsUncached(dir, cache)).toEqual({ hits: 4, misses: 1 });
    // a.py now re-exports the receiving helper: b.py's loop receives through it.
    write(dir, 'app/a.py', 'from app.ws import next_message\n');
    await expectAsUncached(dir, cache);
    expect((await run({ cwd: dir, paths: ['.'], cache })).report.loops.map((l) => `${l.file}:${l.line}`)).toEqual(['app/b.py:5']);
  });

  it('a module created where the prefilter looked for an import', async () => {
    const dir = writeTree({
      'app/__init__.py': '',
      'app/b.py': 'from app.helpers import next_message\n\n\nasync def handler(conn):\n    while True:\n        msg = await next_message(conn)\n        print(msg)\n',
    });
    const cache = path.join(tmp, `c-${n++}`);
    await expectAsUncached(dir, cache);
    expect(await expectAsUncached(dir, cache)).toEqual({ hits: 2, misses: 0 });
    write(dir, 'app/helpers.py', 'async def next_message(conn):\n    return await conn.receive_text()\n');
    await expectAsUncached(dir, cache);
    expect((await run({ cwd: dir, paths: ['.'], cache })).report.loops.map((l) => `${l.file}:${l.line}`)).toEqual(['app/b.py:5']);
  });

  it('the configuration', async () => {
    const dir = writeTree({ 'app/__init__.py': '', 'app/routes.py': 'async def handler(q):\n    while True:\n        msg = await q.pull_frame()\n        print(msg)\n' });
    const cache = path.join(tmp, `c-${n++}`);
    await expectAsUncached(dir, cache);
    expect((await run({ cwd: dir, paths: ['.'], cache })).report.loops).toEqual([]);
    writeFileSync(path.join(dir, 'handshake-guard.config.json'), JSON.stringify({ receiveMethods: ['pull_frame'], connectionNames: ['q'] }));
    expect(await expectAsUncached(dir, cache)).toEqual({ hits: 0, misses: 2 });
    expect((await run({ cwd: dir, paths: ['.'], cache })).report.loops).toHaveLength(1);
  });

  it('the target version (pyproject.toml, --python-version)', async () => {
    const dir = writeTree({ 'pyproject.toml': '[project]\nrequires-python = ">=3.11"\n', 'm.py': 'def f(x):\n    match x:\n        case 1:\n            return 1\n' });
    const cache = path.join(tmp, `c-${n++}`);
    await expectAsUncached(dir, cache);
    expect(await expectAsUncached(dir, cache)).toEqual({ hits: 1, misses: 0 });
    writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nrequires-python = ">=3.9"\n');
    expect(await expectAsUncached(dir, cache)).toEqual({ hits: 0, misses: 1 });
    expect((await run({ cwd: dir, paths: ['.'], cache })).report.findings.map((f) => f.ruleId)).toEqual(['HG011']);
    expect(await expectAsUncached(dir, cache, { pythonVersion: '3.12' })).toEqual({ hits: 0, misses: 1 });
  });

  it('a rebuilt tool (another build fingerprint) reads nothing an older build wrote', async () => {
    const dir = writeTree({ 'app/__init__.py': '', 'app/guards.py': HELPER, 'app/routes.py': ROUTES });
    const cache = path.join(tmp, `c-${n++}`);
    await expectAsUncached(dir, cache);
    setBuildFingerprintForTests('another build');
    const r = await run({ cwd: dir, paths: ['.'], cache });
    expect(r.cache).toMatchObject({ hits: 0, misses: 3 });
    expect(r.cache?.problems.join()).toMatch(/another build or configuration/);
  });

  it('TS/JS: a relative import edited; a file that asked the type checker (its caching: type-cache.test.ts)', async () => {
    const dir = writeTree({
      'tsconfig.json': '{ "compilerOptions": { "strict": true } }',
      'src/open.ts': "import WebSocket from 'ws';\nexport async function waitOpen(ws: WebSocket): Promise<void> {\n  const start = performance.now();\n  while (ws.readyState === WebSocket.CONNECTING) {\n    if (performance.now() - start > 3000) break;\n    await new Promise((r) => setTimeout(r, 10));\n  }\n}\n",
      'src/client.ts': "import WebSocket from 'ws';\nimport { waitOpen } from './open';\nexport async function pump(items: string[]): Promise<void> {\n  const ws = new WebSocket('ws://x');\n  await waitOpen(ws);\n  for (const item of items) {\n    ws.send(item);\n  }\n}\n",
    });
    const cache = path.join(tmp, `c-${n++}`);
    await expectAsUncached(dir, cache);
    expect(await expectAsUncached(dir, cache)).toEqual({ hits: 2, misses: 0 });
    write(dir, 'src/open.ts', 'export async function waitOpen(ws: unknown): Promise<void> {}\n');
    expect(await expectAsUncached(dir, cache)).toEqual({ hits: 0, misses: 2 });
    // A receiver no provenance places (a factory's result): the analysis asks the checker.
    write(dir, 'src/pump.ts', "import { make } from './make';\nexport async function pump(items: string[]): Promise<void> {\n  const s = make();\n  for (const item of items) {\n    s.send(item);\n  }\n}\n");
    write(dir, 'src/make.ts', 'export function make(): { send(m: string): void } {\n  return { send() {} };\n}\n');
    // Racy on every run below, however slow the machine: its mtime is ahead of any read.
    const ahead = new Date(Date.now() + 3_600_000);
    utimesSync(path.join(dir, 'src/make.ts'), ahead, ahead);
    for (const mode of [{ project: 'tsconfig.json' }, {}] as const) {
      const typed = await run({ cwd: dir, paths: ['.'], cache, ...mode });
      const again = await run({ cwd: dir, paths: ['.'], cache, ...mode });
      // open.ts, client.ts and make.ts never asked: reused. pump.ts asked a checker whose program
      // read make.ts too close to its last change (racy): not kept, analysed again.
      expect(again.cache).toMatchObject({ hits: 3, misses: 1 });
      expect(comparable(again)).toEqual(comparable(typed));
    }
    // Without a checker the ask has one answer: pump.ts is cached too, under --no-types or with
    // no tsconfig.json found — until one appears.
    const noTypes = async (): Promise<RunResult> => run({ cwd: dir, paths: ['.'], cache, types: false });
    await noTypes();
    expect((await noTypes()).cache).toMatchObject({ hits: 4, misses: 0 });
    rmSync(path.join(dir, 'tsconfig.json'));
    await expectAsUncached(dir, cache);
    expect(await expectAsUncached(dir, cache)).toEqual({ hits: 4, misses: 0 });
    write(dir, 'src/tsconfig.json', '{ "compilerOptions": { "strict": true } }');
    // pump.ts analysed again, now with a checker that answers.
    expect(await expectAsUncached(dir, cache)).toEqual({ hits: 3, misses: 1 });
  });

  it('--staged: the staged content is what is keyed, not the working tree', async () => {
    const repo = gitRepo({ 'app/__init__.py': '', 'app/guards.py': HELPER, 'app/routes.py': ROUTES }, repos);
    const cache = path.join(tmp, `c-${n++}`);
    const staged = async (): Promise<RunResult> => run({ cwd: repo, paths: ['.'], cache, staged: true });
    const uncached = async (): Promise<RunResult> => run({ cwd: repo, paths: ['.'], staged: true });
    writeFileSync(path.join(repo, 'app/routes.py'), ROUTES.replace('if not await wait_for_handshake(websocket):\n            break\n        ', ''));
    gitIn(repo, 'add', 'app/routes.py');
    const cold = await staged();
    const warm = await staged();
    expect(cold.files.map((f) => f.file)).toEqual(['app/routes.py']);
    expect(warm.cache?.hits).toBeGreaterThan(0);
    expect(comparable(warm)).toEqual(comparable(await uncached()));
    // The working tree changes, the index does not: still the same result.
    writeFileSync(path.join(repo, 'app/routes.py'), `# changed\n${ROUTES}`);
    const still = await staged();
    expect(still.cache?.hits).toBe(1);
    expect(comparable(still)).toEqual(comparable(await uncached()));
    // Staged now: analysed again.
    gitIn(repo, 'add', 'app/routes.py');
    const restaged = await staged();
    expect(comparable(restaged)).toEqual(comparable(await uncached()));
    expect(restaged.cache?.misses).toBeGreaterThan(0);
  });

  it('shards no run wrote for 30 days are removed when another is written', async () => {
    const dir = writeTree({ 'a.py': 'x = 1\n' });
    const cache = path.join(tmp, `c-${n++}`);
    mkdirSync(cache);
    const old = path.join(cache, 'scan-0123456789abcdef0123.bin');
    const recent = path.join(cache, 'scan-1123456789abcdef0123.bin');
    const other = path.join(cache, 'notes.txt');
    for (const f of [old, recent, other]) writeFileSync(f, 'x');
    const longAgo = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    utimesSync(old, longAgo, longAgo);
    utimesSync(other, longAgo, longAgo);
    await run({ cwd: dir, paths: ['.'], cache });
    // The report memo beside the new shard is written when the files are past the racy window (a loaded machine).
    const left = readdirSync(cache).filter((f) => !f.endsWith('.report.bin'));
    expect(existsSync(old)).toBe(false);
    expect(left).toContain('notes.txt');
    expect(left).toContain(path.basename(recent));
    expect(left).toHaveLength(3);
  });

  it('entries of deleted files are dropped', async () => {
    const dir = writeTree({ 'a.py': 'x = 1\n', 'b.py': 'y = 2\n' });
    const cache = path.join(tmp, `c-${n++}`);
    await run({ cwd: dir, paths: ['.'], cache });
    rmSync(path.join(dir, 'b.py'));
    const r = await run({ cwd: dir, paths: ['.'], cache });
    const shard = deserialize(readFileSync(r.cache?.file as string)) as { entries: Map<string, unknown> };
    expect([...shard.entries.keys()]).toEqual([path.join(dir, 'a.py')]);
  });
});

describe('files unchanged since they were cached are not read again (their stat vouches for them)', () => {
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  it('a warm run reads none of them; an edit that keeps the size and restores the mtime is still seen (ctime), by the scan and the breaking row', async () => {
    // Over 64 files, the breaking row compares blob ids (fewer are fetched whole and compared).
    const modules = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`app/m${i}.py`, `def f${i}(x):\n    return x + ${i}\n`]));
    const dir = gitRepo({ 'app/__init__.py': '', 'app/guards.py': HELPER, 'app/routes.py': ROUTES, ...modules }, repos);
    const count = 73;
    // A file changed within 2 s of being read is "racy" (it could change again within the
    // file system's timestamp granularity): only older files are vouched for.
    await sleep(2100);
    const cache = path.join(tmp, `c-${n++}`);
    const first = await run({ cwd: dir, paths: ['.'], cache });
    expect(first.cache).toMatchObject({ hits: 0, misses: count, unread: 0 });
    // The breaking row's blob ids are kept with the hashes: a warm run need not read a file for them.
    const shard = deserialize(readFileSync(first.cache?.file as string)) as { index: Map<string, [string, string, string]> };
    expect(shard.index.size).toBe(count);
    for (const [file, [, , blob]] of shard.index) expect(blob).toBe(execFileSync('git', ['hash-object', file], { encoding: 'utf8' }).trim());
    const warm = await run({ cwd: dir, paths: ['.'], cache });
    expect(warm.cache).toMatchObject({ hits: count, misses: 0, unread: count });
    expect(comparable(warm)).toEqual(comparable(await run({ cwd: dir, paths: ['.'] })));
    expect(warm.report.checks.find((c) => c.id === 'breaking')?.status).toBe('pass');

    // Same size, same mtime, new content: only the ctime says the file changed.
    const routes = path.join(dir, 'app/routes.py');
    const before = statSync(routes, { bigint: true });
    // touch -r copies the timestamps to the nanosecond (utimes takes float seconds).
    const reference = path.join(tmp, `times-${n++}`);
    writeFileSync(reference, '');
    execFileSync('touch', ['-r', routes, reference]);
    writeFileSync(routes, ROUTES.replace('async def endpoint(', 'async def endpoinx('));
    execFileSync('touch', ['-r', reference, routes]);
    const after = statSync(routes, { bigint: true });
    expect([after.size, after.mtimeNs]).toEqual([before.size, before.mtimeNs]);
    expect(after.ctimeNs).not.toBe(before.ctimeNs);
    const edited = await run({ cwd: dir, paths: ['.'], cache });
    expect(edited.cache).toMatchObject({ hits: count - 1, misses: 1, unread: count - 1 });
    expect(comparable(edited)).toEqual(comparable(await run({ cwd: dir, paths: ['.'] })));
    expect(edited.report.loops.map((l) => l.function)).toEqual(['endpoinx']);
    expect(edited.report.checks.find((c) => c.id === 'breaking')).toMatchObject({ status: 'fail', details: expect.stringContaining('removed endpoint') });
  }, 30_000);

  it('files written just before a run are read again on the next one (racy)', async () => {
    const dir = writeTree({ 'app/__init__.py': '', 'app/guards.py': HELPER, 'app/routes.py': ROUTES });
    const cache = path.join(tmp, `c-${n++}`);
    await run({ cwd: dir, paths: ['.'], cache });
    const again = await run({ cwd: dir, paths: ['.'], cache });
    expect(again.cache).toMatchObject({ hits: 3, misses: 0, unread: 0 });
  });
});

describe('a cache that cannot be read or written never fails a run', () => {
  const files = { 'app/__init__.py': '', 'app/guards.py': HELPER, 'app/routes.py': ROUTES };
  /** Damages a shard; its report memo goes (a memo gives back the whole report without reading the shard, written when the files are past the racy window, as on a loaded machine). */
  const damage = (file: string, data: string | Uint8Array): void => {
    writeFileSync(file, data);
    rmSync(memoFile(file), { force: true });
  };

  it('a corrupt shard is ignored, then replaced', async () => {
    const dir = writeTree(files);
    const cache = path.join(tmp, `c-${n++}`);
    const first = await run({ cwd: dir, paths: ['.'], cache });
    damage(first.cache?.file as string, 'not a cache at all');
    const r = await run({ cwd: dir, paths: ['.'], cache });
    expect(comparable(r)).toEqual(comparable(first));
    expect(r.cache?.problems.join()).toMatch(/unreadable|another build/);
    expect(await expectAsUncached(dir, cache)).toEqual({ hits: 3, misses: 0 });
  });

  it('a shard that deserialises but holds nonsense (damaged facts, damaged results) is dropped, not trusted', async () => {
    const dir = writeTree({ ...files, 'app/plain.py': 'def total(xs):\n    n = 0\n    for x in xs:\n        n += x\n    return n\n' });
    const cache = path.join(tmp, `c-${n++}`);
    const first = await run({ cwd: dir, paths: ['.'], cache });
    const file = first.cache?.file as string;
    const shard = deserialize(readFileSync(file)) as { entries: Map<string, { kind: string; result: Uint8Array }>; verdicts: { facts: unknown[] } };
    shard.verdicts.facts = [['K', dir, '{not json']];
    damage(file, serialize(shard));
    const r = await run({ cwd: dir, paths: ['.'], cache });
    expect(comparable(r)).toEqual(comparable(first));
    expect(r.cache?.problems.join()).toMatch(/damaged/);
    const again = deserialize(readFileSync(file)) as typeof shard;
    for (const e of again.entries.values()) e.result = new Uint8Array([1, 2, 3]);
    damage(file, serialize(again));
    const r2 = await run({ cwd: dir, paths: ['.'], cache });
    expect(comparable(r2)).toEqual(comparable(first));
    expect(r2.cache).toMatchObject({ hits: 0, misses: 4 });
    // Index entries (a file's content hash by its stat) that are not [stamp, hash, blob] strings are not trusted.
    const third = deserialize(readFileSync(file)) as typeof shard & { index: Map<string, unknown> };
    third.index = new Map<string, unknown>([[path.join(dir, 'app/routes.py'), 'nonsense'], [path.join(dir, 'app/guards.py'), [1, 2, 3]], [path.join(dir, 'app/plain.py'), null]]);
    damage(file, serialize(third));
    const r3 = await run({ cwd: dir, paths: ['.'], cache });
    expect(comparable(r3)).toEqual(comparable(first));
    expect(r3.cache).toMatchObject({ unread: 0 });
  });

  it('a truncated shard is ignored', async () => {
    const dir = writeTree(files);
    const cache = path.join(tmp, `c-${n++}`);
    const first = await run({ cwd: dir, paths: ['.'], cache });
    const bytes = readFileSync(first.cache?.file as string);
    damage(first.cache?.file as string, bytes.subarray(0, bytes.length >> 1));
    expect(comparable(await run({ cwd: dir, paths: ['.'], cache }))).toEqual(comparable(first));
  });

  it('a cache directory that cannot be written', async () => {
    const dir = writeTree(files);
    // As root, permissions do not stop writes: a directory under a regular file cannot exist either way.
    const blocker = path.join(tmp, `blocker-${n++}`);
    writeFileSync(blocker, '');
    const run1 = await run({ cwd: dir, paths: ['.'], cache: path.join(blocker, 'cache') });
    expect(run1.cache?.problems.join()).toMatch(/not written/);
    expect(comparable(run1)).toEqual(comparable(await run({ cwd: dir, paths: ['.'] })));
    if (process.getuid?.() !== 0) {
      const ro = path.join(tmp, `ro-${n++}`);
      mkdirSync(ro);
      chmodSync(ro, 0o500);
      const r2 = await run({ cwd: dir, paths: ['.'], cache: ro });
      expect(r2.cache?.problems.join()).toMatch(/not written/);
      chmodSync(ro, 0o700);
    }
  });

  it('two runs at once leave a readable cache (atomic writes)', async () => {
    if (!BUILT) return;
    const out = path.join(tmp, 'concurrent');
    generate({ out, files: 60, seed: 4, wsShare: 0.1, quiet: true });
    const cacheDir = path.join(tmp, `cli-${n++}`);
    const once = (): Promise<string> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [BIN, 'scan', '--format', 'json', '--fail-on', 'never'], { cwd: out, env: { ...process.env, HANDSHAKE_GUARD_CACHE_DIR: cacheDir } });
        let stdout = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.on('close', () => resolve(stdout));
      });
    const results = await Promise.all([once(), once(), once()]);
    const plain = cliRun(out, ['scan', '--format', 'json', '--fail-on', 'never', '--no-cache']).stdout;
    for (const r of results) expect(r).toBe(plain);
    const warm = cliRun(out, ['scan', '--format', 'json', '--fail-on', 'never', '--verbose'], { HANDSHAKE_GUARD_CACHE_DIR: cacheDir });
    expect(warm.stdout).toBe(plain);
    expect(warm.stderr).toMatch(/: \d+ reused \(\d+ unread: unchanged since cached\), 0 analysed/);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 120_000);
});

describe('where the cache lives', () => {
  it('HANDSHAKE_GUARD_CACHE_DIR, else $XDG_CACHE_HOME/handshake-guard, else ~/.cache/handshake-guard', () => {
    expect(defaultCacheDir({ HANDSHAKE_GUARD_CACHE_DIR: '/x/hg', XDG_CACHE_HOME: '/y' })).toBe(path.resolve('/x/hg'));
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/y' })).toBe(path.join('/y', 'handshake-guard'));
    expect(defaultCacheDir({ XDG_CACHE_HOME: 'relative' })).toBe(path.join(os.homedir(), '.cache', 'handshake-guard'));
    expect(defaultCacheDir({})).toBe(path.join(os.homedir(), '.cache', 'handshake-guard'));
  });

  it('the test run points the default at a temporary directory (never ~/.cache)', () => {
    expect(process.env['HANDSHAKE_GUARD_CACHE_DIR']).toContain('hg-test-cache-');
  });

  it('the CLI caches by default, outside the repository, and --no-cache writes nothing', () => {
    if (!BUILT) return;
    const dir = writeTree({ 'a.py': 'x = 1\n' });
    const cacheDir = path.join(tmp, `default-${n++}`);
    cliRun(dir, ['scan', '--no-cache'], { HANDSHAKE_GUARD_CACHE_DIR: cacheDir });
    expect(existsSync(cacheDir)).toBe(false);
    cliRun(dir, ['scan'], { HANDSHAKE_GUARD_CACHE_DIR: cacheDir });
    // One shard (and, files past the racy window, the report memo beside it).
    expect(readdirSync(cacheDir).filter((f) => !f.endsWith('.report.bin'))).toHaveLength(1);
    expect(readdirSync(dir)).toEqual(['a.py']);
    // XDG_CACHE_HOME when HANDSHAKE_GUARD_CACHE_DIR is unset.
    const xdg = path.join(tmp, `xdg-${n++}`);
    cliRun(dir, ['scan'], { HANDSHAKE_GUARD_CACHE_DIR: undefined, XDG_CACHE_HOME: xdg });
    expect(readdirSync(path.join(xdg, 'handshake-guard')).filter((f) => !f.endsWith('.report.bin'))).toHaveLength(1);
  });

  it('a warm run loads neither tree-sitter, the analysers nor the TypeScript compiler (so starts no parsing thread)', () => {
    if (!BUILT) return;
    // A copy outside git: in the repository the breaking row parses files that differ from HEAD.
    const corpus = path.join(tmp, `fixtures-copy-${n++}`);
    cpSync(path.join(ROOT, 'fixtures'), corpus, { recursive: true });
    // Out of the racy window first: a result that asked the type checker (fixtures with a
    // tsconfig.json) is kept only when what its program read is older than 2 s (stat-index.ts).
    const until = Date.now() + 2_100;
    while (Date.now() < until) spawnSync('sleep', ['0.2']);
    const cacheDir = path.join(tmp, `cli-${n++}`);
    const trace = path.join(tmp, `trace-${n++}.txt`);
    const hook = path.join(ROOT, 'test/helpers/trace-imports.mjs');
    const scan = (): void => {
      writeFileSync(trace, '');
      cliRun(corpus, ['scan', '--fail-on', 'never', '--jobs', '2'], { HANDSHAKE_GUARD_CACHE_DIR: cacheDir, HG_TRACE_IMPORTS: trace, NODE_OPTIONS: `--import=${hook}` });
    };
    scan();
    expect(readFileSync(trace, 'utf8')).toMatch(/web-tree-sitter/);
    // The per-file path, not the report memo (which would load even less).
    for (const f of readdirSync(cacheDir)) if (f.endsWith('.report.bin')) rmSync(path.join(cacheDir, f));
    scan();
    const loaded = readFileSync(trace, 'utf8');
    expect(loaded).toMatch(/engine\/cache\.js/);
    // The compiler is required (not imported) from ts-morph's directory: its loader module stands for it.
    expect(loaded).not.toMatch(/web-tree-sitter|ts-morph|python-worker|script-worker|typescript\/compiler\.js|python\/analyze\.js|typescript\/analyze\.js|public-api\.js/);
  }, 120_000);
});

describe('a cache directory that cannot be made', () => {
  it.runIf(existsSync('/proc/self'))('under /proc the run ends (Node\'s recursive mkdir spins forever there) and reports as without a cache', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-proc-cache-'));
    writeFileSync(path.join(dir, 'app.py'), 'from fastapi import WebSocket\n\nasync def f(websocket: WebSocket):\n    while True:\n        await websocket.receive_text()\n');
    const r = await run({ cwd: dir, paths: ['.'], cache: '/proc/hg-no-such-dir/cache' });
    expect(r.report.summary).toMatchObject({ loops: 1, guarded: 0 });
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
