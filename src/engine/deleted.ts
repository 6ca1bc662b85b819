// Files the breaking row's base holds under the scanned paths that are gone now (SPEC §5: a
// deleted module removes every public name it had; a moved one, every import of its old path).
// A full scan asks one `git ls-tree` of the base; --staged and --base have them from git's diff
// (changes.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from '../config/types.js';
import type { LanguageId } from '../model.js';
import { leadsOut, toPosix } from '../paths.js';
import type { Fact } from './deps.js';
import { filterNamedFiles } from './discover.js';
import { pathsAt } from './git.js';

export interface DeletedFile {
  /** Display path, relative to the working directory. */
  file: string;
  absPath: string;
  language: LanguageId;
  /** Its path from the repository root, as the base names it. */
  rel: string;
}

/**
 * The files `ref` has below the scanned paths that the working tree no longer has, filtered as a
 * walk filters (languages, default-excluded directories, the config's include/exclude); and, for
 * the report memo, whether each such file not among the scanned ones exists (an `e` fact).
 */
export async function deletedSince(opts: {
  /** The repository root as git names it (git runs there). */
  root: string;
  /** The same root spelt from the working directory: the scanned files' absolute paths start with it. */
  spelledRoot: string;
  ref: string;
  cwd: string;
  /** The scanned paths, absolute. */
  scanned: readonly string[];
  /** The files the walk found (absolute): present, not deleted. */
  present: ReadonlySet<string>;
  config: ResolvedConfig;
}): Promise<{ files: DeletedFile[]; facts: Fact[] }> {
  const scopes = opts.scanned.flatMap((p) => {
    const rel = path.relative(opts.spelledRoot, p);
    return leadsOut(rel) ? [] : [toPosix(rel)];
  });
  if (scopes.length === 0) return { files: [], facts: [] };
  const listed = await pathsAt(opts.root, opts.ref, scopes);
  if (listed === null) return { files: [], facts: [] };
  const relOf = new Map<string, string>();
  for (const rel of listed) {
    const abs = path.join(opts.spelledRoot, ...rel.split('/'));
    if (!opts.present.has(abs)) relOf.set(abs, rel);
  }
  const files: DeletedFile[] = [];
  const facts: Fact[] = [];
  for (const d of deletedFrom(relOf, opts.cwd, opts.config)) {
    // As the memo's probe asks it (symlinks followed): a tracked file the walk skipped still exists.
    const exists = existsSync(d.absPath);
    facts.push(['e', d.absPath, exists ? '1' : '0']);
    if (!exists) files.push(d);
  }
  return { files, facts };
}

/** Of the base's files gone from the scan (absolute path → path from the root), those a walk would have scanned (languages, excludes). */
export function deletedFrom(gone: ReadonlyMap<string, string>, cwd: string, config: ResolvedConfig): DeletedFile[] {
  return filterNamedFiles([...gone.keys()], { cwd, config }).map((d) => ({ file: d.relPath, absPath: d.absPath, language: d.language, rel: gone.get(d.absPath) as string }));
}
