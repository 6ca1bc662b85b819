// Where a readyState wait would change what TS/JS code does instead of making it safe: the loops
// `fix` leaves alone, with the reason it prints, and the logger it will not call `.warn` on. The
// fixed results are the snapshots in fixtures/typescript/fix (typescript-fix.test.ts); this file
// states each outcome exactly.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFix } from '../src/fix/fix.js';

const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-ts-unsafe-'));
  temps.push(dir);
  return dir;
}

describe('TS fix: the logger the guard warns through', () => {
  const loop = `export async function pump(url, messages) {\n  const ws = new WebSocket(url);\n  for (const m of messages) ws.send(m);\n}\n`;
  const warnLine = async (head: string, body = loop): Promise<string | undefined> => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(path.join(dir, 'a.mjs'), `import WebSocket from 'ws';\n${head}\n${body}`);
    const result = await runFix({ cwd: dir, paths: ['a.mjs'], write: false, upgrade: false, placement: 'per-message' });
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
