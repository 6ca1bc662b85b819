// The `breaking` row of the verification table (SPEC §5): no public function, method or class
// of a changed Python file, and no exported declaration of a changed TS/JS file, removed or
// changed in signature against the base — a deleted (or moved) file removes all of them.
import { UsageError } from '../errors.js';
import type { DeletedFile } from '../engine/deleted.js';
import { blobId, gitRoot, showFiles } from '../engine/git.js';
import type { CheckResult, CheckStatus, LanguageId } from '../model.js';
import { compareApi } from './breaking-api.js';
import { atBaseOf, lookupFor, type BaseLookup } from './breaking-base.js';
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

  const py = await compareChanged(python, atBase, refName);
  // TS/JS: the exported declarations (src/languages/typescript/public-api.ts).
  const ts = await compareChanged(scripts, atBase, refName);
  const gone = await compareDeleted(root, commit, opts.deleted ?? [], refName);
  const breaks = [...py.breaks, ...ts.breaks, ...gone.breaks];
  const notCompared = [...py.notCompared, ...ts.notCompared, ...gone.notCompared];
  const unsure = [...py.unsure, ...ts.unsure];
  // Every file not compared is named once: in the lead when Python files changed, none could be
  // compared and nothing broke, else in the notes.
  const pythonLead = py.compared === 0 && py.notCompared.length > 0 && breaks.length === 0;
  const rest = pythonLead ? [...ts.notCompared, ...gone.notCompared] : notCompared;
  if (rest.length > 0) notes.push(`not compared: ${rest.join(', ')}`);
  if (unsure.length > 0) notes.push(`not decidable here: ${listed(unsure, 4)}`);
  if (py.added > 0) notes.push(`${plural(py.added, 'new Python file')} (nothing to break)`);
  if (ts.compared > 0) notes.push(`exported declarations of ${plural(ts.compared, 'changed TS/JS file')} compared (${plural(ts.definitions, 'declaration')})`);
  if (gone.compared > 0) notes.push(`${plural(gone.compared, 'deleted file')} compared`);
  const tail = notes.length > 0 ? `; ${notes.join('; ')}` : '';

  if (breaks.length > 0) {
    return result('breaking', 'fail', `${plural(breaks.length, 'breaking change')} against ${refName}: ${breaks.join('; ')}${tail}`);
  }
  // A file we could not compare (or a name we could not place) may hide a break: say so rather than pass.
  const status: CheckStatus = notCompared.length > 0 || unsure.length > 0 ? 'warn' : 'pass';
  if (pythonLead) return result('breaking', status, `${plural(py.notCompared.length, 'changed Python file')} not compared: ${py.notCompared.join(', ')}${tail}`);
  if (py.compared === 0) {
    // No Python file scanned at all: the row speaks of the files that were (TS/JS, deleted ones).
    if (!opts.files.some((f) => f.language === 'python') && python.length === 0) {
      return result('breaking', status, notes.length > 0 ? `against ${refName}: ${notes.join('; ')}` : `no scanned file changed since ${refName}`);
    }
    return result('breaking', status, `no scanned Python file changed since ${refName}${tail}`);
  }
  return result(
    'breaking',
    status,
    `public API of ${plural(py.compared, 'changed Python file')} unchanged against ${refName} (${plural(py.definitions, 'definition')})${tail}`,
  );
}

/** The changed files' public API against the base, in their order; `added`: files the base does not have. */
async function compareChanged(
  files: readonly { file: BreakingFile; rel: string | null }[],
  atBase: ReadonlyMap<string, string | null>,
  refName: string,
): Promise<{ breaks: string[]; notCompared: string[]; unsure: string[]; compared: number; definitions: number; added: number }> {
  const breaks: string[] = [];
  const notCompared: string[] = [];
  // Names a file may re-export from elsewhere (`export *`): `file:line message`.
  const unsure: string[] = [];
  let compared = 0;
  let definitions = 0;
  let added = 0;
  for (const { file, rel } of files) {
    const before = rel === null ? null : atBase.get(rel) ?? null;
    // Outside the repository or new since base: there was nothing to break.
    if (before === null) {
      added += 1;
      continue;
    }
    const source = file.read();
    if (source === null) {
      // Refused as text (too large, binary): the same bytes as at the base break nothing.
      if (file.blob() === blobId(before)) continue;
      notCompared.push(`${file.file} (could not be read)`);
      continue;
    }
    if (normalise(before) === normalise(source)) continue;
    const api = await compareApi(file.language, file.absPath, before, source, refName);
    if (api.refused !== null) {
      notCompared.push(`${file.file} (${api.refused})`);
      continue;
    }
    compared += 1;
    definitions += api.definitions;
    for (const b of api.breaks) (b.unsure ? unsure : breaks).push(`${file.file}:${b.line} ${b.message}`);
  }
  return { breaks, notCompared, unsure, compared, definitions, added };
}

/** A deleted file's public names (Python) or exported declarations (TS/JS) at the base: every one is removed. */
async function compareDeleted(root: string, commit: string, deleted: readonly DeletedFile[], refName: string): Promise<{ breaks: string[]; notCompared: string[]; compared: number }> {
  const breaks: string[] = [];
  const notCompared: string[] = [];
  let compared = 0;
  if (deleted.length === 0) return { breaks, notCompared, compared };
  const atBase = await showFiles(root, commit, deleted.map((d) => d.rel));
  for (const d of deleted) {
    const before = atBase.get(d.rel) ?? null;
    // Not at the base (added and deleted since): nothing was there to remove.
    if (before === null) continue;
    const api = await compareApi(d.language, d.absPath, before, null, refName);
    if (api.refused !== null) {
      notCompared.push(`${d.file} (deleted; ${api.refused})`);
      continue;
    }
    compared += 1;
    for (const b of api.breaks) breaks.push(`${d.file}:${b.line} ${b.message} (file deleted)`);
  }
  return { breaks, notCompared, compared };
}

/** Line endings may differ only by git's autocrlf conversion. */
function normalise(text: string): string {
  return text.replace(/\r\n/g, '\n');
}
