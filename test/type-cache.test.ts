// A TS/JS result that asked the type checker is cached on what the checker's answer is made of
// (engine/type-facts.ts): which tsconfig.json governs the file, the config's text, the program's
// roots and their texts, and every file-system answer the program was built from (recording-fs.ts).
// It is reused while none of these changes, and analysed again — with the result an uncached run
// gives — as soon as one does. The notes a config gives are the same whether results are reused or not.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run, type RunResult } from '../src/engine/run.js';
import { comparable } from './helpers/comparable.js';
import { git, gitRepo, removeAll } from './helpers/git.js';

const TSCONFIG = JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', esModuleInterop: true, types: ['node'] } });
// The socket comes from a declaration outside the scanned directory: only the program reads it.
const SOCK_WS = "import WebSocket from 'ws';\nexport declare function connect(url: string): WebSocket;\n";
const SOCK_PLAIN = 'export declare function connect(url: string): { send(m: string): void };\n';
const CLIENT = "import { connect } from '../types/sock.js';\nexport async function pump(url: string): Promise<void> {\n  const sock = connect(url);\n  for (const m of ['a', 'b']) sock.send(m);\n}\n";

const temps: string[] = [];
const repos: string[] = [];
afterAll(() => {
  temps.forEach((t) => rmSync(t, { recursive: true, force: true }));
  removeAll(repos);
});
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A project with node_modules (ws and its types), its files old enough for the cache to vouch for them. */
async function project(files: Record<string, string>): Promise<{ dir: string; cache: string; write: (rel: string, text: string) => void }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-type-cache-'));
  temps.push(dir);
  symlinkSync(path.resolve(__dirname, '../node_modules'), path.join(dir, 'node_modules'), 'dir');
  const write = (rel: string, text: string): void => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };
  for (const [rel, text] of Object.entries(files)) write(rel, text);
  // A read within 2 s of its file's last change may miss a change (racy): nothing resting on it is kept.
  await sleep(2100);
  return { dir, cache: path.join(dir, '.cache-dir'), write };
}

/** A run with the cache that reports exactly what an uncached run reports; returns it. */
async function asUncached(dir: string, cache: string): Promise<RunResult> {
  const cached = await run({ cwd: dir, paths: ['src'], cache });
  expect(comparable(cached)).toEqual(comparable(await run({ cwd: dir, paths: ['src'] })));
  return cached;
}

const loops = (r: RunResult): string[] => r.report.loops.map((l) => `${l.file}:${l.line} ${l.framework} ${l.guard.kind}`);

describe('type-aware results in the result cache', () => {
  it('reused while nothing the program read changes; analysed again when a declaration it read does', async () => {
    const { dir, cache, write } = await project({ 'tsconfig.json': TSCONFIG, 'types/sock.d.ts': SOCK_WS, 'src/client.ts': CLIENT });
    const cold = await asUncached(dir, cache);
    expect(loops(cold)).toEqual(['src/client.ts:4 ws none']);
    expect(cold.cache).toMatchObject({ hits: 0, misses: 1 });
    expect((await asUncached(dir, cache)).cache).toMatchObject({ hits: 1, misses: 0 });
    // The declaration is outside the scanned directory: only the program's read of it vouches.
    write('types/sock.d.ts', SOCK_PLAIN);
    const changed = await asUncached(dir, cache);
    expect(changed.cache).toMatchObject({ hits: 0, misses: 1 });
    expect(loops(changed)).toEqual([]);
  }, 60_000);

  it('the tsconfig.json edited, or a nearer one appearing: analysed again', async () => {
    const { dir, cache, write } = await project({ 'tsconfig.json': TSCONFIG, 'types/sock.d.ts': SOCK_WS, 'src/client.ts': CLIENT });
    await asUncached(dir, cache);
    expect((await asUncached(dir, cache)).cache).toMatchObject({ hits: 1, misses: 0 });
    // Without `types: ['node']` ws's declarations no longer resolve their Node imports the same way.
    write('tsconfig.json', JSON.stringify({ compilerOptions: { strict: true, module: 'commonjs', esModuleInterop: true } }));
    expect((await asUncached(dir, cache)).cache).toMatchObject({ hits: 0, misses: 1 });
    write('src/tsconfig.json', '{ "compilerOptions": { ');
    const broken = await asUncached(dir, cache);
    expect(broken.cache).toMatchObject({ hits: 0, misses: 1 });
    expect(loops(broken)).toEqual([]);
    expect(broken.notes).toEqual([expect.stringMatching(/^src\/tsconfig\.json: not used \(.+\); TS\/JS socket types from imports and provenance only$/)]);
  }, 60_000);

  it('a new file that can ask joins the program: results resting on it are analysed again', async () => {
    // client.ts asks about a global the program declares nowhere (no type: no loop) ...
    const user = 'export async function pump(): Promise<void> {\n  const sock = makeSocket();\n  for (const m of [\'a\']) sock.send(m);\n}\n';
    const { dir, cache, write } = await project({ 'tsconfig.json': TSCONFIG, 'src/client.ts': user });
    expect(loops(await asUncached(dir, cache))).toEqual([]);
    expect((await asUncached(dir, cache)).cache).toMatchObject({ hits: 1, misses: 0 });
    // ... until a new root declares it: reusing client.ts's result would miss its loop.
    write('src/global.ts', "import WebSocket from 'ws';\ndeclare global {\n  function makeSocket(): WebSocket;\n}\nexport function ping(sock: WebSocket): void {\n  for (const m of ['p']) sock.send(m);\n}\n");
    const joined = await asUncached(dir, cache);
    expect(loops(joined)).toEqual(['src/client.ts:3 ws none', 'src/global.ts:6 ws none']);
    expect(joined.cache).toMatchObject({ hits: 0, misses: 2 });
  }, 60_000);

  it('the whole report is not reused once a file that can ask is governed by another config', async () => {
    const user = "export async function pump(): Promise<void> {\n  const sock = makeSocket();\n  for (const m of ['a']) sock.send(m);\n}\n";
    const global = "import WebSocket from 'ws';\ndeclare global {\n  function makeSocket(): WebSocket;\n}\nexport function ping(sock: WebSocket): void {\n  for (const m of ['p']) sock.send(m);\n}\n";
    const { dir, cache, write } = await project({ 'tsconfig.json': TSCONFIG, 'src/client.ts': user, 'src/g/global.ts': global });
    expect(loops(await asUncached(dir, cache))).toEqual(['src/client.ts:3 ws none', 'src/g/global.ts:6 ws none']);
    await asUncached(dir, cache);
    expect((await asUncached(dir, cache)).cache).toMatchObject({ hits: 2, misses: 0, report: true });
    // global.ts never asked, but it is a root of client.ts's program: under its own config it is not.
    write('src/g/tsconfig.json', TSCONFIG);
    const moved = await asUncached(dir, cache);
    expect(moved.cache).toMatchObject({ report: false });
    expect(loops(moved)).toEqual(['src/g/global.ts:6 ws none']);
  }, 60_000);

  it('--staged: a root committed meanwhile leaves the program (same content, no longer staged): analysed again', async () => {
    const user = "export async function pump(): Promise<void> {\n  const sock = makeSocket();\n  for (const m of ['a']) sock.send(m);\n}\n";
    const global = "import WebSocket from 'ws';\ndeclare global {\n  function makeSocket(): WebSocket;\n}\nexport function ping(sock: WebSocket): void {\n  for (const m of ['p']) sock.send(m);\n}\n";
    const repo = gitRepo({ 'tsconfig.json': TSCONFIG, 'src/client.ts': '// soon\n', 'src/global.ts': '// soon\n' }, repos);
    symlinkSync(path.resolve(__dirname, '../node_modules'), path.join(repo, 'node_modules'), 'dir');
    writeFileSync(path.join(repo, 'src/client.ts'), user);
    writeFileSync(path.join(repo, 'src/global.ts'), global);
    git(repo, 'add', 'src');
    await sleep(2100);
    const cache = path.join(repo, '.cache-dir');
    const staged = async (): Promise<RunResult> => {
      const cached = await run({ cwd: repo, paths: ['.'], staged: true, cache });
      expect(comparable(cached)).toEqual(comparable(await run({ cwd: repo, paths: ['.'], staged: true })));
      return cached;
    };
    expect(loops(await staged())).toEqual(['src/client.ts:3 ws none', 'src/global.ts:6 ws none']);
    expect((await staged()).cache).toMatchObject({ hits: 2, misses: 0 });
    // global.ts committed: its staged text is the same, but it is no longer scanned (no root).
    git(repo, 'commit', '-q', '-m', 'global', '--', 'src/global.ts');
    const after = await staged();
    expect(after.cache).toMatchObject({ hits: 0, misses: 1 });
    expect(loops(after)).toEqual([]);
  }, 60_000);

  it('the repository root moving up (git init above): a file that found no tsconfig.json below the old root is analysed again', async () => {
    const { dir, write } = await project({ 'tsconfig.json': TSCONFIG, 'types/sock.d.ts': SOCK_WS, 'app/src/client.ts': CLIENT.replace("'../types/sock.js'", "'../../types/sock.js'") });
    const cwd = path.join(dir, 'app');
    const cache = path.join(dir, '.cache-dir');
    const scan = async (): Promise<RunResult> => {
      const cached = await run({ cwd, paths: ['src'], cache });
      expect(comparable(cached)).toEqual(comparable(await run({ cwd, paths: ['src'] })));
      return cached;
    };
    // No repository: the search stops at the working directory, below the tsconfig.json.
    expect(loops(await scan())).toEqual([]);
    expect((await scan()).cache).toMatchObject({ hits: 1, misses: 0 });
    git(dir, 'init', '-q');
    write('.gitignore', '.cache-dir\n');
    expect(loops(await scan())).toEqual(['src/client.ts:4 ws none']);
  }, 60_000);

  it('--project: a config broken since the last run is a usage error even where every result is reused', async () => {
    const placed = "import WebSocket from 'ws';\nconst ws = new WebSocket('ws://x');\nexport function pump(): void {\n  for (const m of ['a']) ws.send(m);\n}\n";
    const { dir, cache, write } = await project({ 'tsconfig.json': TSCONFIG, 'src/placed.ts': placed });
    await run({ cwd: dir, paths: ['src'], cache, project: 'tsconfig.json' });
    expect((await run({ cwd: dir, paths: ['src'], cache, project: 'tsconfig.json' })).cache).toMatchObject({ hits: 1, misses: 0 });
    write('tsconfig.json', '{ "compilerOptions": {');
    await expect(run({ cwd: dir, paths: ['src'], project: 'tsconfig.json' })).rejects.toThrow(/--project tsconfig.json: /);
    await expect(run({ cwd: dir, paths: ['src'], cache, project: 'tsconfig.json' })).rejects.toThrow(/--project tsconfig.json: /);
  }, 60_000);

  it('a program dropped and built again (three configs, two alive): its answers are kept all the same', async () => {
    // The socket's type named from another module: answering reads more files (how to print
    // `import("ws")`) after the program is built.
    const deeper = CLIENT.replace("'../types/sock.js'", "'../../types/sock.js'");
    const { dir, cache } = await project({ 'tsconfig.json': TSCONFIG, 'types/sock.d.ts': SOCK_WS, 'src/a.ts': CLIENT, 'src/m/tsconfig.json': TSCONFIG, 'src/m/x.ts': deeper, 'src/n/tsconfig.json': TSCONFIG, 'src/n/y.ts': deeper, 'src/z.ts': CLIENT });
    const scan = async (): Promise<RunResult> => {
      const cached = await run({ cwd: dir, paths: ['src'], cache, jobs: 1 });
      expect(comparable(cached)).toEqual(comparable(await run({ cwd: dir, paths: ['src'], jobs: 1 })));
      return cached;
    };
    expect(loops(await scan())).toHaveLength(4);
    expect((await scan()).cache).toMatchObject({ hits: 4, misses: 0 });
  }, 60_000);

  it('a tsconfig.json that is not used gives its note on every run, reused or not, where a file asks', async () => {
    const asks = "export async function pump(make: () => any): Promise<void> {\n  const sock = make();\n  for (const m of ['a']) sock.send(m);\n}\n";
    // This one's receiver is placed by its import: it never asks, so the broken config says nothing of it.
    const placed = "import WebSocket from 'ws';\nconst ws = new WebSocket('ws://x');\nexport function pump(): void {\n  for (const m of ['a']) ws.send(m);\n}\n";
    const { dir, cache } = await project({ 'src/a/tsconfig.json': '{ "extends": "./missing.json" }', 'src/a/asks.ts': asks, 'src/b/tsconfig.json': '{', 'src/b/placed.ts': placed });
    const note = 'a/tsconfig.json: not used';
    const cold = await asUncached(dir, cache);
    const warm = await asUncached(dir, cache);
    expect(warm.cache).toMatchObject({ hits: 2, misses: 0 });
    for (const r of [cold, warm]) {
      expect(r.notes).toHaveLength(1);
      expect(r.notes[0]).toContain(`src/${note}`);
    }
  }, 60_000);
});
