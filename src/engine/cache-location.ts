// Where the result cache lives (issue #8): outside the scanned repository, like Ruff's and
// mypy's caches are not — so that nothing needs adding to .gitignore — one shard per scan root.
import { hash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

/** `$HANDSHAKE_GUARD_CACHE_DIR`, else `$XDG_CACHE_HOME/handshake-guard`, else `~/.cache/handshake-guard`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const own = env['HANDSHAKE_GUARD_CACHE_DIR'];
  if (own) return path.resolve(own);
  const xdg = env['XDG_CACHE_HOME'];
  // XDG: a relative value is invalid and must be ignored.
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'handshake-guard');
  return path.join(os.homedir(), '.cache', 'handshake-guard');
}

export interface ShardKey {
  /** Paths and the working directory, absolute: results name files relative to the cwd. */
  cwd: string;
  roots: string[];
  /** `tree`, `staged` or `base`: a pre-commit run must not evict a full scan's entries. */
  mode: string;
}

/** The shard file of a scan: one per (cwd, scanned roots, mode), named by a hash of them. */
export function shardFile(dir: string, key: ShardKey): string {
  const id = hash('sha1', JSON.stringify([key.cwd, [...key.roots].sort(), key.mode]), 'hex').slice(0, 20);
  return path.join(dir, `scan-${id}.bin`);
}
