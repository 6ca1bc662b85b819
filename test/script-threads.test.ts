// The parallel TS/JS scan (issue #8: script-pool.ts, script-worker.ts) changes how long a scan
// takes, never what it reports: the built CLI gives the same bytes with --jobs 1 (no thread) and
// --jobs 2 (a worker thread beside the main one; also when the threads die mid-scan), types on
// and off, and the result cache holds the same entries and facts whichever thread analysed a file.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deserialize } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script without type declarations
import { generateTs } from '../bench/generate-ts.mjs';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin/handshake-guard.js');
// The worker threads run the built JavaScript (npm test builds dist/ before vitest runs).
const BUILT = existsSync(path.join(ROOT, 'dist/src/engine/script-worker.js'));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'hg-script-threads-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

interface Scan {
  code: number | null;
  json: string;
  stderr: string;
}

/** `scan --format json` with the built CLI; `crash`: every thread dies after 7 files. */
function scan(cwd: string, args: string[], opts: { crash?: boolean; cacheDir?: string } = {}): Scan {
  const out = path.join(tmp, `out-${n++}.json`);
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: undefined, HG_TEST_THREAD_EXIT_AFTER: opts.crash ? '7' : undefined };
  if (opts.cacheDir) env['HANDSHAKE_GUARD_CACHE_DIR'] = opts.cacheDir;
  const cacheArgs = opts.cacheDir ? [] : ['--no-cache'];
  const r = spawnSync(process.execPath, [BIN, 'scan', '--format', 'json', '-o', out, '--fail-on', 'never', ...cacheArgs, ...args], { cwd, encoding: 'utf8', env });
  return { code: r.status, json: existsSync(out) ? readFileSync(out, 'utf8') : '', stderr: r.stderr };
}

/** The same report (and notes) with --jobs 1, --jobs 2 and --jobs 2 with threads that die; returns the report. */
function expectSameThreadedOrNot(cwd: string, extra: string[] = []): { loops: unknown[]; summary: { files: number } } {
  const one = scan(cwd, ['--jobs', '1', ...extra]);
  expect(one.code).toBe(0);
  for (const [label, other] of [
    ['--jobs 2', scan(cwd, ['--jobs', '2', ...extra])],
    ['--jobs 2, threads dying', scan(cwd, ['--jobs', '2', ...extra], { crash: true })],
  ] as const) {
    expect(other.json, label).toBe(one.json);
    expect(other.stderr, label).toBe(one.stderr);
  }
  return JSON.parse(one.json) as { loops: unknown[]; summary: { files: number } };
}

/** A directory with node_modules (for ws's types) and the given files. */
function project(files: Record<string, string>): string {
  const dir = path.join(tmp, `project-${n++}`);
  mkdirSync(dir);
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

// A socket only the type checker places (a factory's), and one provenance places.
const TYPED = `import WebSocket, { WebSocketServer } from 'ws';
import { make } from './factory';

export async function inferred(url: string): Promise<void> {
  const ws = make(url);
  for (const s of ['a', 'b']) ws.send(s);
}

export function broadcast(wss: WebSocketServer): void {
  for (const c of wss.clients) c.send('x');
}

export function plain(url: string): void {
  const ws = new WebSocket(url);
  for (const s of ['a']) ws.send(s);
}
`;
const FACTORY = `import WebSocket from 'ws';\n\nexport function make(url: string) {\n  return new WebSocket(url);\n}\n`;
const TSCONFIG = JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', esModuleInterop: true, types: ['node'] } });

describe('threaded TS/JS scan = one-thread scan (the built CLI)', () => {
  it('a generated TS tree (bench/generate-ts.mjs, 240 files), types on and off', () => {
    if (!BUILT) return;
    const out = path.join(tmp, 'generated');
    generateTs({ out, files: 240, seed: 7, wsShare: 0.1, quiet: true });
    const typed = expectSameThreadedOrNot(out);
    expect(typed.summary.files).toBe(240);
    expect(typed.loops.length).toBeGreaterThan(10);
    expectSameThreadedOrNot(out, ['--no-types']);
  }, 240_000);

  it('fixtures/ (TS/JS and Python) and examples/', () => {
    if (!BUILT) return;
    expect(expectSameThreadedOrNot(path.join(ROOT, 'fixtures')).loops.length).toBeGreaterThan(100);
    expectSameThreadedOrNot(path.join(ROOT, 'fixtures'), ['--no-types']);
    expectSameThreadedOrNot(path.join(ROOT, 'examples'));
  }, 240_000);

  it('files that ask the type checker: analysed again on the main thread where a checker can answer, kept where none can (notes in the same order)', () => {
    if (!BUILT) return;
    const dir = project({
      // A checker answers here (a tsconfig.json above).
      'typed/tsconfig.json': TSCONFIG,
      'typed/a.ts': TYPED,
      'typed/factory.ts': FACTORY,
      'typed/b.ts': TYPED,
      // None above these: the threads' answers stand.
      'untyped/a.ts': TYPED,
      'untyped/factory.ts': FACTORY,
      // A broken tsconfig.json: a note, and no checker for its files.
      'broken/tsconfig.json': '{ "compilerOptions": ',
      'broken/a.ts': TYPED,
      'broken/factory.ts': FACTORY,
      // Not parseable: a failure note in its place.
      'zbad/deep.ts': `${'('.repeat(3000)}1${')'.repeat(3000)};\n`,
      // Near the nesting limit (a thread's stack is no deeper than the main thread's): the same result.
      'zdeep/arrows.ts': `const f = ${'() => '.repeat(480)}1;\n`,
      'zdeep/whiles.ts': `async function h(ws: WebSocket) {\n${'while (x) {\n'.repeat(240)}ws.send('a');\n${'}\n'.repeat(240)}}\n`,
    });
    const report = expectSameThreadedOrNot(dir);
    const loops = report.loops as { file: string; guard: { kind: string } }[];
    expect(loops.filter((l) => l.file.startsWith('typed/')).map((l) => l.guard.kind)).toEqual(['none', 'framework', 'none', 'none', 'framework', 'none']);
    // Without a checker: the factory's socket is not placed; the server's clients are, by their syntax.
    expect(loops.filter((l) => l.file.startsWith('untyped/')).map((l) => l.guard.kind)).toEqual(['framework', 'none']);
    expect(loops.filter((l) => l.file.startsWith('zdeep/')).length).toBeGreaterThan(0);
    // A cold and a warm cache: the same reports and the same reuse counts whichever thread
    // analysed a file (typed/a.ts and typed/b.ts asked a checker that answers: cached on what its
    // program read; zbad/deep.ts, which failed, is tried again and counted in neither).
    const runs = ['1', '2'].map((jobs) => {
      const cacheDir = path.join(tmp, `cache-${n++}`);
      return [scan(dir, ['--jobs', jobs, '--verbose'], { cacheDir }), scan(dir, ['--jobs', jobs, '--verbose'], { cacheDir })].map((r) => ({ json: r.json, stderr: r.stderr.replaceAll(cacheDir, '<cache>') }));
    });
    expect(runs[1]).toEqual(runs[0]);
    const plain = scan(dir, ['--jobs', '1']).json;
    for (const r of runs[0] ?? []) expect(r.json).toBe(plain);
    expect(runs[0]?.[1]?.stderr).toMatch(/note: cache <cache>\/\S+: 9 reused \(9 unread: unchanged since cached\), 0 analysed/);
  }, 240_000);
});

interface ShardEntry {
  key: string;
  kind: string;
  facts: (readonly [string, string, string])[];
  /** v8-serialised, or the result itself when it holds nothing (engine/cache.ts). */
  result: Uint8Array | object;
}

const decoded = (result: Uint8Array | object): unknown => (result instanceof Uint8Array ? deserialize(result) : result);

/** The entries of the one shard in a cache directory. */
function entries(cacheDir: string): Map<string, ShardEntry> {
  // The shard (the report memo beside it is `.report.bin`).
  const files = readdirSync(cacheDir).filter((f) => f.endsWith('.bin') && !f.endsWith('.report.bin'));
  expect(files).toHaveLength(1);
  return (deserialize(readFileSync(path.join(cacheDir, files[0] as string))) as { entries: Map<string, ShardEntry> }).entries;
}

describe('the result cache with threaded TS/JS files', () => {
  it('the same entries — keys, facts (every relative import resolved, tsconfig.json absences), results — with --jobs 1 and --jobs 2', () => {
    if (!BUILT) return;
    const out = path.join(tmp, 'generated-cache');
    generateTs({ out, files: 120, seed: 11, wsShare: 0.1, quiet: true });
    // Asks the checker with no tsconfig.json above: cached, with the absences as facts.
    writeFileSync(path.join(out, 'factory.ts'), FACTORY);
    writeFileSync(path.join(out, 'asks.ts'), TYPED);
    rmSync(path.join(out, 'tsconfig.json'));
    const byJobs = ['1', '2'].map((jobs) => {
      const cacheDir = path.join(tmp, `cache-${n++}`);
      expect(scan(out, ['--jobs', jobs], { cacheDir }).code).toBe(0);
      return entries(cacheDir);
    });
    const [one, two] = byJobs as [Map<string, ShardEntry>, Map<string, ShardEntry>];
    expect(one.size).toBeGreaterThan(100);
    expect(one.has(path.join(out, 'asks.ts'))).toBe(true);
    expect([...two.keys()].sort()).toEqual([...one.keys()].sort());
    for (const [file, e] of one) {
      const t = two.get(file) as ShardEntry;
      expect({ key: t.key, kind: t.kind, facts: t.facts }, file).toEqual({ key: e.key, kind: e.kind, facts: e.facts });
      // Equal values (a thread's result crossed by structured clone: a number or string may be stored in another form).
      expect(decoded(t.result), file).toEqual(decoded(e.result));
    }
    const asks = one.get(path.join(out, 'asks.ts')) as ShardEntry;
    expect(asks.facts).toContainEqual(['e', path.join(out, 'tsconfig.json'), '0']);
    // The loops guarded by the generated helper rest on it.
    const helper = path.join(out, 'src/core/ws-guards.ts');
    expect([...one.values()].filter((e) => e.facts.some(([kind, p]) => kind === 'r' && p === helper)).length).toBeGreaterThan(2);
  }, 240_000);

  it('editing a TS helper the generated loops import (analysed by a thread) re-analyses its importers', () => {
    if (!BUILT) return;
    const out = path.join(tmp, 'generated-helper');
    generateTs({ out, files: 120, seed: 13, wsShare: 0.15, quiet: true });
    const cacheDir = path.join(tmp, `cache-${n++}`);
    const before = scan(out, ['--jobs', '2'], { cacheDir }).json;
    const helper = path.join(out, 'src/core/ws-guards.ts');
    expect(existsSync(helper)).toBe(true);
    // The helper stops bounding its wait: every loop guarded through it changes.
    writeFileSync(helper, readFileSync(helper, 'utf8').replace(/performance\.now\(\) - \w+ [<>]=? \w+/g, 'true'));
    const after = scan(out, ['--jobs', '2'], { cacheDir }).json;
    expect(after).not.toBe(before);
    expect(after).toBe(scan(out, ['--jobs', '1']).json);
  }, 240_000);
});

describe('how many threads analyse TS/JS files', () => {
  it('--jobs N: N (this one included) for two files or more; by default only with enough files per thread', async () => {
    if (!BUILT) return;
    // From the build: run from the TypeScript sources there is no worker script, so always one thread.
    const { scriptThreadsFor } = (await import(path.join(ROOT, 'dist/src/engine/script-pool.js'))) as typeof import('../src/engine/script-pool.js');
    expect(scriptThreadsFor(1, 4)).toBe(1);
    expect(scriptThreadsFor(3, 2)).toBe(2);
    expect(scriptThreadsFor(3, 8)).toBe(3);
    expect(scriptThreadsFor(5000, 1)).toBe(1);
    expect(scriptThreadsFor(100, undefined)).toBe(1);
    expect(scriptThreadsFor(5000, undefined)).toBe(Math.min(os.availableParallelism(), 2));
  });
});
