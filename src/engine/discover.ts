// Which files a run looks at (SPEC §6): the paths given (default `.`), walked without
// following symlinked directories, minus default-excluded directories, `.gitignore`d
// entries and the config's `exclude`, limited to the config's `include` when set.
// Pattern matching is the `ignore` package's throughout (gitignore semantics).

import { constants, readdirSync, type Dirent, type Stats } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { ResolvedConfig } from '../config/types.js';
import { ioReason, UsageError } from '../errors.js';
import type { LanguageId } from '../model.js';
import { isInside, leadsOut, toPosix } from '../paths.js';
import { readRegularText } from '../text-file.js';

export interface DiscoveredFile {
  absPath: string;
  /** Relative to the working directory, with `/` separators. */
  relPath: string;
  language: LanguageId;
}

export const DEFAULT_EXCLUDED_DIRS: ReadonlySet<string> = new Set([
  'node_modules',
  '.venv',
  'venv',
  '.git',
  'dist',
  'build',
  '__pycache__',
  '.tox',
  '.mypy_cache',
  // Tools' own directories, as Ruff leaves them out by default: never a project's source.
  '.nox',
  '.pytest_cache',
  '.ruff_cache',
  '.eggs',
  '__pypackages__',
  'site-packages',
  // Yarn 2+ commits its release (`.yarn/releases/yarn-*.cjs`, 2.7 MB) and cache here.
  '.yarn',
  // Frameworks' build output.
  '.next',
  '.nuxt',
  '.svelte-kit',
]);

/** Generated files a package manager writes at the root (Yarn Plug'n'Play's resolution maps, megabytes). */
export const DEFAULT_EXCLUDED_FILES: ReadonlySet<string> = new Set(['.pnp.cjs', '.pnp.js', '.pnp.loader.mjs']);

const LANGUAGE_BY_EXTENSION: Readonly<Record<string, LanguageId>> = {
  '.py': 'python',
  '.pyi': 'python',
  '.ts': 'typescript',
  '.tsx': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.js': 'javascript',
  '.jsx': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
};

export function languageOf(fileName: string): LanguageId | null {
  return LANGUAGE_BY_EXTENSION[path.extname(fileName).toLowerCase()] ?? null;
}

// Git matches case-insensitively where the file system is (core.ignorecase).
const IGNORE_CASE = process.platform === 'darwin' || process.platform === 'win32';

function newIgnore(): Ignore {
  return ignore({ ignorecase: IGNORE_CASE });
}

/** The ignore file of one directory: its patterns are relative to `dir`. */
interface IgnoreLevel {
  dir: string;
  ig: Ignore;
}

interface Candidate extends DiscoveredFile {
  /** The real path, so that a file reached twice (two arguments, a symlink) is returned once. */
  key: string;
}

/** What a walk found: the files, its notes, symlinked files' real paths, every directory's listing. */
export interface Discovery {
  files: DiscoveredFile[];
  notes: string[];
  realPaths: Map<string, string>;
  listings: Map<string, Dirent[]>;
}

export async function discoverFiles(opts: {
  paths: string[];
  cwd: string;
  config: ResolvedConfig;
}): Promise<Discovery> {
  const cwd = path.resolve(opts.cwd);
  const filter = new ConfigFilter(opts.config);
  const notes: string[] = [];
  const candidates: Candidate[] = [];
  const listings = new Map<string, Dirent[]>();
  const relOf = (abs: string): string => toPosix(path.relative(cwd, abs));

  // Every argument is checked before any walking, so a typo fails fast.
  const roots: { given: string; abs: string; stats: Stats }[] = [];
  for (const given of opts.paths.length > 0 ? opts.paths : ['.']) {
    const abs = path.resolve(cwd, given);
    roots.push({ given, abs, stats: await statPath(given, abs) });
  }

  for (const { given, abs, stats } of roots) {
    const rel = relOf(abs);
    if (stats.isFile()) {
      const language = languageOf(abs);
      if (language === null) continue; // pre-commit passes every kind of file
      // Named files skip .gitignore (they are tracked or asked for) but not the excludes.
      const why = defaultExcludedBy(rel, false) ?? filter.rejects(abs, false);
      if (why !== null) {
        notes.push(`${given}: skipped (${why})`);
        continue;
      }
      candidates.push({ absPath: abs, relPath: rel, language, key: await realpath(abs) });
    } else if (stats.isDirectory()) {
      const why = defaultExcludedBy(rel, true) ?? filter.rejects(abs, true);
      if (why !== null) {
        notes.push(`${given}: skipped (${why})`);
        continue;
      }
      await walk(abs, { filter, notes, candidates, relOf, listings });
    }
  }

  // One entry per real file: the path that needs no symlink wins, else the first by relPath.
  const byPath = (a: DiscoveredFile, b: DiscoveredFile): number =>
    a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0;
  const viaLink = (c: Candidate): number => (c.key === c.absPath ? 0 : 1);
  candidates.sort((a, b) => viaLink(a) - viaLink(b) || byPath(a, b));
  const chosen = new Map<string, DiscoveredFile>();
  for (const { key, ...file } of candidates) if (!chosen.has(key)) chosen.set(key, file);
  // Each file's real path, as the walk resolved it: the breaking row places files in the repository by it.
  const realPaths = new Map([...chosen].map(([key, file]) => [file.absPath, key]));
  // Every directory read, as read: the cache's fact checks answer from them instead of reading them again.
  return { files: [...chosen.values()].sort(byPath), notes, realPaths, listings };
}

/**
 * Whether a file may exist, from the walk's listing of its directory (a broken symlink is listed
 * too: whoever asks still opens it); undefined when the walk did not read that directory.
 */
export function listedIn(listings: ReadonlyMap<string, readonly Dirent[]>): (file: string) => boolean | undefined {
  const names = new Map<string, Set<string>>();
  return (file) => {
    const dir = path.dirname(file);
    let set = names.get(dir);
    if (!set) {
      const listing = listings.get(dir);
      if (!listing) return undefined;
      set = new Set(listing.map((e) => e.name));
      names.set(dir, set);
    }
    return set.has(path.basename(file));
  };
}

async function statPath(given: string, abs: string): Promise<Stats> {
  try {
    // An explicitly named symlink is followed: the user asked for it.
    const stats = await stat(abs);
    // A directory or source file the user named but this process may not read would pass the
    // gate unread (ESLint refuses it too). Other files are passed over anyway (pre-commit names every kind).
    if (stats.isDirectory()) await access(abs, constants.R_OK | constants.X_OK);
    else if (languageOf(abs) !== null) await access(abs, constants.R_OK);
    return stats;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`path not found: ${given}`);
    throw new UsageError(`cannot read ${given}: ${ioReason(err)}`);
  }
}

/** A default-excluded directory among the path's directories (relative to cwd), or a default-excluded file, if any. */
function defaultExcludedBy(rel: string, isDir: boolean): string | null {
  const parts = rel.split('/');
  const name = isDir ? undefined : parts.pop();
  if (name !== undefined && DEFAULT_EXCLUDED_FILES.has(name)) return `${name} is generated by Yarn Plug'n'Play`;
  const hit = parts.find((part) => DEFAULT_EXCLUDED_DIRS.has(part));
  return hit === undefined ? null : `inside ${hit}`;
}

/** The config's `include` and `exclude`, gitignore-style patterns relative to `rootDir`. */
class ConfigFilter {
  private readonly rootDir: string;
  private readonly exclude: Ignore | null;
  private readonly include: Ignore | null;

  constructor(config: ResolvedConfig) {
    this.rootDir = path.resolve(config.rootDir);
    this.exclude = config.exclude.length > 0 ? newIgnore().add(config.exclude) : null;
    this.include = config.include.length > 0 ? newIgnore().add(config.include) : null;
  }

  /** Path relative to rootDir, or null outside it: the config does not speak for other trees. */
  private rel(abs: string): string | null {
    const rel = path.relative(this.rootDir, abs);
    if (rel === '' || leadsOut(rel)) return null;
    return toPosix(rel);
  }

  excluded(abs: string, isDir: boolean): boolean {
    const rel = this.exclude ? this.rel(abs) : null;
    return rel !== null && this.exclude !== null && this.exclude.ignores(isDir ? `${rel}/` : rel);
  }

  /** Files only: an include list cannot prune directories (`src/**\/*.py` says nothing about `lib/`). */
  included(abs: string): boolean {
    if (this.include === null) return true;
    const rel = this.rel(abs);
    // `ignores` also matches through a parent directory, which is what makes `app/` work.
    return rel === null || this.include.ignores(rel);
  }

  /** Why the config rejects the path, or null. */
  rejects(abs: string, isDir: boolean): string | null {
    if (this.excluded(abs, isDir)) return 'matches config "exclude"';
    if (!isDir && !this.included(abs)) return 'not matched by config "include"';
    return null;
  }
}

interface WalkState {
  /** Real path of the repository (the enclosing git root, else the walked root): symlinks may not lead out of it. */
  boundary?: string;
  filter: ConfigFilter;
  notes: string[];
  candidates: Candidate[];
  relOf: (abs: string) => string;
  listings: Map<string, Dirent[]>;
}

interface PendingDir {
  dir: string;
  /** The .gitignore files that apply, outermost first. */
  levels: IgnoreLevel[];
}

async function walk(root: string, state: WalkState): Promise<void> {
  const realRoot = await realpath(root);
  state.boundary = await repositoryOf(realRoot);
  // One directory at a time, read synchronously: on a local disk a readdir is ~15 µs, and the
  // thread pool's round trip per directory cost more than it saved (issue #8: a re-scan's walk).
  const queue: PendingDir[] = [{ dir: root, levels: await ancestorLevels(root) }];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) queue.push(...(await readDirectory(next, root, realRoot, state)));
}

/** `abs`, below `root`, spelt from `realRoot` instead (string work: path.join + path.relative cost ~10 µs a file). */
function rebase(abs: string, root: string, realRoot: string): string {
  const tail = abs.slice(root.endsWith(path.sep) ? root.length : root.length + 1);
  return realRoot.endsWith(path.sep) ? realRoot + tail : realRoot + path.sep + tail;
}

/** The enclosing git repository's root (a `.git` entry), else `dir` itself. */
export async function repositoryOf(dir: string): Promise<string> {
  for (let d = dir; ; d = path.dirname(d)) {
    if (await exists(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return dir;
  }
}

/** An ignore file's text; null when there is none, or it is not a regular file (a FIFO must not hang the walk). */
async function readText(file: string): Promise<string | null> {
  try {
    return readRegularText(file);
  } catch {
    return null;
  }
}

async function loadLevel(dir: string, file: string): Promise<IgnoreLevel | null> {
  const text = await readText(file);
  // Only blank lines and comments (git init's .git/info/exclude): no level to test every entry against.
  if (text === null || text.split(/\r?\n/).every((line) => line.trim() === '' || line.startsWith('#'))) return null;
  return { dir, ig: newIgnore().add(text) };
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * The .gitignore files of the directories above `root`, up to the enclosing git
 * repository's root (none when `root` is not inside one). `root`'s own are read by the walk.
 */
async function ancestorLevels(root: string): Promise<IgnoreLevel[]> {
  const above: string[] = [];
  for (let dir = root; ; ) {
    if (await exists(path.join(dir, '.git'))) break;
    const parent = path.dirname(dir);
    if (parent === dir) return []; // not in a git repository
    above.push(parent);
    dir = parent;
  }
  const gitRoot = above[above.length - 1];
  const levels: IgnoreLevel[] = [];
  for (const dir of [...above].reverse()) {
    // info/exclude sits below .gitignore in git's precedence, so it comes first.
    if (dir === gitRoot) {
      const level = await loadLevel(dir, path.join(dir, '.git', 'info', 'exclude'));
      if (level) levels.push(level);
    }
    const level = await loadLevel(dir, path.join(dir, '.gitignore'));
    if (level) levels.push(level);
  }
  return levels;
}

/** Reads one directory, records its files and returns the subdirectories to walk. */
async function readDirectory(
  pending: PendingDir,
  root: string,
  realRoot: string,
  state: WalkState,
): Promise<PendingDir[]> {
  const { dir } = pending;
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
    state.listings.set(dir, entries);
  } catch (err) {
    state.notes.push(`cannot read directory ${state.relOf(dir) || '.'}: ${ioReason(err)}`);
    return [];
  }

  // A `.git` entry starts a repository (the root, or a nested one such as a submodule):
  // the enclosing repository's ignore files stop applying there.
  const gitEntry = entries.find((e) => e.name === '.git');
  const levels = gitEntry ? [] : [...pending.levels];
  if (gitEntry?.isDirectory()) {
    const level = await loadLevel(dir, path.join(dir, '.git', 'info', 'exclude'));
    if (level) levels.push(level);
  }
  if (entries.some((e) => e.name === '.gitignore' && e.isFile())) {
    const level = await loadLevel(dir, path.join(dir, '.gitignore'));
    if (level) levels.push(level);
  }

  const active = activeLevels(levels, dir);
  // An entry's path from an ancestor is the directory's plus its name: path.relative once per directory.
  const fromLevels = active.map((level) => childPrefix(toPosix(path.relative(level.dir, dir))));
  const fromCwd = childPrefix(state.relOf(dir));

  const subdirs: PendingDir[] = [];
  // `dir` is absolute and normalised: an entry's path is a concatenation (path.join re-normalises).
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  for (const entry of entries) {
    const name = entry.name;
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    const isLink = entry.isSymbolicLink();
    // Most entries of a large tree are files of no language scanned: no path work for those.
    const language = isDir ? null : languageOf(name);
    if (!isDir && !isLink && (!isFile || language === null)) continue;
    const abs = prefix + name;
    if (isLink) {
      const target = await stat(abs).catch((err: NodeJS.ErrnoException) => err.code ?? 'error');
      if (typeof target === 'string') {
        // A dangling link or a loop of links: say so for the source files it pretends to be.
        if (language !== null) state.notes.push(`skipped symlink ${state.relOf(abs)}: ${target === 'ELOOP' ? 'a loop of symlinks' : `broken (${target})`}`);
        continue;
      }
      isDir = target.isDirectory();
      isFile = target.isFile();
    }
    if (isDir ? DEFAULT_EXCLUDED_DIRS.has(name) : !isFile || language === null || DEFAULT_EXCLUDED_FILES.has(name)) continue;
    if (gitIgnored(active, fromLevels, abs, name, isDir) || state.filter.excluded(abs, isDir)) continue;

    const rel = fromCwd === null ? state.relOf(abs) : fromCwd + name;
    if (isDir) {
      if (isLink) state.notes.push(`skipped symlinked directory ${rel}`);
      else subdirs.push({ dir: abs, levels });
      continue;
    }
    if (language === null || !state.filter.included(abs)) continue;
    // Below the root nothing symlinked is walked, so the real path is the root's plus the rest.
    const key = isLink ? await realpath(abs).catch(() => null) : rebase(abs, root, realRoot);
    if (key === null) continue;
    // A symlinked file is read only where it stays inside the repository: never followed out.
    if (isLink && state.boundary !== undefined && !isInside(state.boundary, key)) {
      state.notes.push(`skipped symlink ${rel}: it points outside the repository`);
      continue;
    }
    state.candidates.push({ absPath: abs, relPath: rel, language, key });
  }
  return subdirs;
}

/**
 * The levels as they apply to the entries of `dir`. We only walk directories that are not
 * ignored, but an outer level may still ignore `dir` itself: a deeper `!dir/` re-included
 * it, or it was named on the command line. `ignore` would then report every child as
 * ignored through its parent, where git still applies that level's patterns to each
 * child (`*.gen.py` keeps working). So such a level is replaced by a variant that
 * re-includes the directories from the level down to `dir`, and nothing else.
 */
function activeLevels(levels: readonly IgnoreLevel[], dir: string): IgnoreLevel[] {
  return levels.map((level) => {
    if (level.dir === dir) return level;
    const rel = toPosix(path.relative(level.dir, dir));
    if (!level.ig.test(`${rel}/`).ignored) return level;
    const segments = rel.split('/').map((s) => s.replace(/[\\*?[\]]/g, '\\$&'));
    const reinclude = segments.map((_, i) => `!/${segments.slice(0, i + 1).join('/')}/`);
    // Adding the level's Ignore shares its parsed rules (and their compiled regexes): no re-parse per directory.
    return { ...level, ig: newIgnore().add(level.ig).add(reinclude) };
  });
}

/**
 * What goes before an entry's name to spell its path from where `rel` is measured; null when the
 * directory is not below that place (a `..` there may fold into the name: path.relative decides).
 */
function childPrefix(rel: string): string | null {
  if (rel === '') return '';
  return rel.startsWith('..') || path.isAbsolute(rel) ? null : `${rel}/`;
}

/** Git's precedence: the deepest ignore file with a matching pattern decides. `prefixes[i]`: childPrefix from levels[i]. */
function gitIgnored(levels: readonly IgnoreLevel[], prefixes: readonly (string | null)[], abs: string, name: string, isDir: boolean): boolean {
  for (let i = levels.length - 1; i >= 0; i--) {
    const level = levels[i];
    const prefix = prefixes[i];
    const rel = prefix === null || prefix === undefined ? toPosix(path.relative(level.dir, abs)) : prefix + name;
    const result = level.ig.test(isDir ? `${rel}/` : rel);
    if (result.ignored) return true;
    if (result.unignored) return false;
  }
  return false;
}

/**
 * The files git named (`--staged`, `--base`) that a walk would have kept: no walk and no
 * `.gitignore` (git tracks them), but the language filter, the default-excluded
 * directories and the config's `include`/`exclude` apply as to a walked file.
 */
export function filterNamedFiles(absPaths: string[], opts: { cwd: string; config: ResolvedConfig }): DiscoveredFile[] {
  const cwd = path.resolve(opts.cwd);
  const filter = new ConfigFilter(opts.config);
  const out: DiscoveredFile[] = [];
  for (const absPath of absPaths) {
    const language = languageOf(absPath);
    if (language === null) continue;
    const relPath = toPosix(path.relative(cwd, absPath));
    if (defaultExcludedBy(relPath, false) !== null || filter.rejects(absPath, false) !== null) continue;
    out.push({ absPath, relPath, language });
  }
  return out.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
}
