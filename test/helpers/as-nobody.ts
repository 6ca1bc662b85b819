// Running the CLI as another user (`nobody`), for what root may always do (write a read-only
// file, read a 000 one): tests run as root in CI's container. `nobody` must reach the CLI, which a
// checkout under a private directory (`/root/…`, `mktemp -d`) does not allow: then the built CLI
// and its node_modules are copied once into a world-readable temp directory (removed at exit).
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN } from './cli.js';

export const NOBODY = 65534;
export const isRoot = process.getuid?.() === 0;

const REPO = path.resolve(path.dirname(BIN), '..');
let reachable: string | null = null;

/** Whether `nobody` can read `file` (every directory above it traversable). */
function nobodyReads(file: string): boolean {
  return spawnSync(process.execPath, ['-e', 'require("fs").accessSync(process.argv[1], require("fs").constants.R_OK)', file], { uid: NOBODY, gid: NOBODY }).status === 0;
}

/** The CLI's path as `nobody` can run it. */
function nobodyBin(): string {
  if (reachable !== null) return reachable;
  if (nobodyReads(BIN)) return (reachable = BIN);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-nobody-cli-'));
  chmodSync(dir, 0o755);
  for (const part of ['bin', 'dist', 'node_modules', 'package.json']) cpSync(path.join(REPO, part), path.join(dir, part), { recursive: true });
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return (reachable = path.join(dir, 'bin', path.basename(BIN)));
}

/** Runs the CLI in `cwd` as `nobody` when the tests run as root, else as this user (who is not root either). */
export function cliAsNobody(args: string[], cwd: string): SpawnSyncReturns<string> {
  const bin = isRoot ? nobodyBin() : BIN;
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', ...(isRoot ? { uid: NOBODY, gid: NOBODY } : {}), env: { ...process.env, NO_COLOR: '1' } });
}
