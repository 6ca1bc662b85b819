// Which git repository a run judges (the breaking row, --staged, --base, the CI formats' file
// names): the working directory's, unless the scanned paths lie in another one — outside it
// (`verify ../service`, or from a directory in no repository) or in a repository nested inside it
// (a submodule, a vendored checkout) — and share that one.
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { repositoryOf } from './discover.js';
import { sharedRepository } from './git.js';

export type Repository = { root: string; head: string | null };

/** A scanned path's directory (a file's own directory). */
export function directoryOf(p: string): string {
  return statSync(p, { throwIfNoEntry: false })?.isDirectory() ? p : path.dirname(p);
}

function sameDir(a: string, b: string): boolean {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  return a === b || real(a) === real(b);
}

/**
 * `ofCwd` (the working directory's repository, or null) when every scanned directory's nearest
 * `.git` is its root — a few stat calls, no git process on a hook's path —, else the one
 * repository all the directories share (null: none, or several).
 */
export async function scanRepository(ofCwd: Repository | null, dirs: readonly string[]): Promise<Repository | null> {
  if (ofCwd) {
    // Once per directory: pre-commit may name thousands of files.
    const nearest = await Promise.all([...new Set(dirs)].map((d) => repositoryOf(d)));
    if (nearest.every((n) => sameDir(n, ofCwd.root))) return ofCwd;
  }
  return (await sharedRepository(dirs)) ?? ofCwd;
}
