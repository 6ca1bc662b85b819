// Serving a FastAPI app with Debian's uvicorn on a free loopback port, for the e2e tests.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export const PYTHON = '/usr/bin/python3';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Starts `uvicorn <module>:app` in `dir`; the child goes into `children` for the caller to kill. */
export function startUvicorn(dir: string, module: string, port: number, children: ChildProcess[]): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(PYTHON, ['-m', 'uvicorn', `${module}:app`, '--host', '127.0.0.1', '--port', String(port)], { cwd: dir });
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
