// Diff-aware runs (SPEC §6): `--staged` gates the staged content of staged files, read from
// the git index rather than the working tree (so a partially staged file is judged by what
// will be committed); `--base REF` gates the files changed since the merge base with REF.
// Git names the files, so a 10,000-file repository is never walked for a 5-file commit.
import { existsSync, lstatSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedConfig } from '../config/types.js';
import { UsageError } from '../errors.js';
import { deletedFrom, type DeletedFile } from './deleted.js';
import { filterNamedFiles, languageOf, type DiscoveredFile } from './discover.js';
import {
  catFileBatch,
  changedFiles,
  gitRoot,
  indexEntries,
  indexEntriesSync,
  mergeBase,
  readBlobSync,
  requireRef,
  resolveRef,
  showFiles,
  stagedChanges,
} from './git.js';
import { directoryOf, scanRepository } from './scan-repository.js';
import { leadsOut, toPosix } from '../paths.js';
import { statKind } from '../dir-entries.js';
import { decodeSource, formatBytes, readSource, type ReadResult } from './read.js';
import { dependentCandidates, type DefinitionSource } from './dependents.js';

export interface ChangeOptions {
  cwd: string;
  /** The command line's paths (default `.`): only changes under them are gated. */
  paths: string[];
  config: ResolvedConfig;
  staged: boolean;
  /** `--base REF`, or undefined. */
  base?: string;
}

export interface Selection {
  /** The files whose loops the run gates. */
  files: DiscoveredFile[];
  /**
   * Under `--staged`: a file's content in the index (undefined when the index does not
   * have it, which means it will not be committed). Used for the gated files and for the
   * repository helpers their guards call. Absent: read the working tree.
   */
  read?: (absPath: string) => ReadResult | undefined;
  /** Under `--staged`: a gated file's staged bytes as they are in the index (`fix` edits and writes them). */
  stagedBytes?: (absPath: string) => Buffer | null;
  /** What the breaking-change check compares against: a commit id and how to name it. */
  breakingBase: { commit: string; label: string } | null;
  notes: string[];
  /** The repository's root, as git names it. */
  root: string;
  /** Files the base has that the change deletes (the breaking row: their public names are removed). */
  deleted: DeletedFile[];
  /**
   * Unchanged files that name a changed file's module and functions (dependents.ts): analysed,
   * and gated for the loops whose guard or receive rests on a changed file (`changed`) only.
   * A promise: git searches while the run loads what it needs; `note` says when it could not.
   */
  dependents: Promise<{ files: DiscoveredFile[]; note: string | null }>;
  /** The gated files, as the analysis spells their paths: what a dependent's loop must rest on. */
  changed: ReadonlySet<string>;
}

const REGULAR_FILE = /^100(644|755)$/;
const ZERO_OID = /^0+$/;

export async function selectChanges(opts: ChangeOptions): Promise<Selection> {
  const option = opts.staged ? '--staged' : '--base';
  const cwd = path.resolve(opts.cwd);
  // The working directory's repository, else the one all the given paths share (`verify proj --base
  // main` from outside proj, or a repository nested in the working directory's).
  const given = (opts.paths.length > 0 ? opts.paths : ['.']).map((p) => path.resolve(cwd, p));
  const ofCwd = await gitRoot(cwd);
  const root = (await scanRepository(ofCwd === null ? null : { root: ofCwd, head: null }, given.map(directoryOf)))?.root ?? null;
  if (root === null) throw new UsageError(`${option} needs a git repository (${cwd} is not in one${opts.paths.length > 0 ? ', nor are all the given paths in one' : ''})`);
  // git reports the root with symlinks resolved (/tmp → /private/tmp): resolve the cwd too.
  const realRoot = await realpath(root).catch(() => root);
  const realCwd = await realpath(cwd).catch(() => cwd);
  const fromRoot = (rel: string): string => path.join(cwd, path.relative(realCwd, path.join(realRoot, rel)));
  const toRoot = (abs: string): string | null => {
    const rel = path.relative(realRoot, path.resolve(realCwd, path.relative(cwd, abs)));
    return leadsOut(rel) ? null : toPosix(rel);
  };

  const scopes = (opts.paths.length > 0 ? opts.paths : ['.']).map((given) => {
    const rel = toRoot(path.resolve(cwd, given));
    if (rel === null) throw new UsageError(`${given}: outside the git repository at ${root}`);
    return { given, rel };
  });

  let breakingBase: Selection['breakingBase'] = null;
  // Without --base the staged diff is against HEAD, named as such (one git call fewer on the hook's path).
  let diffBase: string | null = 'HEAD';
  if (opts.base !== undefined) {
    const head = await resolveRef(root, 'HEAD');
    const target = await requireRef(root, opts.base);
    // The merge base: what this branch changed, not what the other side did since.
    const mb = head === null ? target : await mergeBase(root, target, head);
    if (mb === null) throw new UsageError(`--base ${opts.base}: no common ancestor with HEAD`);
    diffBase = mb;
    breakingBase = { commit: mb, label: mb === target ? opts.base : `${opts.base} (merge base ${mb.slice(0, 10)})` };
  }

  const notes: string[] = [];
  // The unchanged files whose loops may rest on the changed files' definitions (dependents.ts).
  const dependentsOf = (changed: DefinitionSource[], cached: boolean, selected: readonly DiscoveredFile[], prefetch?: (files: DiscoveredFile[]) => Promise<void>): Pick<Selection, 'dependents' | 'changed'> => {
    const gated = new Set(selected.map((d) => d.absPath));
    const search = async (): Promise<{ files: DiscoveredFile[]; note: string | null }> => {
      // Python files' text at the base: only functions whose definition changed are searched for
      // (one cat-file, against a grep of every file for a change that adds or edits nothing callers use).
      const pythonRels = changed.filter((c) => c.language === 'python' && !/[\n\r]/.test(c.rel)).map((c) => c.rel);
      const atBase = pythonRels.length > 0 ? await showFiles(root, diffBase ?? 'HEAD', pythonRels).catch(() => null) : null;
      const withBase = atBase === null ? changed : changed.map((c) => (atBase.has(c.rel) ? { ...c, baseText: atBase.get(c.rel) ?? null } : c));
      const found = await dependentCandidates({ root, changed: withBase, cached });
      if (found === null) return { files: [], note: "git grep failed: the unchanged files calling the changed files' functions were not looked for" };
      // A tracked symlink is not followed (it could point out of the repository).
      const paths = found.paths.map(fromRoot).filter((abs) => cached || !isSymlink(abs));
      const files = filterNamedFiles(paths, { cwd, config: opts.config }).filter((d) => !gated.has(d.absPath));
      await prefetch?.(files);
      return { files, note: null };
    };
    const dependents = search();
    // Awaited by run.ts; a failure meanwhile must not count as unhandled.
    dependents.catch(() => {});
    return { dependents, changed: new Set(changed.map((c) => fromRoot(c.rel))) };
  };
  if (!opts.staged) {
    if (diffBase === null) throw new UsageError('--base: HEAD names no commit');
    const changed = (await changedFiles(root, diffBase)).filter((rel) => inScope(rel, scopes));
    const present: string[] = [];
    const gone = new Map<string, string>();
    for (const [abs, rel] of changed.map((r) => [fromRoot(r), r] as const)) {
      if (!existsSync(abs)) {
        gone.set(abs, rel);
        continue;
      }
      // A changed file that is a symlink out of the repository is not followed (it could show a
      // runner's files in a CI log): noted, not read.
      const real = await realpath(abs).catch(() => null);
      if (real === null || (real !== realRoot && !real.startsWith(realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep))) {
        if (languageOf(abs) !== null) notes.push(`skipped symlink ${toPosix(path.relative(cwd, abs))}: it points outside the repository`);
        continue;
      }
      present.push(abs);
    }
    const files = filterNamedFiles(present, { cwd, config: opts.config });
    const texts = files.flatMap((f) => {
      const r = readSource(f.absPath, opts.config.maxFileBytes);
      const rel = toRoot(f.absPath);
      return r.ok && rel !== null ? [{ rel, language: f.language, text: r.text }] : [];
    });
    const dependents = dependentsOf(texts, false, files);
    return { files, breakingBase, notes, root, deleted: deletedFrom(gone, cwd, opts.config), ...dependents };
  }

  // --staged: the index against the base (HEAD by default; an empty tree before the first commit).
  const blobs = new Map<string, string>(); // path from root → blob id of its staged content
  // Before the first commit there is no HEAD: the index is compared with an empty tree.
  const changes = await stagedChanges(root, diffBase).catch(async (e: unknown) => {
    if (diffBase !== 'HEAD' || (await resolveRef(root, 'HEAD')) !== null) throw e;
    return stagedChanges(root, null);
  });
  const gone = new Map<string, string>();
  for (const change of changes) {
    if (!inScope(change.path, scopes)) continue;
    if (change.status === 'D') {
      gone.set(fromRoot(change.path), change.path);
      continue;
    }
    if (change.status === 'U') notes.push(`${change.path}: unmerged (in conflict); not checked`);
    else if (REGULAR_FILE.test(change.mode) && !ZERO_OID.test(change.oid)) blobs.set(change.path, change.oid);
  }
  // What the commit changes: only these files' definitions can change a caller's verdict.
  const stagedChanged = new Set(blobs.keys());
  // A file named on the command line is judged by its staged content whether or not it
  // changed: `pre-commit run --all-files` passes every file and expects every file checked.
  const named = scopes.filter((s) => s.rel !== '' && statKind(fromRoot(s.rel)) !== 'dir');
  if (named.length > 0) {
    const entries = await indexEntries(root, named.map((s) => s.rel));
    for (const s of named) {
      const exact = entries.find((e) => e.path === s.rel && e.stage === 0);
      if (exact && REGULAR_FILE.test(exact.mode)) blobs.set(exact.path, exact.oid);
      else if (exact || entries.some((e) => e.path === s.rel || e.path.startsWith(`${s.rel}/`))) continue;
      else if (existsSync(fromRoot(s.rel))) notes.push(`${s.given}: not in the git index (untracked); not checked`);
      else throw new UsageError(`path not found: ${s.given}`);
    }
  }

  const candidates = filterNamedFiles([...blobs.keys()].map(fromRoot), { cwd, config: opts.config });
  const order = candidates.map((f) => blobs.get(toRoot(f.absPath) ?? '') ?? '');
  const contents = await catFileBatch(root, order);
  if (contents === null) throw new UsageError('git cat-file failed while reading the index');
  const staged = new Map<string, ReadResult>();
  const bytes = new Map<string, Buffer>();
  candidates.forEach((f, i) => {
    const blob = contents[i] ?? null;
    staged.set(f.absPath, decode(blob, opts.config.maxFileBytes));
    if (blob !== null) bytes.set(f.absPath, blob);
  });

  // Helpers that the staged files import are read from the index too, looked up on demand.
  let index: Map<string, string> | null = null;
  const read = (absPath: string): ReadResult | undefined => {
    const known = staged.get(absPath);
    if (known) return known;
    const rel = toRoot(absPath);
    if (rel === null) return undefined;
    index ??= new Map(indexEntriesSync(root).filter((e) => e.stage === 0 && REGULAR_FILE.test(e.mode)).map((e) => [e.path, e.oid]));
    const oid = index.get(rel);
    if (oid === undefined) return undefined;
    const result = decode(readBlobSync(root, oid), opts.config.maxFileBytes);
    staged.set(absPath, result);
    return result;
  };
  const stagedBytes = (absPath: string): Buffer | null => bytes.get(absPath) ?? null;
  // (`pre-commit run --all-files` names every file: an unchanged one has no new definitions.)
  const texts = candidates.flatMap((f) => {
    const r = staged.get(f.absPath);
    const rel = toRoot(f.absPath);
    return r?.ok === true && rel !== null && stagedChanged.has(rel) ? [{ rel, language: f.language, text: r.text }] : [];
  });
  // The dependents' staged content, read in one go (the reader would ask git once per file).
  const prefetch = async (files: DiscoveredFile[]): Promise<void> => {
    const rels = files.flatMap((f) => {
      const rel = toRoot(f.absPath);
      return rel !== null && !rel.includes('\n') ? [rel] : [];
    });
    if (rels.length === 0) return;
    const listed = await indexEntries(root, rels).catch(() => null);
    if (listed === null) return; // read one by one, as any helper
    const entries = listed.filter((e) => e.stage === 0 && REGULAR_FILE.test(e.mode));
    const blobs = await catFileBatch(root, entries.map((e) => e.oid));
    if (blobs === null) return; // read one by one, as any helper
    entries.forEach((e, i) => {
      const abs = fromRoot(e.path);
      if (!staged.has(abs)) staged.set(abs, decode(blobs[i] ?? null, opts.config.maxFileBytes));
    });
  };
  const dependents = dependentsOf(texts, true, candidates, prefetch);
  return { files: candidates, read, stagedBytes, breakingBase, notes, root, deleted: deletedFrom(gone, cwd, opts.config), ...dependents };
}

function inScope(rel: string, scopes: { rel: string }[]): boolean {
  return scopes.some((s) => s.rel === '' || rel === s.rel || rel.startsWith(`${s.rel}/`));
}

function decode(bytes: Buffer | null, maxBytes: number): ReadResult {
  if (bytes === null) return { ok: false, reason: 'unreadable in the git index' };
  if (bytes.length > maxBytes) return { ok: false, reason: `larger than ${formatBytes(maxBytes)} (maxFileBytes): ${bytes.length} bytes` };
  return decodeSource(bytes);
}

function isSymlink(absPath: string): boolean {
  try {
    return lstatSync(absPath).isSymbolicLink();
  } catch {
    return true; // gone meanwhile: nothing to read
  }
}
