// Where a report goes when its reader or its file is not an ordinary one: a pipe closed early
// (`scan | head`), a full device, a FIFO or a symlink named with -o, a directory, a missing one.
// Never a stack trace, never a temp file left, never a special file replaced by a regular one.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, lstatSync, openSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cli, tempTree } from './helpers/cli.js';
import { UNGUARDED } from './helpers/git.js';

const env = { ...process.env, CI: 'true', NO_COLOR: '1' };

/** Runs the CLI with stdout going where `stdout` says; resolves with its exit code and stderr. */
function run(args: string[], cwd: string, stdout: 'close-at-once' | number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', stdout === 'close-at-once' ? 'pipe' : stdout, 'pipe'] });
    // The reader goes away before the report is written: its write meets a closed pipe (EPIPE).
    if (stdout === 'close-at-once') child.stdout?.destroy();
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('the report on stdout', () => {
  it('a reader that goes away early (scan | head): no stack trace, the run’s own exit code', async () => {
    const dir = tempTree({ 'app/ws.py': UNGUARDED });
    for (const format of ['text', 'json']) {
      const r = await run(['scan', '--format', format, '.'], dir, 'close-at-once');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1); // an unguarded loop: the gate's answer, not a crash
    }
  });

  it.skipIf(!existsSync('/dev/full'))('stdout on a full device: one line, exit 2', async () => {
    const dir = tempTree({ 'app/ws.py': UNGUARDED });
    const fd = openSync('/dev/full', 'w');
    try {
      const r = await run(['scan', '.'], dir, fd);
      expect(r.stderr).toBe('handshake-guard: cannot write the report to stdout: no space left on device\n');
      expect(r.code).toBe(2);
    } finally {
      closeSync(fd);
    }
  });
});

describe('-o FILE', () => {
  it('a symlink: the file it points to gets the report, the link stays; an existing report keeps its mode', () => {
    const dir = tempTree({ 'app/ws.py': UNGUARDED, 'reports/real.json': 'old\n' });
    chmodSync(path.join(dir, 'reports/real.json'), 0o600);
    symlinkSync('reports/real.json', path.join(dir, 'link.json'));
    const r = cli(['scan', '--format', 'json', '-o', 'link.json', '.'], dir);
    expect(r.code).toBe(1);
    expect(lstatSync(path.join(dir, 'link.json')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dir, 'reports/real.json'), 'utf8')).summary.loops).toBe(1);
    expect(statSync(path.join(dir, 'reports/real.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.join(dir, 'reports'))).toEqual(['real.json']);
  });

  it('a FIFO: written to, as a shell redirection would, and still a FIFO afterwards', async () => {
    const dir = tempTree({ 'app/ws.py': UNGUARDED });
    const fifo = path.join(dir, 'report.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // A reader on the FIFO; before, the report was renamed over it and the reader waited forever.
    const reader = spawn('cat', [fifo]);
    let read = '';
    reader.stdout.on('data', (d: Buffer) => (read += d.toString()));
    const readerDone = new Promise<void>((resolve) => reader.on('close', () => resolve()));
    const r = cli(['scan', '--format', 'json', '-o', fifo, '.'], dir);
    const timer = setTimeout(() => reader.kill(), 10_000);
    await readerDone;
    clearTimeout(timer);
    expect(r.code).toBe(1);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(JSON.parse(read).summary.loops).toBe(1);
  });

  it('a directory, or one that does not exist: one line, exit 2, no temp file left', () => {
    const dir = tempTree({ 'app/ws.py': UNGUARDED, 'out/keep.txt': 'x\n' });
    const intoDir = cli(['scan', '-o', 'out', '.'], dir);
    expect(intoDir.stderr).toBe('handshake-guard: cannot write out: is a directory\n');
    expect(intoDir.code).toBe(2);
    const missing = cli(['scan', '-o', 'nowhere/r.txt', '.'], dir);
    expect(missing.stderr).toBe('handshake-guard: cannot write nowhere/r.txt: no such directory\n');
    expect(missing.code).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(['app', 'out']);
    expect(readdirSync(path.join(dir, 'out'))).toEqual(['keep.txt']);
  });

  it('a regular file: replaced whole', () => {
    const dir = tempTree({ 'app/ws.py': UNGUARDED });
    writeFileSync(path.join(dir, 'r.json'), 'x'.repeat(100_000));
    const r = cli(['scan', '--format', 'json', '-o', 'r.json', '.'], dir);
    expect(r.code).toBe(1);
    expect(JSON.parse(readFileSync(path.join(dir, 'r.json'), 'utf8')).summary.loops).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['app', 'r.json']);
  });
});
