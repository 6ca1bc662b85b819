// The type-aware path (SPEC §3b): the nearest tsconfig.json above the TS/JS files turns it on
// (--project names one, --no-types turns it off); a socket the syntax cannot place (made by a
// factory, inferred) is typed by the checker; a server's client set stays framework; only the
// files that can hold a message loop (and what they import) are loaded; a broken tsconfig.json is
// a note and the syntax-only path.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';
import { mayAskTypes } from '../src/languages/typescript/type-router.js';
import { cli } from './helpers/cli.js';

const SOURCE = `import WebSocket, { WebSocketServer } from 'ws';

function make(url: string) {
  return new WebSocket(url);
}

export async function inferred(url: string): Promise<void> {
  const ws = make(url);
  for (const s of ['a', 'b']) ws.send(s);
}

export function broadcast(wss: WebSocketServer): void {
  for (const c of wss.clients) c.send('x');
}
`;
const TSCONFIG = JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', esModuleInterop: true, types: ['node'] }, include: ['**/*.ts'] });
const TYPED = [
  [9, 'inferred', 'ws', 'none', 'fail'],
  [13, 'broadcast', 'ws', 'framework', 'pass'],
];
// Without the checker the factory-made socket has no provenance; a server's client set is known by its syntax.
const SYNTAX_ONLY = [[13, 'broadcast', 'ws', 'framework', 'pass']];

const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

/** A directory with node_modules (for ws's types) and the given files. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-ts-project-'));
  temps.push(dir);
  symlinkSync(path.resolve(__dirname, '../node_modules'), path.join(dir, 'node_modules'), 'dir');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    if (text === '<dir>') mkdirSync(path.join(dir, name));
    else writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const rows = (loops: { line: number; function: string; framework: string; guard: { kind: string }; status: string }[]) =>
  loops.map((l) => [l.line, l.function, l.framework, l.guard.kind, l.status]);

describe('type-aware TS/JS', () => {
  it('a tsconfig.json found above the files is used without --project', async () => {
    const dir = project({ 'tsconfig.json': TSCONFIG, 'src/client.ts': SOURCE });
    const { report, notes } = await run({ cwd: dir, paths: ['src'] });
    expect(rows(report.loops)).toEqual(TYPED.map(([l, ...r]) => [l, ...r]));
    expect(report.findings.map((f) => `${f.ruleId}:${f.file}:${f.line}`)).toContain('HG001:src/client.ts:9');
    expect(notes).toEqual([]);
  }, 60_000);

  it('a solution-style tsconfig.json (an empty file list, references) is used for its options, not refused', async () => {
    const dir = project({ 'tsconfig.json': JSON.stringify({ files: [], references: [{ path: './tsconfig.app.json' }] }), 'client.ts': SOURCE });
    const { report, notes } = await run({ cwd: dir, paths: ['client.ts'] });
    expect(notes).toEqual([]);
    expect(rows(report.loops)).toEqual(TYPED);
  }, 60_000);

  it('--no-types: the syntax-only path, where a factory-made socket has no provenance', async () => {
    const dir = project({ 'tsconfig.json': TSCONFIG, 'client.ts': SOURCE });
    const { report } = await run({ cwd: dir, paths: ['client.ts'], types: false });
    expect(rows(report.loops)).toEqual(SYNTAX_ONLY);
  });

  it('--project names the tsconfig.json, wherever it is', async () => {
    const dir = project({ 'config/tsconfig.base.json': TSCONFIG, 'client.ts': SOURCE });
    const { report } = await run({ cwd: dir, paths: ['client.ts'], project: 'config/tsconfig.base.json' });
    expect(rows(report.loops)).toEqual(TYPED);
  }, 60_000);

  it('the nearest tsconfig.json wins, per file; none above the repository root is used', async () => {
    const outer = project({ 'tsconfig.json': TSCONFIG, 'repo/typed/tsconfig.json': TSCONFIG, 'repo/typed/client.ts': SOURCE, 'repo/plain/client.ts': SOURCE });
    symlinkSync(path.resolve(__dirname, '../node_modules'), path.join(outer, 'repo/node_modules'), 'dir');
    // Outside a git repository the working directory is the root: outer/tsconfig.json is above it.
    const { report } = await run({ cwd: path.join(outer, 'repo'), paths: ['.'] });
    expect(report.loops.map((l) => `${l.file}:${l.line}`)).toEqual(['plain/client.ts:13', 'typed/client.ts:9', 'typed/client.ts:13']);
  }, 60_000);

  it('a path outside the working directory\'s repository: its own repository\'s tsconfig.json is found', async () => {
    const service = project({ '.git/HEAD': 'ref: refs/heads/main\n', 'tsconfig.json': TSCONFIG, 'src/client.ts': SOURCE });
    const here = project({ '.git/HEAD': 'ref: refs/heads/main\n' });
    const { report } = await run({ cwd: here, paths: [path.join(service, 'src')] });
    expect(rows(report.loops)).toEqual(TYPED);
  }, 60_000);

  it('a monorepo: each package its own program, at most two alive, one dropped is rebuilt when asked again', async () => {
    const dir = project({
      'pkgs/tsconfig.json': TSCONFIG,
      'pkgs/w/client.ts': SOURCE,
      'pkgs/x/tsconfig.json': TSCONFIG,
      'pkgs/x/client.ts': SOURCE,
      'pkgs/y/tsconfig.json': TSCONFIG,
      'pkgs/y/client.ts': SOURCE,
      // pkgs/tsconfig.json again, after x and y pushed its program out.
      'pkgs/z/client.ts': SOURCE,
    });
    const { report, notes } = await run({ cwd: dir, paths: ['pkgs'] });
    expect(notes).toEqual([]);
    expect(report.loops.map((l) => `${l.file}:${l.line} ${l.guard.kind}`)).toEqual(
      ['w', 'x', 'y', 'z'].flatMap((p) => [`pkgs/${p}/client.ts:9 none`, `pkgs/${p}/client.ts:13 framework`]),
    );
  }, 60_000);

  it('a broken or unreadable tsconfig.json is a note and the syntax-only path, not a failure', async () => {
    const dir = project({
      'a/tsconfig.json': '{ "compilerOptions": { ',
      'a/client.ts': SOURCE,
      'b/tsconfig.json': '<dir>',
      'b/client.ts': SOURCE,
      'c/tsconfig.json': JSON.stringify({ extends: './missing.json' }),
      'c/client.ts': SOURCE,
    });
    const { report, notes } = await run({ cwd: dir, paths: ['.'] });
    expect(rows(report.loops)).toEqual([...SYNTAX_ONLY, ...SYNTAX_ONLY, ...SYNTAX_ONLY]);
    expect(notes).toHaveLength(3);
    for (const [i, d] of ['a', 'b', 'c'].entries()) expect(notes[i]).toMatch(new RegExp(`^${d}/tsconfig.json: not used \\(.+\\); TS/JS socket types from imports and provenance only$`));
  });

  it('--project: a missing or broken file, or --no-types beside it, is a usage error', async () => {
    const dir = project({ 'bad.json': '{', 'client.ts': SOURCE });
    await expect(run({ cwd: dir, paths: ['client.ts'], project: 'nope.json' })).rejects.toThrow(/--project: nope.json does not exist/);
    await expect(run({ cwd: dir, paths: ['client.ts'], project: 'bad.json' })).rejects.toThrow(/--project bad.json: /);
    await expect(run({ cwd: dir, paths: ['client.ts'], project: 'bad.json', types: false })).rejects.toThrow(/--no-types/);
  });

  it('loads only the files that can hold a loop and what they import, never the whole program', async () => {
    // A file the tsconfig includes, nested too deep for the compiler's recursion: loading the
    // whole program would fail on it; it holds no loop, so it is never a root.
    // (One level a line: on one line it would be a minified bundle, not analysed at all.)
    const deep = `export const x = ${'(\n'.repeat(20_000)}1${')'.repeat(20_000)};\n`;
    const dir = project({ 'tsconfig.json': TSCONFIG, 'client.ts': SOURCE, 'generated/deep.ts': deep });
    const { report, notes } = await run({ cwd: dir, paths: ['.'] });
    expect(rows(report.loops)).toEqual(TYPED);
    expect(notes).toEqual(['generated/deep.ts: nesting deeper than 500 levels: not analysed']);
  }, 60_000);

  it('a helper in another file types the socket through the import', async () => {
    const factory = `import WebSocket from 'ws';\nexport function connect(url: string) {\n  return new WebSocket(url);\n}\n`;
    const user = `import { connect } from './factory.js';\nexport async function run(url: string): Promise<void> {\n  const ws = connect(url);\n  for (const s of ['a']) ws.send(s);\n}\n`;
    const dir = project({ 'tsconfig.json': TSCONFIG, 'factory.ts': factory, 'user.ts': user });
    const { report } = await run({ cwd: dir, paths: ['user.ts'] });
    expect(rows(report.loops)).toEqual([[4, 'run', 'ws', 'none', 'fail']]);
    expect((await run({ cwd: dir, paths: ['user.ts'], types: false })).report.loops).toEqual([]);
  }, 60_000);

  it("a name (connectionNames) does not outweigh a type the checker knows and no WebSocket has (partykit's connections)", async () => {
    const room = `interface ConnectionManager {
  getConnections(): Iterable<{ id: string; send(m: string): void }>;
  accept(ws: WebSocket): void;
}
export class Room {
  connectionManager?: ConnectionManager;
  loose: any[] = [];
  stateful: { readyState: number; send(m: string): void }[] = [];
  broadcast = (msg: string) => {
    if (!this.connectionManager) return;
    for (const connection of this.connectionManager.getConnections()) connection.send(msg);
  };
  untyped(msg: string): void {
    for (const connection of this.loose) connection.send(msg);
  }
  withState(msg: string): void {
    for (const connection of this.stateful) connection.send(msg);
  }
}
`;
    const dir = project({ 'tsconfig.json': TSCONFIG, 'room.ts': room });
    const { report } = await run({ cwd: dir, paths: ['room.ts'] });
    // \`any\` says nothing, and a type with a readyState may be a socket: the name still places those.
    expect(rows(report.loops)).toEqual([
      [14, 'Room.untyped', 'unknown', 'none', 'fail'],
      [17, 'Room.withState', 'unknown', 'none', 'fail'],
    ]);
    // Without the checker nothing but the name places any of them (README: confidence low).
    const syntaxOnly = (await run({ cwd: dir, paths: ['room.ts'], types: false })).report.loops;
    expect(syntaxOnly.map((l) => [l.line, l.confidence])).toEqual([[11, 'low'], [14, 'low'], [17, 'low']]);
  }, 60_000);

  it('the CLI: a bad --project is one line on stderr and exit 2; a broken found tsconfig.json a note', () => {
    const dir = project({ 'tsconfig.json': '{', 'client.ts': SOURCE });
    for (const args of [['scan', '--project', 'tsconfig.json'], ['scan', '--project', 'nope.json'], ['verify', '--project', 'tsconfig.json', '--no-types']]) {
      const r = cli(args, dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^handshake-guard: .*(--project|--no-types)/);
    }
    const found = cli(['scan', '--format', 'json'], dir);
    expect(found.code).toBe(0);
    expect(found.stderr).toContain('note: tsconfig.json: not used (');
    expect(rows((JSON.parse(found.stdout) as { loops: Parameters<typeof rows>[0] }).loops)).toEqual(SYNTAX_ONLY);
  });

  it('the prefilter: a loop word and a send, a message event or a configured receive', () => {
    expect(mayAskTypes('for (const s of xs) ws.send(s)', [])).toBe(true);
    expect(mayAskTypes("while (x) await once(ws, 'message')", [])).toBe(true);
    expect(mayAskTypes('ws.send(s)', [])).toBe(false);
    expect(mayAskTypes('for (const s of xs) log(s)', [])).toBe(false);
    expect(mayAskTypes('do { await nextMessage(ws) } while (x)', ['nextMessage'])).toBe(true);
  });
});
