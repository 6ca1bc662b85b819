// It really works (SPEC §8): a FastAPI app fixed by `fix --write` runs under uvicorn (Debian's
// python3-fastapi / python3-uvicorn / python3-websockets, installed by .ci/run), a real WebSocket
// client gets every answer, and when the app closes the socket the guarded loop leaves at once.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';

// Debian's interpreter: the packages live in its dist-packages.
const PYTHON = '/usr/bin/python3';
const HERE = path.resolve(__dirname, 'e2e');
const children: ChildProcess[] = [];
const temps: string[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function startUvicorn(dir: string, port: number): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(PYTHON, ['-m', 'uvicorn', 'echo_app:app', '--host', '127.0.0.1', '--port', String(port)], { cwd: dir });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (/Uvicorn running/.test(out)) {
        clearInterval(poll);
        resolve({ child, output: () => out });
      } else if (child.exitCode !== null || Date.now() - started > 20_000) {
        clearInterval(poll);
        reject(new Error(`uvicorn did not start:\n${out}`));
      }
    }, 50);
  });
}

describe('a fixed FastAPI app under uvicorn with a real client', () => {
  it('answers every message, and leaves the loop at once when the app closes the socket', async () => {
    const check = spawnSync(PYTHON, ['-c', 'import fastapi, uvicorn, websockets'], { encoding: 'utf8' });
    expect(check.status, `Debian's python3-fastapi, python3-uvicorn and python3-websockets are needed:\n${check.stderr}`).toBe(0);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-e2e-'));
    temps.push(dir);
    copyFileSync(path.join(HERE, 'echo_app.py'), path.join(dir, 'echo_app.py'));
    copyFileSync(path.join(HERE, 'client.py'), path.join(dir, 'client.py'));

    const fixed = cli(['fix', '--write', 'echo_app.py'], dir);
    expect(fixed.stdout).toContain('1 loop fixed in 1 file.');
    expect(readFileSync(path.join(dir, 'echo_app.py'), 'utf8')).toContain('_hg_deadline = time.monotonic() + 3.0');
    expect(cli(['verify', 'echo_app.py'], dir).code).toBe(0);

    const port = await freePort();
    const server = await startUvicorn(dir, port);
    const client = spawnSync(PYTHON, ['client.py', String(port), '25'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(client.status, client.stderr).toBe(0);
    const result = JSON.parse(client.stdout) as { answers: string[]; closed: number | null };
    expect(result.answers).toEqual(Array.from({ length: 25 }, (_, i) => `echo:m${i}`));
    expect(result.closed).toBe(1000);

    // The app closed the socket: the guard sees DISCONNECTED and leaves, well within the 3 s bound.
    const started = Date.now();
    while (!/LEFT \d/.test(server.output()) && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 50));
    const left = /LEFT (\d+\.\d+)/.exec(server.output());
    expect(left, server.output()).not.toBeNull();
    expect(Number(left?.[1])).toBeLessThan(0.5);
    expect(server.output()).not.toMatch(/Traceback|RuntimeError/);
    // It left at once, without waiting: the "not complete after 3.0 s" warning would be false.
    expect(server.output()).not.toMatch(/handshake not complete/);
  }, 60_000);
});
