// The scan, one way: files → parse → loop model → rules and checks → report. This module
// decides what the run looks at (configuration, the walk or the diff, targets) and gives back
// the last run's report when nothing it rests on changed (report-memo.ts); the pipeline itself
// (pipeline.ts: analysers, rules, checks) is loaded only when there is work for it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/types.js';
import { UsageError } from '../errors.js';
import { pythonTargetResolver, targetSourceText } from '../languages/python/target-version.js';
import type { FileAnalysis, Finding, MessageLoop, Report, RequirePolicy, TargetVersion } from '../model.js';
import { displayRoot, isInside, toPosix } from '../paths.js';
import { readRegularText, withRegularFile } from '../text-file.js';
import type { BaselineOutcome } from './baseline.js';
import { buildFingerprint } from './build-fingerprint.js';
import type { CacheStats } from './cache.js';
import { defaultCacheDir, shardFile } from './cache-location.js';
import type { Selection } from './changes.js';
import { contentHash, FactProbe } from './deps.js';
import { discoverFiles, listedIn, repositoryOf, type DiscoveredFile, type Discovery } from './discover.js';
import { unusedConfigs } from '../config/unused.js';
import { gitRootAndHead } from './git.js';
import { directoryOf, scanRepository } from './scan-repository.js';
import type { StopFor } from '../languages/typescript/tsconfig.js';
import { readSource } from './read.js';
import { memoFile, memoKey, recall } from './report-memo.js';

export interface RunOptions {
  cwd: string;
  paths: string[];
  configPath?: string;
  /** false (`--no-prefilter`): run the loop analysis on every Python file, not only where the text prefilter says a loop can be. */
  prefilter?: boolean;
  /**
   * Keep every file's result between runs (issue #8): a directory, or true for the default one
   * (cache-location.ts). The CLI turns it on unless `--no-cache`; for the API it is off unless given.
   */
  cache?: string | boolean;
  /** `--jobs N`: threads that parse Python files, and that analyse TS/JS files (this one included) (default: one per core, up to 4, when there are enough files; 1: none). */
  jobs?: number;
  /** Called as Python files are read and parsed (the CLI's progress bar), with the number of Python files to analyse. */
  onProgress?: (progress: { read: number; parsed: number; total: number }) => void;
  pythonVersion?: string;
  /** `--python PATH`: an interpreter of the target version that cross-checks the syntax row. */
  python?: string;
  require?: RequirePolicy;
  /** `--base REF`: gate only the files changed since the merge base with REF, which is also the breaking-change base (default HEAD). */
  base?: string;
  /** `--staged`: gate the staged files, judged by their content in the git index. */
  staged?: boolean;
  /** `--baseline FILE`: findings recorded there are suppressed (`baselined`). */
  baseline?: string;
  /** `--project FILE`: TS/JS socket types from this tsconfig.json's type checker (else the nearest one found). */
  project?: string;
  /** false (`--no-types`): no type checker for TS/JS, even where a tsconfig.json is found. */
  types?: boolean;
  /** Contents to analyse instead of the files on disk (absolute path → text): `fix` re-scans its results this way. */
  sourceOverrides?: ReadonlyMap<string, string>;
}

export interface RunResult {
  report: Report;
  findings: Finding[];
  files: FileAnalysis[];
  loops: MessageLoop[];
  config: ResolvedConfig;
  notes: string[];
  /** The git repository's root, spelt from the cwd (the cwd outside a repository): CI formats name files from it. */
  root: string;
  /** With `--baseline`: how many findings it covered, and its entries nothing matched any more. */
  baseline: (BaselineOutcome & { file: string }) | null;
  /** The result cache's shard, hits, misses and problems (null: no cache). */
  cache: CacheStats | null;
  /**
   * What decides which tsconfig.json governs a file (tsconfig.ts configResolver): --project
   * (absolute) and where the search stops. fix's type check asks the same, with --no-types too.
   */
  tsconfigChoice: { explicit: string | null; stopFor: StopFor };
  /**
   * Every analysed loop, when the run analysed more files than it gates (`--staged`/`--base` with
   * a repository-wide consistency group): `fix` follows the whole group, as the table judges it.
   */
  contextLoops?: MessageLoop[];
  /** Under `--staged`: a gated file's bytes in the git index (what the run judged); absent otherwise. */
  stagedBytes?: (absPath: string) => Buffer | null;
  /**
   * `--staged`/`--base`: the unchanged files (absolute) in `files` for their loops that rest on a
   * changed file's definitions; `fix` leaves them alone (the change to fix is the helper's).
   */
  dependents?: ReadonlySet<string>;
}

/** The cache shard's file and salt for this scan, or null (no --cache, or `fix`'s re-scan of texts not on disk). */
function cacheIdentity(opts: RunOptions, cwd: string, scanned: string[], config: ResolvedConfig, project: string | null, stops: readonly string[]): { file: string; salt: string } | null {
  if (!opts.cache || opts.sourceOverrides) return null;
  const dir = typeof opts.cache === 'string' ? path.resolve(cwd, opts.cache) : defaultCacheDir();
  const mode = opts.staged ? 'staged' : opts.base !== undefined ? 'base' : 'tree';
  const file = shardFile(dir, { cwd, roots: scanned, mode });
  // Anything that changes a file's result without changing its text starts a new shard: the
  // TS/JS types mode too — with --project, that file's bytes (a run whose results all come from
  // the cache never reads it, and a broken one is a usage error) —, and the repository roots
  // where the tsconfig.json search stops (a result that found none rests on them).
  const types = opts.types === false ? 'no-types' : project ? `project:${project}:${projectBytes(project)}` : 'found';
  return { file, salt: JSON.stringify([buildFingerprint(), config, opts.prefilter !== false, types, stops]) };
}

/** A hash of the --project file's text ('' when it is not a readable regular file: planning says why). */
function projectBytes(file: string): string {
  try {
    const text = readRegularText(file);
    return text === null ? '' : contentHash(text);
  } catch {
    return '';
  }
}

/**
 * The --baseline file for the report memo's key: as given (the report names it so), where it is
 * (its entries name files relative to it) and its content hash; null when it cannot be read (the
 * run says why).
 */
function baselineKeyOf(cwd: string, file: string | undefined): string[] | null {
  if (file === undefined) return [];
  const at = path.resolve(cwd, file);
  try {
    // Not a regular file (a FIFO would block a plain read): no memo; reading it is a usage error.
    const bytes = withRegularFile(at, (fd) => readFileSync(fd));
    return bytes === 'not-regular' ? null : [file, at, contentHash(bytes.toString('latin1'))];
  } catch {
    return null;
  }
}

/** The changed files and, for a repository-wide consistency group, every other file once, in path order as a walk gives them. */
function mergeDiscovered(changed: DiscoveredFile[], walked: DiscoveredFile[]): DiscoveredFile[] {
  const seen = new Set(changed.map((d) => d.absPath));
  const others = walked.filter((d) => !seen.has(d.absPath) && (seen.add(d.absPath), true));
  return [...changed, ...others].sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
}

/** A promise started before it is needed: its rejection waits for the await that wants it. */
function early<T>(p: Promise<T>): () => Promise<T> {
  const settled = p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
  return async () => {
    const r = await settled;
    if (!r.ok) throw r.error;
    return r.value;
  };
}

/** What the pipeline (pipeline.ts) is handed: everything decided before any file is read. */
export interface RunContext {
  opts: RunOptions;
  cwd: string;
  config: ResolvedConfig;
  /** --staged / --base: the changed files and how to read them; null for a full scan. */
  selection: Selection | null;
  /** The walk (a full scan, or a repository-wide consistency group's other files). */
  walked: Discovery | null;
  /** The files the gate, the table and the report see (the rules see every discovered one). */
  gated: ReadonlySet<string>;
  /** Diff-aware: the unchanged files analysed for their loops that may rest on a changed file (gated for those loops only). */
  dependents: ReadonlySet<string>;
  discovered: DiscoveredFile[];
  /** The scanned paths, absolute. */
  scanned: string[];
  notes: string[];
  repoRoot: string | null;
  root: string;
  breakingBase: string | null;
  targetFor(dir: string): Promise<TargetVersion>;
  /** The root of the repository a directory is in (a scanned path's own when it lies outside the working directory's). */
  stopFor(dir: string): string;
  cacheId: { file: string; salt: string } | null;
  /**
   * Where this run's report is kept for the next, and the files its targets were looked for in
   * (null: this kind of run is never memoised).
   */
  memo: { file: string; key: string; targetSources: ReadonlyMap<string, string | null> } | null;
}

export async function run(opts: RunOptions): Promise<RunResult> {
  const cwd = path.resolve(opts.cwd);
  const diffAware = opts.staged === true || opts.base !== undefined;
  // git names the root while the config is read and the tree walked.
  const rootOfCwd = diffAware ? null : early(gitRootAndHead(cwd));
  const config = await loadConfig({ cwd, ...(opts.configPath ? { configPath: opts.configPath } : {}) });
  if (opts.require) config.require = opts.require;
  if (opts.types === false && opts.project) throw new UsageError('--project and --no-types contradict each other: give one');
  // Checked here too: a run whose results all come from the cache never plans the checkers.
  const project = opts.project ? path.resolve(cwd, opts.project) : null;
  if (project !== null && !existsSync(project)) throw new UsageError(`--project: ${toPosix(path.relative(cwd, project)) || opts.project} does not exist`);
  const paths = opts.paths.length ? opts.paths : ['.'];
  const scanned = paths.map((p) => path.resolve(cwd, p));
  // Imported only for --staged / --base.
  const selection = diffAware ? await (await import('./changes.js')).selectChanges({ cwd, paths: opts.paths, config, staged: opts.staged === true, ...(opts.base !== undefined ? { base: opts.base } : {}) }) : null;
  // A diff-aware run always analyses: the pipeline loads while git looks for the changed files' dependents.
  const loading = selection ? import('./pipeline.js') : null;
  loading?.catch(() => {});
  // Diff-aware runs gate the changed files; a repository-wide consistency group still needs every file.
  const walked = selection === null || config.consistency === 'repository' ? await discoverFiles({ paths, cwd, config }) : null;
  const gated = new Set((selection?.files ?? walked?.files ?? []).map((d) => d.absPath));
  // (And, below, the unchanged files that may rest on a changed file's definitions.)
  let discovered = mergeDiscovered(selection?.files ?? [], walked?.files ?? []);
  const shown = (file: string): string => toPosix(path.relative(cwd, file)) || file;
  const configNotes = (config.shadowed ?? []).map((f) => `${shown(f)}: its handshake-guard configuration is not used: ${shown(config.source ?? '')} in the same directory comes first`);
  const unused = walked ? unusedConfigs(walked.listings, cwd, [...(config.source ? [config.source] : []), ...(config.shadowed ?? [])]) : [];
  if (unused.length > 0) {
    const named = unused.slice(0, 3).map(shown).join(', ') + (unused.length > 3 ? `, and ${unused.length - 3} more` : '');
    const what = unused.length === 1 ? `${named} is` : `${unused.length} configurations (${named}) are`;
    configNotes.push(`${what} not used: a run reads its configuration from the working directory upward; run in ${unused.length === 1 ? 'its directory' : 'their directories'}, or pass --config`);
  }
  const notes = [...configNotes, ...(selection?.notes ?? []), ...(walked?.notes ?? [])];
  // The scanned paths' repository (scan-repository.ts): `verify proj` from outside proj, or a nested one.
  const repo = selection?.root ? null : await scanRepository(await (rootOfCwd ?? early(gitRootAndHead(cwd)))(), scanned.map(directoryOf));
  const repoRoot = selection?.root ?? repo?.root ?? null;
  const root = repoRoot ?? cwd;
  const breakingBase = selection?.breakingBase?.commit ?? opts.base ?? null;
  // Each file's target comes from the files nearest to it (a monorepo's services may differ),
  // looked for up to the repository root — a scanned path's own repository when it lies outside
  // the working directory's (`scan ../service`: its pyproject.toml counts, wherever it is run from).
  const listed = walked ? listedIn(walked.listings) : null;
  const mayExist = (file: string): boolean => listed?.(file) ?? existsSync(file);
  // Every file a target was looked for in, with its content hash (null: none): the memo's check.
  const targetSources = new Map<string, string | null>();
  const observe = (file: string, text: string | null): void => {
    targetSources.set(file, text === null ? null : contentHash(text));
  };
  const resolverFor = (stopDir: string): ReturnType<typeof pythonTargetResolver> =>
    pythonTargetResolver({ ...(opts.pythonVersion ? { cliVersion: opts.pythonVersion } : {}), config, stopDir, displayDir: cwd, mayExist, observe });
  const inRoot = await resolverFor(root);
  const elsewhere = await Promise.all(
    scanned
      .filter((p) => !isInside(root, p))
      .map(async (p) => {
        // The repository the path belongs to (a file's: its directory's), else that directory.
        const stop = await repositoryOf(directoryOf(p));
        return { stop, resolve: await resolverFor(stop) };
      }),
  );
  const outside = (dir: string): (typeof elsewhere)[number] | undefined => (isInside(root, dir) ? undefined : elsewhere.find((e) => isInside(e.stop, dir)));
  const targetFor = async (dir: string): Promise<TargetVersion> => (outside(dir)?.resolve ?? inRoot)(dir);
  // The TS/JS tsconfig.json search stops at the same repository roots.
  const stopFor = (dir: string): string => outside(dir)?.stop ?? root;
  const cacheId = cacheIdentity(opts, cwd, scanned, config, project, [root, ...elsewhere.map((e) => e.stop)]);

  let memo: RunContext['memo'] = null;
  const baselineKey = baselineKeyOf(cwd, opts.baseline);
  // The last run's whole report, when nothing it rests on changed (report-memo.ts): a full scan
  // of the working tree only (diff-aware runs and --python read more than the memo records).
  if (cacheId && walked && !diffAware && !opts.python && baselineKey !== null) {
    // The targets are not resolved here: the files they were found in (or not) are checked instead.
    // (The repositories' roots where target and tsconfig searches stop are in the salt.)
    const searched = { cli: opts.pythonVersion ?? null };
    const key = memoKey([cacheId.salt, cwd, scanned, repo, discovered.map((d) => [d.relPath, d.language]), walked.notes, [...walked.realPaths].filter(([abs, real]) => abs !== real), searched, baselineKey]);
    memo = { file: memoFile(cacheId.file), key, targetSources };
    const read = (p: string): string | null => {
      const r = readSource(p, config.maxFileBytes);
      return r.ok ? r.text : null;
    };
    const again = recall(memo.file, key, { files: discovered, probe: new FactProbe({ read }, null, walked.listings), sourceText: (file) => targetSourceText(file, mayExist), read });
    if (again) {
      const stats: CacheStats = { file: cacheId.file, hits: again.cached, misses: 0, unread: again.cached, problems: [], report: true };
      return { report: again.report, findings: again.findings, files: again.files, loops: again.loops, config, notes: again.notes, root: displayRoot(cwd, root), baseline: again.baseline, cache: stats, tsconfigChoice: { explicit: project, stopFor } };
    }
  }
  const pipeline = loading ?? import('./pipeline.js');
  // Diff-aware: the unchanged files that may rest on a changed file's definitions (changes.ts),
  // searched by git while all of the above ran.
  const dependents = new Set<string>();
  if (selection) {
    const found = await selection.dependents;
    if (found.note !== null) notes.push(found.note);
    for (const d of found.files) dependents.add(d.absPath);
    if (found.files.length > 0) discovered = mergeDiscovered(selection.files, [...(walked?.files ?? []), ...found.files]);
  }
  const { analyseRun } = await pipeline;
  return analyseRun({ opts, cwd, config, selection, walked, gated, discovered, dependents, scanned, notes, repoRoot, root, breakingBase, targetFor, stopFor, cacheId, memo });
}
