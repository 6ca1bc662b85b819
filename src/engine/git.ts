// Thin wrappers over the `git` binary. execFile only (never a shell), user paths only
// after `--` or inside `<rev>:<path>`, and a resolved commit id wherever a ref would
// otherwise reach git's option parser.
import { createHash } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { UsageError } from '../errors.js';
import { decodeSource } from './read.js';

/**
 * A blob's text as the working tree's is decoded (read.ts: a UTF-8 BOM dropped, a PEP 263
 * encoding honoured), so that an unchanged file reads the same at the base; bytes decodeSource
 * refuses (binary, UTF-16) as plain UTF-8, as before.
 */
function blobText(bytes: Buffer): string {
  const decoded = decodeSource(bytes);
  return decoded.ok ? decoded.text : bytes.toString('utf8');
}

interface GitResult {
  ok: boolean;
  stdout: Buffer;
  stderr: string;
}

const MAX_BUFFER = 512 * 1024 * 1024;

// Read-only commands must not run repository-configured programs (SPEC §2: never
// execute anything from the scanned repository): core.fsmonitor names a command.
const SAFE_CONFIG = ['-c', 'core.fsmonitor=false'];

function gitEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // Stable English messages, no credential prompts, and no index refresh that
    // would take index.lock while a pre-commit hook's commit holds it.
    LC_ALL: 'C',
    LANGUAGE: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
  };
}

function runGit(cwd: string, args: string[], input?: string): Promise<GitResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'git',
      [...SAFE_CONFIG, ...args],
      { cwd, encoding: 'buffer', maxBuffer: MAX_BUFFER, env: gitEnv(), windowsHide: true },
      (error, stdout, stderr) => {
        // A spawn failure (no git, no such directory) is just a failed command here.
        resolve({
          ok: !error,
          stdout: Buffer.isBuffer(stdout) ? stdout : Buffer.from(stdout ?? ''),
          stderr: Buffer.isBuffer(stderr) ? stderr.toString('utf8') : String(stderr ?? ''),
        });
      },
    );
    // A closed pipe (git exited early) must not become an unhandled 'error' event.
    child.stdin?.on('error', () => {});
    if (input === undefined) child.stdin?.end();
    else child.stdin?.end(input);
  });
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
}

function splitNul(buf: Buffer): string[] {
  return buf
    .toString('utf8')
    .split('\0')
    .filter((s) => s !== '');
}

/** `git rev-parse` refuses repositories owned by another user; say so instead of "not a repository". */
function throwIfDubious(result: GitResult): void {
  if (result.stderr.includes('dubious ownership')) {
    throw new UsageError(`git refuses this repository: ${firstLine(result.stderr).replace(/^fatal: /, '')}`);
  }
}

/** The top-level directory of the work tree containing `dir`, or null (not a repository, or no git). */
export async function gitRoot(dir: string): Promise<string | null> {
  const result = await runGit(dir, ['rev-parse', '--show-toplevel']);
  if (!result.ok) {
    throwIfDubious(result);
    return null;
  }
  const root = result.stdout.toString('utf8').trim();
  return root === '' ? null : root;
}

/**
 * The work tree's top-level directory and HEAD's commit id (null before the first commit), in
 * one process: the report memo (report-memo.ts) is keyed by both. Null outside a repository.
 */
export async function gitRootAndHead(dir: string): Promise<{ root: string; head: string | null } | null> {
  // Exit 1 with the root alone when HEAD names no commit yet; 128 outside a repository.
  const result = await runGit(dir, ['rev-parse', '--show-toplevel', '--verify', '--quiet', 'HEAD^{commit}']);
  const [root = '', head = ''] = result.stdout.toString('utf8').split('\n').map((l) => l.trim());
  if (root === '') {
    throwIfDubious(result);
    return null;
  }
  return { root, head: result.ok && /^[0-9a-f]{40,64}$/.test(head) ? head : null };
}

/**
 * The repository the scanned paths lie in, when the working directory's does not hold them all
 * (`verify ../service` from elsewhere): the one repository they all share, or null (none, or
 * several). `dirs` are the paths' directories (a file's own directory).
 */
export async function sharedRepository(dirs: readonly string[]): Promise<{ root: string; head: string | null } | null> {
  const found = await Promise.all([...new Set(dirs)].map((d) => gitRootAndHead(d).catch(() => null)));
  const first = found[0];
  return first && found.every((r) => r?.root === first.root) ? first : null;
}

/** The commit id `ref` names, or null when it names no commit. */
export async function resolveRef(root: string, ref: string): Promise<string | null> {
  // `--end-of-options` keeps a ref such as `--output=x` from being read as an option.
  const result = await runGit(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  if (!result.ok) return null;
  const id = result.stdout.toString('utf8').trim();
  return /^[0-9a-f]{40,64}$/.test(id) ? id : null;
}

/** Resolves `ref` or throws the one-line usage error the CLI prints (`--base origin/nope: unknown revision`). */
export async function requireRef(root: string, ref: string, option = '--base'): Promise<string> {
  const id = await resolveRef(root, ref);
  if (id === null) throw new UsageError(`${option} ${ref}: unknown revision`);
  return id;
}

function objectName(ref: string, relPath: string): string {
  // Git paths always use `/`; an empty ref reads the index (`:path`, the staged content).
  return `${ref}:${relPath.split('\\').join('/')}`;
}

/**
 * The content of `relPathFromRoot` at `ref` (a commit-ish; `''` for the index), or null
 * when the file does not exist there (or is not a regular blob). `cat-file blob` rather
 * than `show` so that no textconv driver from the repository's config ever runs.
 */
export async function showFile(root: string, ref: string, relPathFromRoot: string): Promise<string | null> {
  if (ref.startsWith('-')) return null;
  const result = await runGit(root, ['cat-file', 'blob', objectName(ref, relPathFromRoot)]);
  return result.ok ? blobText(result.stdout) : null;
}

/**
 * `showFile` for many paths with one `git cat-file --batch` process (one process per
 * file is seconds on a large repository). Paths git's line protocol cannot carry
 * (newlines) fall back to `showFile`.
 */
export async function showFiles(root: string, ref: string, relPaths: string[]): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  const batchable = relPaths.filter((p) => !/[\n\r]/.test(p));
  for (const p of relPaths.filter((p) => /[\n\r]/.test(p))) out.set(p, await showFile(root, ref, p));
  if (batchable.length === 0 || ref.startsWith('-')) {
    for (const p of batchable) out.set(p, null);
    return out;
  }
  const blobs = await catFileBatch(root, batchable.map((p) => objectName(ref, p)));
  if (blobs === null) {
    for (const p of batchable) out.set(p, await showFile(root, ref, p));
    return out;
  }
  batchable.forEach((p, i) => {
    const blob = blobs[i];
    out.set(p, blob ? blobText(blob) : null);
  });
  return out;
}

/**
 * The blobs `objects` name (`<rev>:<path>`, `:<path>` or an object id), in order, with one
 * `git cat-file --batch`; null for a name that is missing or not a blob. Null when git fails.
 */
export async function catFileBatch(root: string, objects: string[]): Promise<(Buffer | null)[] | null> {
  const entries = await catFileObjects(root, objects);
  return entries === null ? null : entries.map((e) => (e?.type === 'blob' ? e.content : null));
}

interface GitObject {
  oid: string;
  type: string;
  content: Buffer;
}

/** `catFileBatch` with each object's id and type (null: missing or ambiguous). */
async function catFileObjects(root: string, objects: string[]): Promise<(GitObject | null)[] | null> {
  if (objects.length === 0) return [];
  const result = await runGit(root, ['cat-file', '--batch'], objects.map((o) => `${o}\n`).join(''));
  if (!result.ok) return null;
  const buf = result.stdout;
  const out: (GitObject | null)[] = [];
  let pos = 0;
  for (let i = 0; i < objects.length; i++) {
    const eol = buf.indexOf(0x0a, pos);
    if (eol < 0) {
      out.push(null);
      continue;
    }
    const header = buf.subarray(pos, eol).toString('utf8');
    pos = eol + 1;
    // `<oid> <type> <size>` then the content and a newline; otherwise `<name> missing|ambiguous`.
    const match = /^([0-9a-f]+) (\w+) (\d+)$/.exec(header);
    if (!match) {
      out.push(null);
      continue;
    }
    const size = Number(match[3]);
    out.push({ oid: match[1] as string, type: match[2] as string, content: buf.subarray(pos, pos + size) });
    pos += size + 1;
  }
  return out;
}

/** At most this many pathspecs for one `ls-tree` (git matches every pathspec against every entry). */
const MAX_LISTED_DIRS = 64;

/** The fewest directories (a file at the root: itself) whose subtrees hold every path. */
function minimalCover(items: readonly string[]): string[] {
  const kept = new Set<string>();
  for (const item of [...new Set(items)].sort((a, b) => a.length - b.length)) {
    const parts = item.split('/');
    let covered = false;
    for (let i = 1; i < parts.length && !covered; i++) covered = kept.has(parts.slice(0, i).join('/'));
    if (!covered) kept.add(item);
  }
  return [...kept];
}

/**
 * Directories to list so that every path is in one of them, at most MAX_LISTED_DIRS: the
 * deepest are replaced by their parents until few enough. [] means the whole tree.
 */
function coveringPathspecs(relPaths: readonly string[]): string[] {
  let specs = minimalCover(relPaths.map((r) => (r.includes('/') ? r.slice(0, r.lastIndexOf('/')) : r)));
  while (specs.length > MAX_LISTED_DIRS) {
    const depth = (s: string): number => s.split('/').length;
    const deepest = Math.max(...specs.map(depth));
    if (deepest === 1) return [];
    specs = minimalCover(specs.map((s) => (depth(s) === deepest ? s.slice(0, s.lastIndexOf('/')) : s)));
  }
  return specs;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Each path's blob id at `commit` (null: not there, or not a blob), as `git cat-file
 * --batch-check` of `commit:path` gives it (a symlink's blob too, as the few files' contents from
 * `filesAtCommit` are), from one `ls-tree -r` of the directories holding the paths (their
 * parents when there are too many; the whole tree at worst): git reads each tree once rather
 * than once per path (5,000 paths: ~0.3 s of git's CPU, ~0.01 s this way).
 * `commit` must be a resolved id. Null when git fails.
 */
export async function blobIdsAt(root: string, commit: string, relPaths: readonly string[]): Promise<Map<string, string | null> | null> {
  if (relPaths.length === 0) return new Map();
  const specs = coveringPathspecs(relPaths);
  // Literal: a directory named `*` or `:(top)` is a name, not a pattern.
  const result = await runGit(root, ['--literal-pathspecs', 'ls-tree', '-r', '-z', '--full-tree', commit, ...(specs.length > 0 ? ['--', ...specs] : [])]);
  if (!result.ok) return null;
  const found = blobsListed(result.stdout, 'any');
  return new Map(relPaths.map((r) => [r, found.get(r) ?? null]));
}

/**
 * git's NUL-separated records that are UTF-8 (the header part of an ls-tree entry is ASCII, so
 * an entry is left out exactly when its path is not UTF-8: no name the scan could have asked for).
 */
function utf8Records(buf: Buffer): string[] {
  // Usually every name is UTF-8: one decode for the whole listing (per entry, ~3 µs each).
  const whole = utf8OrNull(buf);
  if (whole !== null) return whole.split('\0').filter((r) => r !== '');
  const out: string[] = [];
  for (let pos = 0; pos < buf.length; ) {
    const nul = buf.indexOf(0, pos);
    const end = nul < 0 ? buf.length : nul;
    const record = end > pos ? utf8OrNull(buf.subarray(pos, end)) : null;
    if (record !== null) out.push(record);
    pos = end + 1;
  }
  return out;
}

function utf8OrNull(bytes: Uint8Array): string | null {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Every regular file's path (from the root) a commit holds below the given directories or files
 * (`''`: the whole tree); null when git cannot list it. Symlinks and submodules are left out (a
 * dangling link is no deleted module), and names that are not UTF-8 (no file the scan names
 * could be one).
 */
export async function pathsAt(root: string, commit: string, scopes: readonly string[]): Promise<string[] | null> {
  const specs = scopes.includes('') ? [] : [...scopes];
  const result = await runGit(root, ['--literal-pathspecs', 'ls-tree', '-r', '-z', '--full-tree', commit, ...(specs.length > 0 ? ['--', ...specs] : [])]);
  return result.ok ? [...blobsListed(result.stdout, 'regular').keys()] : null;
}

/**
 * An `ls-tree -z` listing's blobs (`<mode> blob <oid>\t<path>`): path → blob id; 'regular': only
 * files (mode 100644 or 100755), not symlinks.
 */
function blobsListed(listing: Buffer, which: 'any' | 'regular'): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of utf8Records(listing)) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type, oid] = entry.slice(0, tab).split(' ');
    if (type !== 'blob' || oid === undefined) continue;
    if (which === 'regular' && mode !== '100644' && mode !== '100755') continue;
    found.set(entry.slice(tab + 1), oid);
  }
  return found;
}

/** The id git gives a blob of this text (UTF-8; SHA-1 object format). */
export function blobId(text: string): string {
  return createHash('sha1').update(`blob ${Buffer.byteLength(text, 'utf8')}\0`).update(text, 'utf8').digest('hex');
}

/** The git blob id of raw bytes (a file the scan refused to read as text: too large, binary). */
export function blobIdOfBytes(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/**
 * The commit `ref` names and the given files' content there, with one `git cat-file --batch`
 * (`resolveRef` + `showFiles` cost three git processes; a pre-commit hook pays each one).
 * `commit` is null when `ref` names no commit; a file is null when missing there.
 */
export async function filesAtCommit(root: string, ref: string, relPaths: string[]): Promise<{ commit: string | null; files: Map<string, string | null> }> {
  // What the batch's line protocol cannot carry, or what could read as an option, takes the long way.
  if (ref.startsWith('-') || /[\n\r]/.test(ref)) {
    const commit = await resolveRef(root, ref);
    return { commit, files: commit === null ? new Map() : await showFiles(root, commit, relPaths) };
  }
  const batchable = relPaths.filter((p) => !/[\n\r]/.test(p));
  const objects = await catFileObjects(root, [`${ref}^{commit}`, ...batchable.map((p) => objectName(ref, p))]);
  if (objects === null) {
    const commit = await resolveRef(root, ref);
    return { commit, files: commit === null ? new Map() : await showFiles(root, commit, relPaths) };
  }
  const head = objects[0];
  const commit = head?.type === 'commit' && /^[0-9a-f]{40,64}$/.test(head.oid) ? head.oid : null;
  const files = new Map<string, string | null>();
  if (commit === null) return { commit, files };
  batchable.forEach((p, i) => {
    const o = objects[i + 1];
    files.set(p, o?.type === 'blob' ? blobText(o.content) : null);
  });
  for (const p of relPaths.filter((p) => /[\n\r]/.test(p))) files.set(p, await showFile(root, commit, p));
  return { commit, files };
}

/** One entry of `git diff --raw`: a path whose staged content differs from the base. */
export interface StagedChange {
  /** Relative to the repository root, `/`-separated. */
  path: string;
  /** `A`dded, `M`odified, `D`eleted, `T`ype changed, `U`nmerged. Renames come as `D` + `A`. */
  status: string;
  /** The index's mode and blob id (`000000` / zeros when deleted). */
  mode: string;
  oid: string;
}

/**
 * What the index changes against `base` (a commit id; null: against an empty tree, for a
 * repository with no commit yet). `--no-renames`: a rename is its old path deleted and its
 * new path added, so the new path is judged whole.
 */
export async function stagedChanges(root: string, base: string | null): Promise<StagedChange[]> {
  const args = ['diff', '--cached', '--raw', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', '--no-abbrev'];
  // With no commit, `diff --cached` with no revision compares the index with an empty tree.
  const result = await runGit(root, base === null ? [...args, '--'] : [...args, base, '--']);
  if (!result.ok) throw new UsageError(`git diff --cached failed: ${firstLine(result.stderr)}`);
  const fields = splitNul(result.stdout);
  const out: StagedChange[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    // `:<old mode> <new mode> <old oid> <new oid> <status>` then the path.
    const meta = /^:(\d+) (\d+) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])/.exec(fields[i] as string);
    if (!meta) continue;
    out.push({ path: fields[i + 1] as string, status: meta[5] as string, mode: meta[2] as string, oid: meta[4] as string });
  }
  return out;
}

/** One index entry (stage 0 unless the path is in conflict). */
export interface IndexEntry {
  path: string;
  mode: string;
  oid: string;
  stage: number;
}

function parseLsFiles(buf: Buffer): IndexEntry[] {
  const out: IndexEntry[] = [];
  for (const field of splitNul(buf)) {
    const m = /^(\d+) ([0-9a-f]+) (\d)\t([\s\S]*)$/.exec(field);
    if (m) out.push({ mode: m[1] as string, oid: m[2] as string, stage: Number(m[3]), path: m[4] as string });
  }
  return out;
}

/** The index entries of the given paths (literal pathspecs; none given: the whole index). */
export async function indexEntries(root: string, relPaths?: string[]): Promise<IndexEntry[]> {
  const args = ['--literal-pathspecs', 'ls-files', '--stage', '-z', '--', ...(relPaths ?? [])];
  const result = await runGit(root, args);
  if (!result.ok) throw new UsageError(`git ls-files failed: ${firstLine(result.stderr)}`);
  return parseLsFiles(result.stdout);
}

/** `indexEntries` of the whole index, synchronously (for lookups made during analysis). */
export function indexEntriesSync(root: string): IndexEntry[] {
  try {
    return parseLsFiles(
      execFileSync('git', [...SAFE_CONFIG, 'ls-files', '--stage', '-z'], { cwd: root, env: gitEnv(), maxBuffer: MAX_BUFFER, stdio: ['ignore', 'pipe', 'ignore'] }),
    );
  } catch {
    return [];
  }
}

/** A blob's content, synchronously; null when git cannot read it. */
export function readBlobSync(root: string, oid: string): Buffer | null {
  if (!/^[0-9a-f]{40,64}$/.test(oid)) return null;
  try {
    return execFileSync('git', [...SAFE_CONFIG, 'cat-file', 'blob', oid], { cwd: root, env: gitEnv(), maxBuffer: MAX_BUFFER, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}

/**
 * Paths (relative to root, `/`-separated, sorted) whose working-tree content differs
 * from `base`: tracked changes (staged or not, deletions included) plus untracked
 * files that are not ignored. Throws UsageError for an unknown base.
 */
export async function changedFiles(root: string, base: string): Promise<string[]> {
  const id = await requireRef(root, base);
  // --no-renames: a moved file is its old path deleted plus its new path added.
  const diff = await runGit(root, ['diff', '--name-only', '-z', '--no-renames', '--no-ext-diff', id, '--']);
  if (!diff.ok) throw new UsageError(`git diff against ${base} failed: ${firstLine(diff.stderr)}`);
  const untracked = await runGit(root, ['ls-files', '--others', '--exclude-standard', '-z', '--']);
  if (!untracked.ok) throw new UsageError(`git ls-files failed: ${firstLine(untracked.stderr)}`);
  return [...new Set([...splitNul(diff.stdout), ...splitNul(untracked.stdout)])].sort();
}

/**
 * Paths (from the root, sorted) of the files under `pathspecs` that hold one of `words` as a
 * whole word: the index's content with `cached` (--staged), else the tracked working tree's.
 * [] when none does; null when git fails.
 */
export async function filesWithWords(root: string, words: readonly string[], cached: boolean, pathspecs: readonly string[]): Promise<string[] | null> {
  if (words.length === 0 || pathspecs.length === 0) return [];
  // The words on stdin (`-f -`): a large change's names would not fit a command line.
  const args = ['grep', '-l', '-z', '-I', '-w', '-F', '--no-color', '--no-recurse-submodules', ...(cached ? ['--cached'] : []), '-f', '-', '--', ...pathspecs];
  const result = await runGit(root, args, `${words.join('\n')}\n`);
  // Exit 1 with nothing said: no file matched.
  if (!result.ok) return result.stderr.trim() === '' && result.stdout.length === 0 ? [] : null;
  return splitNul(result.stdout).sort();
}

/**
 * Paths (from the root) whose working-tree file may differ from the index (modified or deleted,
 * not staged): `git diff-files`, which trusts the index's stat data — a file only touched is
 * listed too, which costs a look, never a miss. Null when git fails.
 */
export async function unstagedPaths(root: string, pathspecs: readonly string[]): Promise<string[] | null> {
  const result = await runGit(root, ['diff-files', '--name-only', '-z', '--no-renames', '--', ...pathspecs]);
  return result.ok ? splitNul(result.stdout) : null;
}

/** The best common ancestor of two commits, or null (unknown ref, unrelated histories). */
export async function mergeBase(root: string, a: string, b: string): Promise<string | null> {
  const [ia, ib] = await Promise.all([resolveRef(root, a), resolveRef(root, b)]);
  if (ia === null || ib === null) return null;
  const result = await runGit(root, ['merge-base', ia, ib]);
  if (!result.ok) return null;
  const id = result.stdout.toString('utf8').trim();
  return id === '' ? null : id;
}
