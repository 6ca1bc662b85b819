// The result cache is on by default and lives in ~/.cache: tests must never write there. Every
// test (and every CLI it spawns, which inherits the environment) gets a temporary cache
// directory; the run fails if the real default directory gained a file while tests ran.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultCacheDir } from '../../src/engine/cache-location.js';

function listing(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

export default function setup(): () => void {
  const real = defaultCacheDir({ ...process.env, HANDSHAKE_GUARD_CACHE_DIR: undefined });
  const before = new Set(listing(real));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hg-test-cache-'));
  process.env['HANDSHAKE_GUARD_CACHE_DIR'] = tmp;
  return () => {
    rmSync(tmp, { recursive: true, force: true });
    const added = listing(real).filter((f) => !before.has(f));
    if (added.length > 0) throw new Error(`tests wrote to the real cache directory ${real}: ${added.join(', ')}`);
  };
}
