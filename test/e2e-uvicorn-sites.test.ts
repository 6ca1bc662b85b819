// Where the Python guard goes matters at runtime (SPEC §8): fixed apps run under uvicorn with a
// real websockets client (test/e2e/sites/client.py), and the app closes the socket itself.
// - own_check_app: the loop's own state check (which records why it left) stays the fallback;
//   a guard in front of it left first and `finally` closed the socket twice (RuntimeError).
// - nested_app: the message loop is nested in a loop that goes on with the same socket; a guard
//   whose `break` left only the inner loop let the outer one send on the closed socket.
// - local_shadow_app: the endpoint assigns `time` later in its loop (and rebinds `logger`); the
//   guard's `time.monotonic()` read that local and raised UnboundLocalError on the first message.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { freePort, PYTHON, startUvicorn } from './helpers/uvicorn.js';

const HERE = path.resolve(__dirname, 'e2e/sites');
const children: ChildProcess[] = [];
const temps: string[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

async function fixAndServe(app: string, messages: string[], left: RegExp): Promise<{ fixed: string; answers: string[]; closed: number | null; output: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-e2e-sites-'));
  temps.push(dir);
  for (const f of readdirSync(HERE)) copyFileSync(path.join(HERE, f), path.join(dir, f));
  const fixed = cli(['fix', '--write', `${app}.py`], dir);
  expect(fixed.stdout).toContain('1 loop fixed in 1 file.');
  expect(cli(['verify', `${app}.py`], dir).code).toBe(0);
  const port = await freePort();
  const server = await startUvicorn(dir, app, port, children);
  const client = spawnSync(PYTHON, ['client.py', String(port), ...messages], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  expect(client.status, client.stderr).toBe(0);
  const started = Date.now();
  while (!left.test(server.output()) && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 50));
  const result = JSON.parse(client.stdout) as { answers: string[]; closed: number | null };
  return { fixed: readFileSync(path.join(dir, `${app}.py`), 'utf8'), ...result, output: server.output() };
}

describe('fixed apps whose guard site matters, under uvicorn with a real client', () => {
  it("waits before the loop's own state check, which stays the fallback: no double close", async () => {
    const check = spawnSync(PYTHON, ['-c', 'import fastapi, uvicorn, websockets'], { encoding: 'utf8' });
    expect(check.status, `Debian's python3-fastapi, python3-uvicorn and python3-websockets are needed:\n${check.stderr}`).toBe(0);
    const r = await fixAndServe('own_check_app', ['a', 'b', 'bye'], /LEFT/);
    // The wait sits right before the app's check; no second re-check of the guard's own.
    expect(r.fixed).toMatch(/await asyncio\.sleep\(0\.01\)\n {12}if websocket\.application_state != WebSocketState\.CONNECTED:\n {16}was_disconnected = True/);
    expect(r.answers).toEqual(['echo:a', 'echo:b']);
    expect(r.closed).toBe(1000);
    expect(r.output).toContain('LEFT was_disconnected=True');
    expect(r.output).not.toMatch(/Traceback|RuntimeError|handshake not complete/);
  }, 60_000);

  it('leaves the outer loop too when the message loop is nested in one that keeps the socket', async () => {
    const r = await fixAndServe('nested_app', ['a', 'b', 'c', 'd', 'bye', 'e'], /LEFT/);
    expect(r.answers).toEqual(['a,b,c']);
    expect(r.closed).toBe(1000);
    expect(r.output).toContain('LEFT outer loop');
    expect(r.output).not.toMatch(/Traceback|RuntimeError|handshake not complete/);
  }, 60_000);

  it('reads the clock and logger the endpoint does not rebind: no UnboundLocalError', async () => {
    const r = await fixAndServe('local_shadow_app', ['a', 'b', 'bye'], /LEFT/);
    expect(r.fixed).toContain('import time as _hg_time');
    expect(r.fixed).toContain('_hg_logger = logger');
    expect(r.answers).toEqual(['echo:a', 'echo:b']);
    expect(r.closed).toBe(1000);
    expect(r.output).toContain('LEFT endpoint True');
    expect(r.output).not.toMatch(/Traceback|UnboundLocalError|handshake not complete/);
  }, 60_000);
});
