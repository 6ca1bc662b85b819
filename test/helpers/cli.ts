// Runs the built binary, as users do. `npm test` builds first.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect } from 'vitest';
import type { Report } from '../../src/model.js';

export const BIN = path.resolve(__dirname, '../../bin/handshake-guard.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], cwd: string, env: Record<string, string | undefined> = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, GITHUB_ACTIONS: undefined, ...env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI with `--format json`: its exit code, report and stderr (which must hold no internal error). */
export function cliJson(args: string[], cwd: string): { code: number; report: Report; stderr: string } {
  const r = cli([...args, '--format', 'json'], cwd);
  expect(r.stderr).not.toContain('internal error');
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

// Every tree made by a test file is removed after that file's last test (vitest imports this
// module afresh for each test file, so the hook is registered once per file).
const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A test that left a directory unreadable keeps its tree; it is only a temp dir.
    }
  }
});

/** A temp directory with the given files (string or raw bytes), removed after the test file. */
export function tempTree(files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-cli-'));
  made.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  return dir;
}
