// Where a readyState wait would change what TS/JS code does instead of making it safe: the loops
// `fix` leaves alone, with the reason it prints, and the logger it will not call `.warn` on. The
// fixed results are the snapshots in fixtures/typescript/fix (typescript-fix.test.ts); this file
// states each outcome exactly.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFix } from '../src/fix/fix.js';
import { typeCheck } from '../src/fix/ts-typecheck.js';

const FIXTURES = path.resolve(__dirname, '../fixtures/typescript/fix');
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-ts-unsafe-'));
  temps.push(dir);
  return dir;
}

/** `fix` (dry run) over a copy of a fixture case (a file, or a directory with its tsconfig): one line per loop. */
async function outcomesOf(fixture: string): Promise<string[]> {
  const dir = tempDir();
  const source = path.join(FIXTURES, fixture);
  cpSync(source, path.join(dir, fixture), { recursive: true, filter: (f) => !/\.fixed\./.test(f) });
  const root = statSync(source).isDirectory() ? path.join(dir, fixture) : dir;
  const paths = statSync(source).isDirectory() ? readdirSync(root).filter((f) => /\.[cm]?[jt]sx?$/.test(f)) : [fixture];
  const result = await runFix({ cwd: root, paths, write: false, upgrade: false });
  expect(result.files.map((f) => f.refused)).toEqual(result.files.map(() => null));
  return result.files.flatMap((f) => f.outcomes.map((o) => `${o.loop.span.start.line} ${o.loop.function}: ${o.skipped ?? o.action}`));
}

describe('TS fix: loops where a wait would change the code', () => {
  it('an optional-chained send (`this.ws?.send`): a no-op before connect(), which a guard would make throw', async () => {
    expect(await outcomesOf('optional_chain_send.mjs')).toEqual([
      '13 Feed.publish: the send `this.ws?.send` is optional-chained: where `this.ws` is null or undefined the loop does nothing, and a guard reading its readyState would throw; guard it by hand',
      '17 Feed.flush: insert',
    ]);
  }, 60_000);

  it('a Deno.upgradeWebSocket socket before the response is returned (HG013): a wait there can only time out', async () => {
    // The loops at 5 and 11 are HG013's alone (one problem, one finding: no HG001 beside it); fix
    // lists them with the reason no wait goes there.
    const hg013 = (line: number): string =>
      `HG013 (line ${line}): the socket opens only after the upgrade handler returns its response, so a wait here would never see it open; send from \`socket.onopen\` (or after the response is returned) instead`;
    expect(await outcomesOf('deno_upgrade_handler')).toEqual([`5 <callback>: ${hg013(5)}`, `11 greet: ${hg013(12)}`, '19 relay: insert']);
  }, 60_000);

  it('a Cloudflare server end used before accept() (HG012): no wait opens it; the reason names the call that does', async () => {
    expect(await outcomesOf('cloudflare_accept_missing.ts')).toEqual([
      '8 fetch: HG012 (line 9): the server end is used before `accept()`, which no wait replaces; call `server.accept()` (or `ctx.acceptWebSocket(server)`) before it',
    ]);
  }, 60_000);

  it("a TS function that returns a value: the guard's bare `return;` would return undefined, which its type does not include", async () => {
    expect(await outcomesOf('value_return_callback')).toEqual([
      "5 <callback>: <callback> returns a value (line 6): the guard's `return;` on timeout would make it return undefined, which its return type does not include; guard it by hand",
      '11 notify: insert',
      '17 openAndSend: insert',
    ]);
  }, 60_000);

  it('a socket the loop itself declares: out of scope for a guard before the loop', async () => {
    const reason = 'the socket `ws` is declared inside the loop, so a guard before the loop cannot read it; guard it by hand inside the loop';
    expect(await outcomesOf('socket_declared_in_loop.ts')).toEqual([`4 each: ${reason}`, `8 fanOut: ${reason}`, '16 flush: insert']);
  }, 60_000);
});

describe('TS fix: the type check sees what the tsconfig program sees', () => {
  const tsconfig = '{"compilerOptions":{"strict":true,"target":"es2022","lib":["es2022","dom"],"module":"esnext","moduleResolution":"bundler"}}';
  const before = `onSocket(async (url) => {\n  const ws = new WebSocket(url);\n  for (const m of ["a"]) ws.send(m);\n  return 2;\n});\nexport {};\n`;
  const after = before.replace('  for', '  if (ws.readyState !== ws.OPEN) {\n    return;\n  }\n  for');

  it("the project's own globals (its tsconfig: lib es2022, types [], a runtime.d.ts): no performance or setTimeout, so no guard", async () => {
    expect(await outcomesOf('project_globals')).toEqual(["3 pump: the fixed file has 3 more compiler diagnostics than before under its tsconfig.json; first: TS2304 Cannot find name 'performance'. (line 3)"]);
  }, 60_000);

  it('a declaration file only the tsconfig includes types the callback: the inserted `return;` is TS2345', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'tsconfig.json'), tsconfig);
    writeFileSync(path.join(dir, 'globals.d.ts'), 'declare function onSocket(handler: (url: string) => Promise<number>): void;\n');
    writeFileSync(path.join(dir, 'app.ts'), before);
    const file = path.join(dir, 'app.ts');
    expect(await typeCheck(() => path.join(dir, 'tsconfig.json')).noWorse(file, before, after)).toMatch(/^the fixed file has 1 more compiler diagnostic than before under its tsconfig\.json; first: TS2345 Argument of type '\(url: string\) => Promise<2 \| undefined>' is not assignable .*… \(line 1\)$/);
    // The file on its own (what the check saw before): onSocket is unknown before and after alike.
    expect(await typeCheck(() => null).noWorse(file, before, after)).toBeNull();
  }, 60_000);

  it('a JS file under a tsconfig without allowJs (outside its program) is checked on its own, not crashed on', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'tsconfig.json'), tsconfig);
    const js = `import WebSocket from 'ws';\nexport async function pump(url) {\n  const ws = new WebSocket(url);\n  ws.send('a');\n}\n`;
    writeFileSync(path.join(dir, 'a.mjs'), js);
    const check = typeCheck(() => path.join(dir, 'tsconfig.json'));
    expect(await check.noWorse(path.join(dir, 'a.mjs'), js, js.replace("  ws.send", "  await null;\n  ws.send"))).toBeNull();
    expect(await check.noWorse(path.join(dir, 'a.mjs'), js, js.replace('  ws.send', '  ws.send(;\n  ws.send'))).toMatch(/^the fixed file has \d+ more compiler diagnostics? than before; first: TS1005 '\)' expected\. \(line 4\)$/);
  }, 60_000);
});

describe('TS fix: the logger the guard warns through', () => {
  const loop = `export async function pump(url, messages) {\n  const ws = new WebSocket(url);\n  for (const m of messages) ws.send(m);\n}\n`;
  const warnLine = async (head: string, body = loop): Promise<string | undefined> => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(path.join(dir, 'a.mjs'), `import WebSocket from 'ws';\n${head}\n${body}`);
    const result = await runFix({ cwd: dir, paths: ['a.mjs'], write: false, upgrade: false });
    return /^\s*(\S+)\('WebSocket not open/m.exec(result.files[0]?.after ?? '')?.[1];
  };

  it('a name whose value is not surely a logger is not called: console.warn', async () => {
    expect(await warnLine(`const log = [];\nlog.push('start');`)).toBe('console.warn');
    expect(await warnLine(`import createDebug from 'debug';\nconst log = createDebug('app:ws');`)).toBe('console.warn');
    expect(await warnLine(`import { logger } from './logger.js';\nlogger.info('start');`)).toBe('console.warn');
    // Declared twice (a parameter shadows it): which one the guard would see is not sure.
    expect(await warnLine(`import pino from 'pino';\nconst logger = pino();`, loop.replace('(url, messages)', '(url, messages, logger)'))).toBe('console.warn');
  }, 60_000);

  it('a known logger, or a binding the module already calls .warn on, is reused', async () => {
    expect(await warnLine(`import pino from 'pino';\nconst appLog = pino();`)).toBe('appLog.warn');
    expect(await warnLine(`import winston from 'winston';\nconst logger = winston.createLogger({});`)).toBe('logger.warn');
    expect(await warnLine(`import { logger } from './logger.js';\nlogger.warn('start');`)).toBe('logger.warn');
    expect(await warnLine(`const LOGGER = console;`)).toBe('LOGGER.warn');
  }, 60_000);
});
