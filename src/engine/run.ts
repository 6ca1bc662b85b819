// The scan pipeline, one way: files → parse → loop model → rules and checks → report.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { ALL_RULES } from '../../rules/index.js';
import { runChecks } from '../checks/index.js';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/types.js';
import { analyzePython, withLazyLines } from '../languages/python/analyze.js';
import { NestingLimitError } from '../languages/python/nodes.js';
import { loadParser } from '../languages/python/parser.js';
import { LoopPrefilter } from '../languages/python/prefilter.js';
import { RepoIndex } from '../languages/python/repo-index.js';
import { crossCheckSyntax, type SyntaxCrossCheck } from '../languages/python/interpreter-check.js';
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
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import type { BaselineOutcome } from './baseline.js';
import { selectChanges } from './changes.js';
import { discoverFiles, type DiscoveredFile } from './discover.js';
import { collectFindings } from './findings.js';
import { gitRoot } from './git.js';
import { consistencyGroups } from './groups.js';
import { ResultCache } from './cache.js';
import { PythonPool, threadsFor } from './python-pool.js';
import type { WorkerReply } from './python-worker.js';
import { readSource, type ReadResult } from './read.js';
import { analyseScripts } from './scripts.js';

export interface RunOptions {
  cwd: string;
  paths: string[];
  configPath?: string;
  /** false (`--no-prefilter`): run the loop analysis on every Python file, not only where the text prefilter says a loop can be. */
  prefilter?: boolean;
  /** `--cache [DIR]`: keep loop-free files' results between runs in DIR (true: .handshake-guard-cache in the cwd). */
  cache?: string | boolean;
  /** `--jobs N`: threads that parse Python files (default: one per core, up to 4, when there are enough files; 1: none). */
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
  /** `--project FILE`: TS/JS socket types from this tsconfig.json's type checker (opt-in). */
  project?: string;
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
}

const PENDING_NOTE = '\0pending';

function emptyAnalysis(file: string, absPath: string, reason: string): FileAnalysis {
  return { file, absPath, language: 'python', skipped: reason, syntax: [], loops: [], suppressions: [], lines: [] };
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

export async function run(opts: RunOptions): Promise<RunResult> {
  const cwd = path.resolve(opts.cwd);
  const config = await loadConfig({ cwd, ...(opts.configPath ? { configPath: opts.configPath } : {}) });
  if (opts.require) config.require = opts.require;
  const paths = opts.paths.length ? opts.paths : ['.'];
  const diffAware = opts.staged === true || opts.base !== undefined;
  const selection = diffAware ? await selectChanges({ cwd, paths: opts.paths, config, staged: opts.staged === true, ...(opts.base !== undefined ? { base: opts.base } : {}) }) : null;
  // Diff-aware runs gate the changed files; a repository-wide consistency group still needs every file.
  const walked = selection === null || config.consistency === 'repository' ? await discoverFiles({ paths, cwd, config }) : null;
  const gated = new Set((selection?.files ?? walked?.files ?? []).map((d) => d.absPath));
  const discovered = mergeDiscovered(selection?.files ?? [], walked?.files ?? []);
  const notes = [...(selection?.notes ?? []), ...(walked?.notes ?? [])];
  const repoRoot = selection?.root ?? (await gitRoot(cwd));
  const root = repoRoot ?? cwd;
  // Each file's target comes from the files nearest to it (a monorepo's services may differ).
  const targetFor = await pythonTargetResolver({
    ...(opts.pythonVersion ? { cliVersion: opts.pythonVersion } : {}),
    config,
    stopDir: root,
    displayDir: cwd,
  });

  const parser = await loadParser();
  const sources = new Map<string, string | null>();
  // Under --staged every file, helpers included, is read from the index: what will be committed.
  const readFile = (absPath: string): ReadResult =>
    selection?.read ? (selection.read(absPath) ?? { ok: false, reason: 'not in the git index' }) : readSource(absPath, config.maxFileBytes);
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
  const index = new RepoIndex(parser, cwd, reader);
  const prefilter = opts.prefilter === false ? null : new LoopPrefilter(config.receiveMethods, cwd, reader);
  const analysed: FileAnalysis[] = [];
  const total = discovered.filter((d) => d.language === 'python').length;
  const scriptFiles = discovered.filter((d) => d.language === 'typescript' || d.language === 'javascript').length;
  const progress = { read: 0, parsed: 0, total: total + scriptFiles };
  // Worker threads parse when there is enough work on a plain working-tree scan (--jobs N).
  const threads = opts.sourceOverrides || selection?.read ? 1 : threadsFor(total, opts.jobs);
  const pool = threads > 1 ? new PythonPool(threads, { cwd, maxFileBytes: config.maxFileBytes, receiveMethods: config.receiveMethods, connectionNames: config.connectionNames, guardHelpers: config.guardHelpers }) : null;
  const cache = opts.cache && !opts.sourceOverrides ? new ResultCache(path.resolve(cwd, typeof opts.cache === 'string' ? opts.cache : '.handshake-guard-cache')) : null;
  const pending: { at: number; noteAt: number; d: DiscoveredFile; text: string; reply: Promise<WorkerReply>; cacheKey: string | null; target: TargetVersion; loops: boolean }[] = [];
  // A file a failed thread handed back is analysed here, as a one-thread scan would.
  const analyseHere = (d: DiscoveredFile, text: string, target: TargetVersion, loops: boolean): Exclude<WorkerReply, { retry: true }> => {
    try {
      const analysis = analyzePython(d.relPath, d.absPath, text, { parser, index, target, receiveMethods: config.receiveMethods, connectionNames: config.connectionNames, guardHelpers: config.guardHelpers, loops });
      return { id: -1, analysis };
    } catch (e) {
      return { id: -1, error: e instanceof NestingLimitError ? e.message : `analysis failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
    }
  };
  try {
    for (const d of discovered) {
      if (d.language !== 'python') continue;
      const override = opts.sourceOverrides?.get(d.absPath);
      const r = override !== undefined ? ({ ok: true, text: override } as const) : readFile(d.absPath);
      if (!r.ok) {
        if (gated.has(d.absPath)) {
          analysed.push(emptyAnalysis(d.relPath, d.absPath, r.reason));
          notes.push(`${d.relPath}: not read: ${r.reason}`);
        }
        continue;
      }
      sources.set(d.absPath, r.text);
      progress.read++;
      opts.onProgress?.(progress);
      const target = await targetFor(path.dirname(d.absPath));
      const loops = prefilter === null || prefilter.needsLoopAnalysis(d.absPath, r.text);
      const cacheKey = cache && !loops ? cache.key(r.text, target) : null;
      const cached = cacheKey ? cache?.get(cacheKey, d.relPath, d.absPath, target) : null;
      if (cached) {
        analysed.push(withLazyLines(cached, r.text));
        progress.parsed++;
        opts.onProgress?.(progress);
        continue;
      }
      if (pool) {
        // Placeholders keep the results and notes in discovery order.
        const reply = pool.analyse({ relPath: d.relPath, absPath: d.absPath, text: r.text, target, loops });
        void reply.then(() => {
          progress.parsed++;
          opts.onProgress?.(progress);
        }, () => {});
        pending.push({ at: analysed.length, noteAt: notes.length, d, text: r.text, reply, cacheKey, target, loops });
        analysed.push(emptyAnalysis(d.relPath, d.absPath, 'pending'));
        notes.push(PENDING_NOTE);
        continue;
      }
      try {
        const analysis = analyzePython(d.relPath, d.absPath, r.text, {
          parser,
          index,
          target,
          receiveMethods: config.receiveMethods,
          connectionNames: config.connectionNames,
          guardHelpers: config.guardHelpers,
          loops,
        });
        if (cacheKey) cache?.put(cacheKey, analysis);
        analysed.push(analysis);
      } catch (e) {
        // One file the analyser cannot handle must not stop the scan: report it and go on.
        const reason = e instanceof NestingLimitError ? e.message : `analysis failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
        analysed.push(emptyAnalysis(d.relPath, d.absPath, reason));
        notes.push(`${d.relPath}: ${reason}`);
      }
      progress.parsed++;
      opts.onProgress?.(progress);
    }
    for (const p of pending) {
      const answer = await p.reply;
      const reply = 'retry' in answer ? analyseHere(p.d, p.text, p.target, p.loops) : answer;
      if ('analysis' in reply) {
        analysed[p.at] = withLazyLines(reply.analysis, p.text);
        if (p.cacheKey) cache?.put(p.cacheKey, reply.analysis);
      } else {
        analysed[p.at] = emptyAnalysis(p.d.relPath, p.d.absPath, reply.error);
        notes[p.noteAt] = `${p.d.relPath}: ${reply.error}`;
      }
    }
    for (let i = notes.length - 1; i >= 0; i--) if (notes[i] === PENDING_NOTE) notes.splice(i, 1);
    cache?.save();
  } finally {
    index.dispose();
    await pool?.close();
  }
  const onFile = (): void => {
    progress.read++;
    progress.parsed++;
    opts.onProgress?.(progress);
  };
  await analyseScripts(discovered, { reader, readFile, gated, analysed, notes, onFile, guardHelpers: config.guardHelpers, ...(opts.sourceOverrides ? { overrides: opts.sourceOverrides } : {}), ...(opts.project ? { tsconfig: path.resolve(cwd, opts.project) } : {}) }, sources);

  // --python: the interpreter cross-checks HG011 before the rules read the syntax problems.
  const syntaxCrossCheck: SyntaxCrossCheck | null = opts.python
    ? await crossCheckSyntax(opts.python, analysed.filter((f) => gated.has(f.absPath)), (f) => sources.get(f.absPath) ?? null, cwd)
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
    base: selection?.breakingBase?.commit ?? opts.base ?? null,
    ...(selection?.breakingBase ? { baseLabel: selection.breakingBase.label } : {}),
    sources: files.map((f) => ({ file: f.file, absPath: f.absPath, language: f.language, source: sources.get(f.absPath) ?? null })),
  });
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
  return { report, findings, files, loops, config, notes, root: displayRoot(cwd, root), baseline };
}
