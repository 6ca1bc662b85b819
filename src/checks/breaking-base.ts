// What the breaking row asks git and the file system before it needs any file's content: where
// each file lies in the repository and what the base holds. `run` starts it as soon as the files
// are named, so git answers while they are read: a warm re-scan of 5,000 files otherwise waits
// ~0.3 s at the end for `cat-file --batch-check`.
import { lstatSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { blobIdsAt, filesAtCommit, resolveRef, showFiles } from '../engine/git.js';
import { leadsOut } from '../paths.js';
import type { BreakingFile } from './breaking.js';

export type Located = { file: BreakingFile; rel: string | null };

/** Up to this many files, fetching every one in one process beats asking for ids first (a pre-commit run). */
const FETCH_ALL_UP_TO = 64;

/** git's answers about the base, for files named by their path from the root. */
export interface BaseQuery {
  commit: string | null;
  /** Up to FETCH_ALL_UP_TO files: each one's content at the base (null: not there). */
  contents: Map<string, string | null> | null;
  /** More: each file's blob id at the base (null: not there or not a blob); null when git failed. */
  ids: Map<string, string | null> | null;
}

/** A lookup started early for these files (absolute paths), against `ref` in `root`. */
export interface BaseLookup {
  root: string;
  ref: string;
  absPaths: ReadonlySet<string>;
  answer: Promise<{ rels: Map<string, string | null>; query: BaseQuery }>;
}

/**
 * Each file's path relative to the repository root (`/`-separated), null when it lies outside.
 * `known`: real paths the walk already resolved (discover.ts), used as they are.
 */
async function relPaths(root: string, absPaths: readonly string[], known?: ReadonlyMap<string, string>): Promise<Map<string, string | null>> {
  // git reports the root with symlinks resolved (/tmp → /private/tmp): resolve ours too.
  const realRoot = await realpath(root).catch(() => root);
  const rootPrefix = realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep;
  // One realpath per directory: a file that is not itself a symlink resolves through its
  // directory (5,000 realpath calls cost ~0.1 s of CPU; an lstat each is ~10 ms).
  const dirs = new Map<string, Promise<string>>();
  const realDir = (dir: string): Promise<string> => {
    let p = dirs.get(dir);
    if (!p) {
      p = realpath(dir).catch(() => dir);
      dirs.set(dir, p);
    }
    return p;
  };
  const rels = await Promise.all(
    absPaths.map(async (absPath) => {
      const real = known?.get(absPath);
      const linked = (() => {
        if (real !== undefined) return false;
        try {
          return lstatSync(absPath).isSymbolicLink();
        } catch {
          return false;
        }
      })();
      const viaDir = async (): Promise<string> => path.join(await realDir(path.dirname(absPath)), path.basename(absPath));
      const abs = real ?? (linked ? await realpath(absPath).catch(viaDir) : await viaDir());
      // Below the root, the path's tail is its relative path (path.relative costs ~10 µs a file).
      const rel = abs.startsWith(rootPrefix) ? abs.slice(rootPrefix.length) : path.relative(realRoot, abs);
      const outside = rel === '' || leadsOut(rel);
      return [absPath, outside ? null : rel.split(path.sep).join('/')] as const;
    }),
  );
  return new Map(rels);
}

/** What git holds at `ref` for these paths: contents for a few, blob ids for many. */
async function queryBase(root: string, ref: string, rels: readonly (string | null)[]): Promise<BaseQuery> {
  const named = rels.filter((r): r is string => r !== null);
  if (rels.length <= FETCH_ALL_UP_TO) {
    const { commit, files } = await filesAtCommit(root, ref, named);
    return { commit, contents: files, ids: null };
  }
  const commit = await resolveRef(root, ref);
  if (commit === null) return { commit, contents: null, ids: new Map() };
  const asked = named.filter((r) => !/[\n\r]/.test(r));
  return { commit, contents: null, ids: await blobIdsAt(root, commit, asked) };
}

/** Starts the lookup now; its answer is awaited (and any error thrown) by `checkBreaking`. */
export function startBaseLookup(root: string, ref: string, absPaths: readonly string[], realPaths?: ReadonlyMap<string, string>): BaseLookup {
  const answer = relPaths(root, absPaths, realPaths).then(async (rels) => ({ rels, query: await queryBase(root, ref, absPaths.map((a) => rels.get(a) ?? null)) }));
  // Not awaited until the checks run: an early failure must not count as unhandled meanwhile.
  answer.catch(() => {});
  return { root, ref, absPaths: new Set(absPaths), answer };
}

/** The lookup's answer when it was asked for exactly these files in this root against this ref, else a fresh one. */
export async function lookupFor(root: string, ref: string, files: readonly BreakingFile[], early: BaseLookup | undefined): Promise<{ located: Located[]; query: BaseQuery }> {
  const fits = early !== undefined && early.root === root && early.ref === ref && early.absPaths.size === files.length && files.every((f) => early.absPaths.has(f.absPath));
  const { rels, query } = await (fits ? early.answer : startBaseLookup(root, ref, files.map((f) => f.absPath)).answer);
  return { located: files.map((file) => ({ file, rel: rels.get(file.absPath) ?? null })), query };
}

/**
 * The base commit, the files that may differ from it and their content there. With blob ids
 * (a full scan, most files untouched) a file git holds byte for byte at the base cannot break
 * anything and is not fetched; nor is one new since the base.
 */
export async function atBaseOf(root: string, located: Located[], query: BaseQuery): Promise<{ commit: string | null; changed: Located[]; atBase: Map<string, string | null> }> {
  const { commit } = query;
  if (query.contents !== null) return { commit, changed: located, atBase: query.contents };
  if (commit === null) return { commit, changed: [], atBase: new Map() };
  // rel → true: unchanged at the base; false: not there (new); absent: differs, fetch it.
  const unchanged = new Map<string, boolean>();
  if (query.ids !== null) {
    for (const { file, rel } of located) {
      if (rel === null || !query.ids.has(rel)) continue;
      const id = query.ids.get(rel) ?? null;
      if (id === null) unchanged.set(rel, false);
      else if (id === file.blob()) unchanged.set(rel, true);
    }
  }
  const changed = located.filter((p) => p.rel === null || unchanged.get(p.rel) !== true);
  const atBase = await showFiles(root, commit, changed.flatMap((p) => (p.rel === null || unchanged.has(p.rel) ? [] : [p.rel])));
  return { commit, changed, atBase };
}
