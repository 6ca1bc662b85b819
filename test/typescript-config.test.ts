// Config `receiveMethods`, `connectionNames` and `guardHelpers` (SPEC §10) apply to TS/JS loops as
// to Python ones: each fixture of fixtures/typescript/config/ is scanned without and with its
// config, and the loop inventories show what the config changes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';

const DIR = path.resolve(__dirname, '../fixtures/typescript/config');
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

/** line function framework guard status receive confidence, per loop. */
async function inventory(file: string, config?: Record<string, unknown>): Promise<string[]> {
  let configPath: string | undefined;
  if (config) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-ts-config-'));
    temps.push(dir);
    configPath = path.join(dir, 'handshake-guard.config.json');
    writeFileSync(configPath, JSON.stringify(config));
  }
  const { report } = await run({ cwd: DIR, paths: [file], ...(configPath ? { configPath } : {}) });
  return report.loops.map((l) => `${l.line} ${l.function} ${l.framework} ${l.guard.kind} ${l.status} ${l.receive.call} ${l.confidence}`);
}

describe('TS/JS configuration', () => {
  it('receiveMethods: a configured receive makes a message loop and is evidence that the socket opened', async () => {
    expect(await inventory('receive_methods.ts')).toEqual([
      '9 echo ws none fail ws.send high',
      '25 relay ws none fail ws.send high',
    ]);
    expect(await inventory('receive_methods.ts', { receiveMethods: ['nextMessage', 'recvJson', 'messages'] })).toEqual([
      '9 echo ws framework pass ws.send high',
      '18 drain ws framework pass ws.recvJson() high',
      '25 relay ws framework pass messages(ws) high',
    ]);
  });

  it('connectionNames: defaults and configured names place untyped receivers of a WebSocket file, at low confidence', async () => {
    expect(await inventory('connection_names.cjs')).toEqual([
      '7 pump unknown none fail ws.send low',
      '23 onConnection ws framework pass ws.send low',
    ]);
    expect(await inventory('connection_names.cjs', { connectionNames: ['peer'] })).toEqual([
      '7 pump unknown none fail ws.send low',
      '12 relay unknown none fail peer.send low',
      '23 onConnection ws framework pass ws.send low',
    ]);
  });

  it('connectionNames: a file that never mentions WebSockets has no connections by name', async () => {
    expect(await inventory('no_websockets.js', { connectionNames: ['socket'] })).toEqual([]);
  });

  it('guardHelpers: a configured validation helper, by name or dotted path, with or without the socket, is a check guard', async () => {
    expect(await inventory('guard_helpers.ts', { require: 'check' })).toEqual([
      '10 byName ws none fail ws.send high',
      '14 byPath ws none fail ws.send high',
      '24 Feed.pump ws none fail this.ws.send high',
    ]);
    expect(await inventory('guard_helpers.ts', { require: 'check', guardHelpers: ['socketUsable', 'health.alive', 'linkOk'] })).toEqual([
      '10 byName ws check pass ws.send high',
      '14 byPath ws check pass ws.send high',
      '24 Feed.pump ws check pass this.ws.send high',
    ]);
  });
});
