// The opt-in type-aware mode (`--project tsconfig.json`): a socket the syntax cannot place (made
// by a factory, inferred) is typed by the checker; a server's client set stays framework.
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';

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

const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

function project(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-ts-project-'));
  temps.push(dir);
  symlinkSync(path.resolve(__dirname, '../node_modules'), path.join(dir, 'node_modules'), 'dir');
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', esModuleInterop: true, types: ['node'] }, include: ['*.ts'] }));
  writeFileSync(path.join(dir, 'client.ts'), SOURCE);
  return dir;
}

describe('--project (type-aware TS/JS)', () => {
  it('finds nothing without the checker: a factory-made socket has no provenance', async () => {
    const dir = project();
    const { report } = await run({ cwd: dir, paths: ['client.ts'] });
    expect(report.loops).toEqual([]);
  });

  it('types the factory-made socket as a ws client, the server clients stay framework', async () => {
    const dir = project();
    const { report, loops } = await run({ cwd: dir, paths: ['client.ts'], project: 'tsconfig.json' });
    expect(report.loops.map((l) => [l.line, l.function, l.guard.kind, l.status])).toEqual([
      [9, 'inferred', 'none', 'fail'],
      [13, 'broadcast', 'framework', 'pass'],
    ]);
    expect(loops[0]?.guard.kind).toBe('none');
    expect(report.findings.map((f) => `${f.ruleId}:${f.line}`)).toContain('HG001:9');
  }, 60_000);

  it('a missing tsconfig is a usage error', async () => {
    const dir = project();
    await expect(run({ cwd: dir, paths: ['client.ts'], project: 'nope.json' })).rejects.toThrow(/--project/);
  });
});
