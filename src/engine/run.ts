// The scan pipeline, one way: files → parse → loop model → rules and checks → report.
import { realpathSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { ALL_RULES } from '../../rules/index.js';
import { startBaseLookup } from '../checks/breaking-base.js';
import { runChecks } from '../checks/index.js';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/types.js';
import { UsageError } from '../errors.js';
import type { SyntaxCrossCheck } from '../languages/python/interpreter-check.js';
import { mostCommonTarget, pythonTargetResolver } from '../languages/python/target-version.js';
import {
  SCHEMA_VERSION,
  type FileAnalysis,
  type Finding,
  type LoopRecord,
  type LoopStatus,
  type MessageLoop,
  type Report,
  type RequirePolicy,
  type RuleId,
  type TargetVersion,
} from '../model.js';
import { orderFinding } from '../report/json.js';
import { isInside } from '../paths.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { buildFingerprint } from './build-fingerprint.js';
import { ResultCache, type CacheStats } from './cache.js';
import { defaultCacheDir, shardFile } from './cache-location.js';
import { FactProbe, type FactSource } from './deps.js';
import { analysePythonFiles } from './python-files.js';
import type { BaselineOutcome } from './baseline.js';
import { selectChanges } from './changes.js';
import { discoverFiles, repositoryOf, type DiscoveredFile } from './discover.js';
import { collectFindings } from './findings.js';
import { blobId, gitRoot } from './git.js';
import { consistencyGroups } from './groups.js';
import { readSource, type ReadResult } from './read.js';
import { analyseScripts } from './scripts.js';

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
}

/** The cache shard for this scan, or null (no --cache, or `fix`'s re-scan of texts not on disk). */
function openCache(opts: RunOptions, cwd: string, paths: string[], config: ResolvedConfig, reader: FactSource, listings?: ReadonlyMap<string, Dirent[]>): { store: ResultCache; probe: FactProbe } | null {
  if (!opts.cache || opts.sourceOverrides) return null;
  const dir = typeof opts.cache === 'string' ? path.resolve(cwd, opts.cache) : defaultCacheDir();
  const mode = opts.staged ? 'staged' : opts.base !== undefined ? 'base' : 'tree';
  const file = shardFile(dir, { cwd, roots: paths.map((p) => path.resolve(cwd, p)), mode });
  // Anything that changes a file's result without changing its text starts a new shard.
  // The TS/JS types mode too: a file that asked the checker is cached under --no-types only.
  const types = opts.types === false ? 'no-types' : opts.project ? `project:${path.resolve(cwd, opts.project)}` : 'found';
  const salt = JSON.stringify([buildFingerprint(), config, opts.prefilter !== false, types]);
  // Under --staged the content comes from git's index: the working tree's stat says nothing of it.
  const store = new ResultCache(file, salt, !opts.staged);
  return { store, probe: new FactProbe(reader, store.index, listings) };
}

function blobOfText(text: string | null): string | null {
  return text === null ? null : blobId(text);
}

/** fail: an error-severity finding is on the loop (any rule); suppressed: its findings are all suppressed. */
function loopStatus(loop: MessageLoop, findings: readonly Finding[]): LoopStatus {
  const own = findings.filter((f) => f.loop === loop);
  if (own.some((f) => !f.suppressed && f.severity === 'error')) return 'fail';
  return own.some((f) => f.suppressed) ? 'suppressed' : 'pass';
}

/** Whether a loop meets the policy (the coverage row's count): no live HG001/HG003 on it. */
export function meetsPolicy(loop: MessageLoop, findings: readonly Finding[]): boolean {
  return !findings.some((f) => f.loop === loop && (f.ruleId === 'HG001' || f.ruleId === 'HG003'));
}

function loopRecord(loop: MessageLoop, findings: readonly Finding[]): LoopRecord {
  return {
    file: loop.file,
    line: loop.span.start.line,
    endLine: loop.span.end.line,
    function: loop.function,
    language: loop.language,
    framework: loop.framework,
    receive: { line: loop.receive.span.start.line, column: loop.receive.span.start.column, call: loop.receive.call },
    guard: { kind: loop.guard.kind, line: loop.guard.span?.start.line ?? null, fingerprint: loop.guard.fingerprint },
    status: loopStatus(loop, findings),
    confidence: loop.confidence,
  };
}

/** The deepest directory containing all the given ones: where the project's pyproject.toml is looked for first. */
function commonDir(dirs: string[]): string | null {
  if (dirs.length === 0) return null;
  let common = dirs[0] as string;
  for (const d of dirs) {
    while (common !== d && !d.startsWith(common.endsWith(path.sep) ? common : common + path.sep)) {
      const up = path.dirname(common);
      if (up === common) break;
      common = up;
    }
  }
  return common;
}

/** The changed files and, for a repository-wide consistency group, every other file once, in path order as a walk gives them. */
function mergeDiscovered(changed: DiscoveredFile[], walked: DiscoveredFile[]): DiscoveredFile[] {
  const seen = new Set(changed.map((d) => d.absPath));
  return [...changed, ...walked.filter((d) => !seen.has(d.absPath))].sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
}

/** git names the root with symlinks resolved (/tmp → /private/tmp); spell it from the cwd so paths relate. */
function displayRoot(cwd: string, root: string): string {
  try {
    const up = path.relative(realpathSync(cwd), realpathSync(root));
    return path.resolve(cwd, up);
  } catch {
    return root;
  }
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

export async function run(opts: RunOptions): Promise<RunResult> {
  const cwd = path.resolve(opts.cwd);
  const diffAware = opts.staged === true || opts.base !== undefined;
  // git names the root while the config is read and the tree walked.
  const rootOfCwd = diffAware ? null : early(gitRoot(cwd));
  const config = await loadConfig({ cwd, ...(opts.configPath ? { configPath: opts.configPath } : {}) });
  if (opts.require) config.require = opts.require;
  if (opts.types === false && opts.project) throw new UsageError('--project and --no-types contradict each other: give one');
  const paths = opts.paths.length ? opts.paths : ['.'];
  const selection = diffAware ? await selectChanges({ cwd, paths: opts.paths, config, staged: opts.staged === true, ...(opts.base !== undefined ? { base: opts.base } : {}) }) : null;
  // Diff-aware runs gate the changed files; a repository-wide consistency group still needs every file.
  const walked = selection === null || config.consistency === 'repository' ? await discoverFiles({ paths, cwd, config }) : null;
  const gated = new Set((selection?.files ?? walked?.files ?? []).map((d) => d.absPath));
  const discovered = mergeDiscovered(selection?.files ?? [], walked?.files ?? []);
  const notes = [...(selection?.notes ?? []), ...(walked?.notes ?? [])];
  const repoRoot = selection?.root ?? (await (rootOfCwd ?? early(gitRoot(cwd)))());
  const root = repoRoot ?? cwd;
  const breakingBase = selection?.breakingBase?.commit ?? opts.base ?? null;
  // The breaking row's git questions need only the names: git answers while the files are read.
  const baseLookup = repoRoot === null ? null : startBaseLookup(repoRoot, breakingBase ?? 'HEAD', discovered.flatMap((d) => (gated.has(d.absPath) ? [d.absPath] : [])), walked?.realPaths);
  // Each file's target comes from the files nearest to it (a monorepo's services may differ),
  // looked for up to the repository root — a scanned path's own repository when it lies outside
  // the working directory's (`scan ../service`: its pyproject.toml counts, wherever it is run from).
  const resolverFor = (stopDir: string): ReturnType<typeof pythonTargetResolver> =>
    pythonTargetResolver({ ...(opts.pythonVersion ? { cliVersion: opts.pythonVersion } : {}), config, stopDir, displayDir: cwd });
  const inRoot = await resolverFor(root);
  const elsewhere = await Promise.all(
    paths
      .map((p) => path.resolve(cwd, p))
      .filter((p) => !isInside(root, p))
      .map(async (p) => {
        // The repository the path belongs to (a file's: its directory's), else that directory.
        const stop = await repositoryOf(statSync(p, { throwIfNoEntry: false })?.isDirectory() ? p : path.dirname(p));
        return { stop, resolve: await resolverFor(stop) };
      }),
  );
  const targetFor = async (dir: string): Promise<TargetVersion> => (isInside(root, dir) ? inRoot : (elsewhere.find((e) => isInside(e.stop, dir))?.resolve ?? inRoot))(dir);

  const sources = new Map<string, string | null>();
  // Under --staged every file, helpers included, is read from the index: what will be committed.
  let cache: ReturnType<typeof openCache> = null;
  const readFile = (absPath: string): ReadResult => {
    if (selection?.read) return selection.read(absPath) ?? { ok: false, reason: 'not in the git index' };
    const r = readSource(absPath, config.maxFileBytes);
    if (r.ok && r.stamp) cache?.store.index?.noteRead(absPath, r.stamp);
    return r;
  };
  const reader = {
    read(absPath: string): string | null {
      const override = opts.sourceOverrides?.get(absPath);
      if (override !== undefined) return override;
      if (!sources.has(absPath)) {
        const r = readFile(absPath);
        sources.set(absPath, r.ok ? r.text : null);
      }
      return sources.get(absPath) ?? null;
    },
  };
  const analysed: FileAnalysis[] = [];
  const total = discovered.filter((d) => d.language === 'python').length;
  const scriptFiles = discovered.filter((d) => d.language === 'typescript' || d.language === 'javascript').length;
  const progress = { read: 0, parsed: 0, total: total + scriptFiles };
  cache = openCache(opts, cwd, paths, config, reader, walked?.listings);
  const prefilterFacts = await analysePythonFiles({
    cwd,
    config,
    discovered,
    gated,
    analysed,
    notes,
    sources,
    reader,
    readFile,
    ...(opts.sourceOverrides ? { overrides: opts.sourceOverrides } : {}),
    targetFor,
    prefilter: opts.prefilter !== false,
    ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}),
    // Worker threads read the working tree themselves: not for --staged or source overrides.
    threads: !opts.sourceOverrides && !selection?.read,
    cache,
    progress,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  const onFile = (): void => {
    progress.read++;
    progress.parsed++;
    opts.onProgress?.(progress);
  };
  await analyseScripts(discovered, { reader, readFile, gated, analysed, notes, onFile, guardHelpers: config.guardHelpers, receiveMethods: config.receiveMethods, connectionNames: config.connectionNames, types: opts.types === false ? false : { explicit: opts.project ? path.resolve(cwd, opts.project) : null, stopDir: root, cwd }, cache, ...(opts.sourceOverrides ? { overrides: opts.sourceOverrides } : {}), ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}), threads: !opts.sourceOverrides && !selection?.read, maxFileBytes: config.maxFileBytes }, sources);

  // --python: the interpreter cross-checks HG011 before the rules read the syntax problems.
  const syntaxCrossCheck: SyntaxCrossCheck | null = opts.python
    ? await (await import('../languages/python/interpreter-check.js')).crossCheckSyntax(opts.python, analysed.filter((f) => gated.has(f.absPath)), (f) => reader.read(f.absPath), cwd)
    : null;
  const analysedLoops = analysed.flatMap((f) => f.loops);
  const allGroups = consistencyGroups(analysedLoops, config.consistency);
  const allFindings = collectFindings({
    files: analysed,
    loops: analysedLoops,
    ctx: { files: analysed, loops: analysedLoops, groups: allGroups, require: config.require, bounds: config.bounds, requireSuppressionReason: config.requireSuppressionReason },
    rules: config.rules,
    requireSuppressionReason: config.requireSuppressionReason,
  });
  // Rules saw every analysed file; the gate, the table and the report see the gated ones.
  const files = analysed.filter((f) => gated.has(f.absPath));
  const inGate = new Set(files.map((f) => f.file));
  const loops = analysedLoops.filter((l) => inGate.has(l.file));
  // A consistency group is judged whole: a gated loop can make the others of its group differ.
  const groups = allGroups.filter((g) => g.loops.some((l) => inGate.has(l.file)));
  const grouped = new Set(groups.flatMap((g) => g.loops));
  const findings = allFindings.filter((f) => inGate.has(f.file) || (f.ruleId === 'HG002' && f.loop !== null && grouped.has(f.loop)));
  let baseline: RunResult['baseline'] = null;
  if (opts.baseline !== undefined) {
    // Imported only with --baseline: its zod schema is a tenth of a second of start-up.
    const { applyBaseline, readBaseline } = await import('./baseline.js');
    const baselinePath = path.resolve(cwd, opts.baseline);
    const outcome = applyBaseline({ baseline: readBaseline(baselinePath, opts.baseline), baselinePath, findings, files, cwd });
    baseline = { file: opts.baseline, ...outcome };
  }
  // The report's target: the one most files have (the syntax row names every one used).
  const target =
    mostCommonTarget(files.flatMap((f) => (f.target ? [f.target] : []))) ??
    (await targetFor(commonDir(discovered.filter((d) => d.language === 'python').map((d) => path.dirname(d.absPath))) ?? cwd));
  const disabled = new Set<RuleId>(ALL_RULES.filter((r) => config.rules[r.id] === 'off').map((r) => r.id));
  const checks = await runChecks({
    files,
    loops,
    findings,
    config,
    target,
    disabled,
    syntaxCrossCheck,
    groups,
    cwd,
    repoRoot,
    base: breakingBase,
    ...(baseLookup ? { baseLookup } : {}),
    ...(selection?.breakingBase ? { baseLabel: selection.breakingBase.label } : {}),
    sources: files.map((f) => {
      const read = (): string | null => reader.read(f.absPath);
      const index = cache?.store.index;
      return { file: f.file, absPath: f.absPath, language: f.language, read, blob: () => (index ? index.blobOf(f.absPath, read) : blobOfText(read())) };
    }),
  });
  // Saved after the checks: the breaking row adds the blob ids it computed to the stat index.
  cache?.store.save(prefilterFacts);
  const live = findings.filter((f) => !f.suppressed);
  const records = loops.map((l) => loopRecord(l, findings));
  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    target,
    summary: {
      files: files.length,
      loops: loops.length,
      guarded: loops.filter((l) => meetsPolicy(l, findings)).length,
      errors: live.filter((f) => f.severity === 'error').length,
      warnings: live.filter((f) => f.severity === 'warning').length,
    },
    checks,
    loops: records,
    findings: live.map(orderFinding),
  };
  return { report, findings, files, loops, config, notes, root: displayRoot(cwd, root), baseline, cache: cache?.store.stats ?? null };
}
