// The modules an `export * from` of a changed TS/JS file names (and those a changed Python
// module imports a moved definition back from), read for the breaking row: at the base from
// git, now as the run reads files (the index's under `--staged`).
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { showFiles } from '../engine/git.js';
import type { ModuleReader } from '../languages/typescript/public-api.js';
import type { CompareOptions } from './breaking-api.js';
import type { BreakingFile } from './breaking.js';

export interface Modules {
  /** How a file at `rel` at the base (and `absPath` now; null: gone) reads the modules its `export * from` names. */
  stars(rel: string, absPath: string | null): CompareOptions;
}

/** Past this size a module named by `export * from` is not read from the disk (nor listed). */
const MODULE_BYTES = 4 << 20;

/**
 * Readers of the modules `export * from` names: at the base from git (each path asked once), now
 * as the run reads files. Paths at the base are relative to the root with `/`; now, absolute.
 */
export function moduleReaders(root: string, commit: string, files: readonly BreakingFile[], readSource: ((absPath: string) => string | null) | undefined): Modules {
  const atBase = new Map<string, Promise<string | null>>();
  const base: ModuleReader = async (from, candidates) => {
    const paths = candidates.map((c) => path.posix.normalize(path.posix.join(path.posix.dirname(from), c))).filter((p) => !p.startsWith('../') && p !== '..');
    const asked = paths.filter((p) => !atBase.has(p));
    if (asked.length > 0) {
      const fetched = showFiles(root, commit, asked);
      for (const p of asked) atBase.set(p, fetched.then((m) => m.get(p) ?? null));
    }
    for (const p of paths) {
      const text = await atBase.get(p);
      if (text !== null && text !== undefined) return { file: p, text };
    }
    return null;
  };
  const scanned = new Map(files.map((f) => [f.absPath, f]));
  const readNow = (absPath: string): string | null => {
    if (readSource) return readSource(absPath);
    const file = scanned.get(absPath);
    if (file) return file.read();
    try {
      const st = statSync(absPath);
      return st.isFile() && st.size <= MODULE_BYTES ? readFileSync(absPath, 'utf8') : null;
    } catch {
      return null;
    }
  };
  const head: ModuleReader = async (from, candidates) => {
    for (const c of candidates) {
      const absPath = path.resolve(path.dirname(from), c);
      const text = readNow(absPath);
      if (text !== null) return { file: absPath, text };
    }
    return null;
  };
  return { stars: (rel, absPath) => ({ root, stars: { base: { from: rel, read: base }, head: absPath === null ? null : { from: absPath, read: head } } }) };
}
