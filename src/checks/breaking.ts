// The `breaking` row of the verification table (SPEC §5): no public function, method or
// class of a changed Python file removed or changed in signature against the base.
import { lstatSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { blobId, catFileCheck, filesAtCommit, gitRoot, resolveRef, showFiles } from '../engine/git.js';
import { NestingLimitError } from '../languages/nesting.js';
import { diffPublicApi, extractPublicApi } from '../languages/python/public-api.js';
import type { TsPublicApi } from '../languages/typescript/public-api.js';
import type { CheckResult, CheckStatus, LanguageId } from '../model.js';

export interface BreakingFile {
  /** Display path, relative to the working directory. */
  file: string;
  absPath: string;
  language: LanguageId;
  /** The content to compare (the staged content under `--staged`); null when it could not be read. */
  source: string | null;
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
}

const ID = 'breaking';
const TITLE = 'Breaking Changes';

export async function checkBreaking(opts: BreakingOptions): Promise<CheckResult> {
  const result = (status: CheckStatus, details: string): CheckResult => ({ id: ID, title: TITLE, status, details });
  let root: string | null;
  try {
    root = opts.root !== undefined ? opts.root : await gitRoot(opts.cwd);
  } catch (error) {
    // git refuses a repository owned by someone else: a reason to skip, not to stop.
    if (error instanceof UsageError) return result('skip', error.message);
    throw error;
  }
  if (root === null) return result('skip', 'not a git repository');
  const refName = opts.baseLabel ?? opts.base ?? 'HEAD';
  const { commit, changed, atBase } = await atBaseOf(root, opts.base ?? 'HEAD', await locate(root, opts.files));
  if (commit === null) {
    if (opts.base !== null) throw new UsageError(`--base ${opts.base}: unknown revision`);
    return result('skip', 'no commit yet to compare against (HEAD does not name a commit)');
  }
  const scripts = changed.filter((p) => p.file.language !== 'python');
  const python = changed.filter((p) => p.file.language === 'python');
  const notes: string[] = [];

  const breaks: string[] = [];
  const notCompared: string[] = [];
  let compared = 0;
  let added = 0;
  let definitions = 0;
  for (const { file, rel } of python) {
    const before = rel === null ? null : atBase.get(rel) ?? null;
    // Outside the repository or new since base: there was nothing to break.
    if (before === null) {
      added += 1;
      continue;
    }
    if (file.source === null) {
      notCompared.push(`${file.file} (could not be read)`);
      continue;
    }
    if (normalise(before) === normalise(file.source)) continue;
    const [old, cur] = [await extractPublicApi(before), await extractPublicApi(file.source)];
    // tree-sitter recovers from errors, but what it drops would read as "removed".
    if (old.syntaxErrorLine !== null) {
      notCompared.push(`${file.file} (does not parse at ${refName}, line ${old.syntaxErrorLine})`);
      continue;
    }
    if (cur.syntaxErrorLine !== null) {
      notCompared.push(`${file.file} (does not parse, line ${cur.syntaxErrorLine})`);
      continue;
    }
    compared += 1;
    definitions += old.definitions.length;
    for (const b of diffPublicApi(old.definitions, cur.definitions)) breaks.push(`${file.file}:${b.line} ${b.message}`);
  }

  const skipped = `not compared: ${notCompared.join(', ')}`;
  if (notCompared.length > 0 && compared > 0) notes.push(skipped);
  if (added > 0) notes.push(`${plural(added, 'new Python file')} (nothing to break)`);
  // TS/JS: the exported declarations (src/languages/typescript/public-api.ts).
  const ts = await compareScripts(scripts, atBase, refName);
  breaks.push(...ts.breaks);
  notCompared.push(...ts.notCompared);
  if (ts.note) notes.push(ts.note);
  const tail = notes.length > 0 ? `; ${notes.join('; ')}` : '';

  if (breaks.length > 0) {
    return result('fail', `${plural(breaks.length, 'breaking change')} against ${refName}: ${breaks.join('; ')}${tail}`);
  }
  // A file we could not compare may hide a break: say so rather than pass.
  const status: CheckStatus = notCompared.length > 0 ? 'warn' : 'pass';
  if (compared === 0 && notCompared.length > 0) {
    return result(status, `${plural(notCompared.length, 'changed Python file')} ${skipped}${tail}`);
  }
  if (compared === 0) return result(status, `no scanned Python file changed since ${refName}${tail}`);
  return result(
    status,
    `public API of ${plural(compared, 'changed Python file')} unchanged against ${refName} (${plural(definitions, 'definition')})${tail}`,
  );
}

/** The exported declarations of the changed TS/JS files against the base. */
async function compareScripts(
  scripts: { file: BreakingFile; rel: string | null }[],
  atBase: ReadonlyMap<string, string | null>,
  refName: string,
): Promise<{ breaks: string[]; notCompared: string[]; note: string | null }> {
  const breaks: string[] = [];
  const notCompared: string[] = [];
  let compared = 0;
  let exported = 0;
  for (const { file, rel } of scripts) {
    const before = rel === null ? null : atBase.get(rel) ?? null;
    if (before === null || file.source === null || normalise(before) === normalise(file.source)) {
      if (before !== null && file.source === null) notCompared.push(`${file.file} (could not be read)`);
      continue;
    }
    const { extractTsPublicApi, diffTsPublicApi } = await import('../languages/typescript/public-api.js');
    let old: TsPublicApi;
    let cur: TsPublicApi;
    try {
      [old, cur] = [await extractTsPublicApi(file.absPath, before), await extractTsPublicApi(file.absPath, file.source)];
    } catch (e) {
      // A file too deep to parse safely is named, not compared (the scan noted it too).
      if (!(e instanceof NestingLimitError)) throw e;
      notCompared.push(`${file.file} (${e.message})`);
      continue;
    }
    if (old.syntaxErrorLine !== null || cur.syntaxErrorLine !== null) {
      notCompared.push(`${file.file} (does not parse${old.syntaxErrorLine !== null ? ` at ${refName}` : ''}, line ${old.syntaxErrorLine ?? cur.syntaxErrorLine})`);
      continue;
    }
    compared += 1;
    exported += old.exports.length;
    for (const b of diffTsPublicApi(old.exports, cur.exports)) breaks.push(`${file.file}:${b.line} ${b.message}`);
  }
  const note = compared > 0 ? `exported declarations of ${plural(compared, 'changed TS/JS file')} compared (${plural(exported, 'declaration')})` : null;
  return { breaks, notCompared, note };
}

/**
 * Which files git holds unchanged at the base (rel → true), and which it does not hold at all
 * (rel → false: new since the base); a file absent from the map differs and must be compared.
 * One `cat-file --batch-check` instead of fetching every blob: a re-scan of a large tree
 * otherwise spends most of its time having git inflate files nobody changed.
 */
type Located = { file: BreakingFile; rel: string | null };

/** Up to this many files, fetching every one in one process beats asking for ids first (a pre-commit run). */
const FETCH_ALL_UP_TO = 64;

/**
 * The base commit, the files that may differ from it and their content there. A few files (a
 * pre-commit run): commit and contents from one `git cat-file --batch`. Many (a full scan, most
 * files untouched): their blob ids first, and only the files whose id differs are fetched.
 */
async function atBaseOf(root: string, ref: string, located: Located[]): Promise<{ commit: string | null; changed: Located[]; atBase: Map<string, string | null> }> {
  if (located.length <= FETCH_ALL_UP_TO) {
    const { commit, files } = await filesAtCommit(root, ref, located.flatMap((p) => (p.rel === null ? [] : [p.rel])));
    return { commit, changed: located, atBase: files };
  }
  const commit = await resolveRef(root, ref);
  if (commit === null) return { commit, changed: [], atBase: new Map() };
  const unchanged = await unchangedAtBase(root, commit, located);
  // A file git holds byte for byte at the base cannot break anything: it is not fetched.
  const changed = located.filter((p) => p.rel === null || unchanged.get(p.rel) !== true);
  // New since the base (false): nothing to fetch either.
  const atBase = await showFiles(root, commit, changed.flatMap((p) => (p.rel === null || unchanged.has(p.rel) ? [] : [p.rel])));
  return { commit, changed, atBase };
}

async function unchangedAtBase(root: string, commit: string, files: { file: BreakingFile; rel: string | null }[]): Promise<Map<string, boolean>> {
  const named = files.filter((p): p is { file: BreakingFile; rel: string } => p.rel !== null && !/[\n\r]/.test(p.rel));
  const ids = await catFileCheck(root, named.map((p) => `${commit}:${p.rel}`));
  const out = new Map<string, boolean>();
  if (ids === null) return out;
  named.forEach((p, i) => {
    const id = ids[i];
    if (id === null || id === undefined) out.set(p.rel, false);
    else if (p.file.source !== null && id === blobId(p.file.source)) out.set(p.rel, true);
  });
  return out;
}

/** Each file's path relative to the repository root (`/`-separated), null when it lies outside. */
async function locate(root: string, files: BreakingFile[]): Promise<{ file: BreakingFile; rel: string | null }[]> {
  // git reports the root with symlinks resolved (/tmp → /private/tmp): resolve ours too.
  const realRoot = await realpath(root).catch(() => root);
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
  return Promise.all(
    files.map(async (file) => {
      const linked = (() => {
        try {
          return lstatSync(file.absPath).isSymbolicLink();
        } catch {
          return false;
        }
      })();
      const viaDir = async (): Promise<string> => path.join(await realDir(path.dirname(file.absPath)), path.basename(file.absPath));
      const abs = linked ? await realpath(file.absPath).catch(viaDir) : await viaDir();
      const rel = path.relative(realRoot, abs);
      const outside = rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
      return { file, rel: outside ? null : rel.split(path.sep).join('/') };
    }),
  );
}

/** Line endings may differ only by git's autocrlf conversion. */
function normalise(text: string): string {
  return text.replace(/\r\n/g, '\n');
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
