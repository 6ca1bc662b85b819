// The `breaking` row of the verification table (SPEC §5): no public function, method or class
// of a changed Python file, and no exported declaration of a changed TS/JS file, removed or
// changed in signature against the base — a deleted file removes all of them; a moved one breaks
// its importers once and is compared with its new path. Tests, examples and docs scripts are not
// public API (`breaking-scope.ts`): counted, not compared.
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { DeletedFile } from '../engine/deleted.js';
import { blobId, gitRoot, showFiles } from '../engine/git.js';
import type { CheckResult, CheckStatus, LanguageId } from '../model.js';
import { compareApi } from './breaking-api.js';
import { atBaseOf, lookupFor, type BaseLookup, type Located } from './breaking-base.js';
import { moduleReaders, type Modules } from './breaking-modules.js';
import { notPublic } from './breaking-scope.js';
import { listed, plural, result } from './support.js';

export interface BreakingFile {
  /** Display path, relative to the working directory. */
  file: string;
  absPath: string;
  language: LanguageId;
  /** The content to compare (the staged content under `--staged`); null when it could not be read. Asked only of files that differ from the base. */
  read(): string | null;
  /** Its git blob id (null: unreadable), which the cache may know without reading the file. */
  blob(): string | null;
}

export interface BreakingOptions {
  cwd: string;
  files: BreakingFile[];
  /** `--base REF`; null means `HEAD`. */
  base: string | null;
  /** How to name the base in details when `base` is a commit id (`origin/main (merge base 1a2b3c4d5e)`). */
  baseLabel?: string;
  /** The repository's root when the caller already asked git (null: not a repository). */
  root?: string | null;
  /** The same git questions, asked while the files were read (used when they were asked for these files). */
  early?: BaseLookup;
  /** Files the base has that are gone now (deleted, or moved: their old path is gone). */
  deleted?: DeletedFile[];
  /**
   * Any file's content as the run sees it (the index's under `--staged`; null: none), for the
   * modules an `export * from` names. Without it: a scanned file's `read()`, else the disk.
   */
  readSource?: (absPath: string) => string | null;
}

export async function checkBreaking(opts: BreakingOptions): Promise<CheckResult> {
  let root: string | null;
  try {
    root = opts.root !== undefined ? opts.root : await gitRoot(opts.cwd);
  } catch (error) {
    // git refuses a repository owned by someone else: a reason to skip, not to stop.
    if (error instanceof UsageError) return result('breaking', 'skip', error.message);
    throw error;
  }
  if (root === null) return result('breaking', 'skip', 'not a git repository');
  const refName = opts.baseLabel ?? opts.base ?? 'HEAD';
  const { located, query } = await lookupFor(root, opts.base ?? 'HEAD', opts.files, opts.early);
  const { commit, changed, atBase } = await atBaseOf(root, located, query);
  if (commit === null) {
    if (opts.base !== null) throw new UsageError(`--base ${opts.base}: unknown revision`);
    return result('breaking', 'skip', 'no commit yet to compare against (HEAD does not name a commit)');
  }
  const scripts = changed.filter((p) => p.file.language !== 'python');
  const python = changed.filter((p) => p.file.language === 'python');
  const notes: string[] = [];

  const modules = moduleReaders(root, commit, opts.files, opts.readSource);
  const py = await compareChanged(python, atBase, refName, modules);
  // TS/JS: the exported declarations (src/languages/typescript/public-api.ts).
  const ts = await compareChanged(scripts, atBase, refName, modules);
  const gone = await compareDeleted(root, commit, opts.deleted ?? [], [...py.fresh, ...ts.fresh], refName, modules);
  const breaks = [...py.breaks, ...ts.breaks, ...gone.breaks];
  const skipped = py.skipped + ts.skipped + gone.skipped;
  const notCompared = [...py.notCompared, ...ts.notCompared, ...gone.notCompared];
  const unsure = [...py.unsure, ...ts.unsure, ...gone.unsure];
  // Every file not compared is named once: in the lead when Python files changed, none could be
  // compared and nothing broke, else in the notes.
  const pythonLead = py.compared === 0 && py.notCompared.length > 0 && breaks.length === 0;
  const rest = pythonLead ? [...ts.notCompared, ...gone.notCompared] : notCompared;
  if (rest.length > 0) notes.push(`not compared: ${listed(rest, 4, ', ')}`);
  if (unsure.length > 0) notes.push(`not decidable here: ${listed(unsure, 4)}`);
  const pyAdded = py.added - gone.renamedTo.python;
  if (pyAdded > 0) notes.push(`${plural(pyAdded, 'new Python file')} (nothing to break)`);
  if (ts.compared > 0) notes.push(`exported declarations of ${plural(ts.compared, 'changed TS/JS file')} compared (${plural(ts.definitions, 'declaration')})`);
  if (gone.compared > 0) notes.push(`${plural(gone.compared, 'deleted file')} compared`);
  if (gone.renamed > 0) notes.push(`${plural(gone.renamed, 'renamed file')} compared with ${gone.renamed === 1 ? 'its' : 'their'} new path`);
  if (skipped > 0) notes.push(`${plural(skipped, 'test/example file')} not compared (not public API)`);
  const tail = notes.length > 0 ? `; ${notes.join('; ')}` : '';

  if (breaks.length > 0) {
    // The first few, then a count: a commit deleting 200 modules still gives one readable line.
    return result('breaking', 'fail', `${plural(breaks.length, 'breaking change')} against ${refName}: ${listed(breaks)}${tail}`);
  }
  // A file we could not compare (or a name we could not place) may hide a break: say so rather than pass.
  const status: CheckStatus = notCompared.length > 0 || unsure.length > 0 ? 'warn' : 'pass';
  if (pythonLead) return result('breaking', status, `${plural(py.notCompared.length, 'changed Python file')} not compared: ${listed(py.notCompared, 4, ', ')}${tail}`);
  if (py.compared > 0) {
    return result('breaking', status, `public API of ${plural(py.compared, 'changed Python file')} unchanged against ${refName} (${plural(py.definitions, 'definition')})${tail}`);
  }
  // No Python file compared: the row speaks of what was (TS/JS, deleted or renamed files), or of
  // the files scanned — Python ones only when no other language was.
  const elsewhere = ts.compared + gone.compared + gone.renamed + ts.notCompared.length + gone.notCompared.length + unsure.length + skipped > 0;
  if (elsewhere) return result('breaking', status, `against ${refName}: ${notes.join('; ')}`);
  const onlyPython = opts.files.length > 0 && opts.files.every((f) => f.language === 'python');
  return result('breaking', status, `no scanned ${onlyPython ? 'Python file' : 'file'} changed since ${refName}${tail}`);
}

interface Changed {
  breaks: string[];
  notCompared: string[];
  /** What this file alone cannot decide (a name an unread `export *` may bring, a constructor taken from a base class): `file:line message`. */
  unsure: string[];
  compared: number;
  definitions: number;
  added: number;
  /** Changed test, example and docs files (`notPublic`): not compared. */
  skipped: number;
  /** The files new since the base, inside the repository: a deleted file may have moved to one. */
  fresh: Located[];
}

/** The changed files' public API against the base, in their order; `added`: files the base does not have. */
async function compareChanged(files: readonly Located[], atBase: ReadonlyMap<string, string | null>, refName: string, modules: Modules): Promise<Changed> {
  const out: Changed = { breaks: [], notCompared: [], unsure: [], compared: 0, definitions: 0, added: 0, skipped: 0, fresh: [] };
  for (const located of files) {
    const { file, rel } = located;
    const before = rel === null ? null : atBase.get(rel) ?? null;
    // Outside the repository or new since base: there was nothing to break.
    if (rel === null || before === null) {
      if (rel === null || !notPublic(rel, file.language === 'python')) out.added += 1;
      if (rel !== null) out.fresh.push(located);
      continue;
    }
    const source = file.read();
    if (notPublic(rel, file.language === 'python')) {
      if (source === null ? file.blob() !== blobId(before) : normalise(before) !== normalise(source)) out.skipped += 1;
      continue;
    }
    if (source === null) {
      // Refused as text (too large, binary): the same bytes as at the base break nothing.
      if (file.blob() === blobId(before)) continue;
      out.notCompared.push(`${file.file} (could not be read)`);
      continue;
    }
    if (normalise(before) === normalise(source)) continue;
    const api = await compareApi(file.language, file.absPath, before, source, refName, modules.stars(rel, file.absPath));
    if (api.refused !== null) {
      out.notCompared.push(`${file.file} (${api.refused})`);
      continue;
    }
    out.compared += 1;
    out.definitions += api.definitions;
    for (const b of api.breaks) (b.unsure ? out.unsure : out.breaks).push(`${file.file}:${b.line} ${b.message}`);
  }
  return out;
}

interface Gone {
  breaks: string[];
  notCompared: string[];
  unsure: string[];
  /** Deleted files compared (every name removed). */
  compared: number;
  /** Deleted files found again under a new path, compared with it. */
  renamed: number;
  /** How many of the renamed files' new paths are Python files (they are not "new" files), compared or not. */
  renamedTo: { python: number };
  /** Deleted test, example and docs files: not compared. */
  skipped: number;
}

/**
 * A deleted file's public names (Python) or exported declarations (TS/JS) at the base: every one
 * is removed — unless the file moved (`git mv`, or a plain move: a new file with at least half
 * its lines, as git's rename detection has it). A moved module breaks its importers once (the
 * old path is gone), and its API is compared with the new file's: a rename that changed a
 * signature says so too. Moving a Python module into its package's `__init__.py`, or a TS/JS
 * file to another extension beside it (`a.js` → `a.ts`), keeps the import path: no break.
 */
async function compareDeleted(root: string, commit: string, gone: readonly DeletedFile[], fresh: readonly Located[], refName: string, modules: Modules): Promise<Gone> {
  const out: Gone = { breaks: [], notCompared: [], unsure: [], compared: 0, renamed: 0, renamedTo: { python: 0 }, skipped: 0 };
  // A deleted test or example breaks no importer, nor does moving one.
  const deleted = gone.filter((d) => !notPublic(d.rel, d.language === 'python'));
  out.skipped = gone.length - deleted.length;
  if (deleted.length === 0) return out;
  const atBase = await showFiles(root, commit, deleted.map((d) => d.rel));
  const moves = renames(deleted.flatMap((d) => { const text = atBase.get(d.rel) ?? null; return text === null ? [] : [{ d, text }]; }), fresh);
  for (const d of deleted) {
    const before = atBase.get(d.rel) ?? null;
    // Not at the base (added and deleted since): nothing was there to remove.
    if (before === null) continue;
    const move = moves.get(d);
    if (move) {
      // The old path is gone whatever the new text holds: a break even when that text cannot be compared.
      if (!sameModule(d.rel, move.to.rel ?? '', d.language === 'python')) out.breaks.push(`${d.file} renamed to ${move.to.file.file} (imports of the old path break)`);
      if (move.to.file.language === 'python') out.renamedTo.python += 1;
      const api = await compareApi(move.to.file.language, move.to.file.absPath, before, move.text, refName, { basePath: d.absPath, ...modules.stars(d.rel, move.to.file.absPath) });
      if (api.refused !== null) {
        out.notCompared.push(`${move.to.file.file} (renamed from ${d.file}; ${api.refused})`);
        continue;
      }
      out.renamed += 1;
      for (const b of api.breaks) (b.unsure ? out.unsure : out.breaks).push(`${move.to.file.file}:${b.line} ${b.message}`);
      continue;
    }
    const api = await compareApi(d.language, d.absPath, before, null, refName, modules.stars(d.rel, null));
    if (api.refused !== null) {
      out.notCompared.push(`${d.file} (deleted; ${api.refused})`);
      continue;
    }
    out.compared += 1;
    for (const b of api.breaks) out.breaks.push(`${d.file}:${b.line} ${b.message} (file deleted)`);
  }
  return out;
}

/** Past this many deleted × new pairs, only files moved unchanged are paired (no line counts). */
const SIMILARITY_PAIRS = 10_000;

/** Each deleted file that moved: the new file (same language family) most like it, at least half its lines. */
function renames(deleted: readonly { d: DeletedFile; text: string }[], fresh: readonly Located[]): Map<DeletedFile, { to: Located; text: string }> {
  const moves = new Map<DeletedFile, { to: Located; text: string }>();
  if (deleted.length === 0 || fresh.length === 0) return moves;
  const candidates = fresh.flatMap((to) => {
    const text = to.file.read();
    return text === null ? [] : [{ to, text: normalise(text), lines: null as Map<string, number> | null }];
  });
  const measure = deleted.length * candidates.length <= SIMILARITY_PAIRS;
  const taken = new Set<Located>();
  for (const { d, text } of deleted) {
    const old = normalise(text);
    const oldLines = measure ? lineCounts(old) : null;
    let best: { to: Located; text: string; score: number } | null = null;
    for (const c of candidates) {
      if (taken.has(c.to) || (c.to.file.language === 'python') !== (d.language === 'python')) continue;
      let score = c.text === old ? 2 : 0;
      if (score === 0 && oldLines !== null) {
        c.lines ??= lineCounts(c.text);
        score = similarity(oldLines, c.lines);
      }
      // Ties go to the same file name (a move to another directory).
      if (score >= 0.5 && path.posix.basename(c.to.rel ?? '') === path.posix.basename(d.rel)) score += 0.001;
      if (score >= 0.5 && (best === null || score > best.score)) best = { to: c.to, text: c.text, score };
    }
    if (best !== null) {
      taken.add(best.to);
      moves.set(d, { to: best.to, text: best.text });
    }
  }
  return moves;
}

/** Non-blank lines (trimmed) and how often each occurs. */
function lineCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (l !== '') counts.set(l, (counts.get(l) ?? 0) + 1);
  }
  return counts;
}

/** Lines in common over the lines of both (1: the same lines; git's rename detection asks 50%). */
function similarity(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  let common = 0;
  let total = 0;
  for (const n of a.values()) total += n;
  for (const [l, n] of b) {
    total += n;
    common += Math.min(n, a.get(l) ?? 0);
  }
  return total === 0 ? 0 : (2 * common) / total;
}

/** Whether importers name both paths alike: `pkg/a.py` and `pkg/a/__init__.py`; `a.js` and `a.ts` beside it. */
function sameModule(from: string, to: string, python: boolean): boolean {
  if (python) {
    const mod = (rel: string): string => rel.replace(/\.pyi?$/, '').replace(/\/__init__$/, '');
    return mod(from) === mod(to);
  }
  const stem = (rel: string): string => rel.replace(/\.[cm]?[jt]sx?$/, '');
  return stem(from) === stem(to);
}

/** Line endings may differ only by git's autocrlf conversion. */
function normalise(text: string): string {
  return text.replace(/\r\n/g, '\n');
}
