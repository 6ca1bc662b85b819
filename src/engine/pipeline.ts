// The pipeline of a run that has work to do (run.ts decided what to look at): read, take what
// the result cache holds, parse and analyse the rest, run the rules and the checks, build the
// report, and keep it for the next run when it may be reused whole (report-memo.ts).
import { readFileSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { ALL_RULES } from '../../rules/index.js';
import { startBaseLookup } from '../checks/breaking-base.js';
import { runChecks } from '../checks/index.js';
import type { SyntaxCrossCheck } from '../languages/python/interpreter-check.js';
import { mostCommonTarget } from '../languages/python/target-version.js';
import { SCHEMA_VERSION, type FileAnalysis, type Finding, type LoopRecord, type LoopStatus, type MessageLoop, type Report, type RuleId } from '../model.js';
import { displayRoot } from '../paths.js';
import { orderFinding } from '../report/json.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { ResultCache } from './cache.js';
import { FactProbe, type Fact, type FactSource } from './deps.js';
import { collectFindings, policyFailures } from './findings.js';
import { blobId, blobIdOfBytes } from './git.js';
import { withRegularFile } from '../text-file.js';
import { consistencyGroups } from './groups.js';
import { analysePythonFiles } from './python-files.js';
import { readSource, type ReadResult } from './read.js';
import { deletedSince, type DeletedFile } from './deleted.js';
import { factsBeyond, forget, remember } from './report-memo.js';
import { withLazyLines } from './lazy-lines.js';
import type { RunContext, RunOptions, RunResult } from './run.js';
import { analyseScripts } from './scripts.js';

/** The cache shard for this scan. */
function openCache(opts: RunOptions, id: { file: string; salt: string }, reader: FactSource, listings?: ReadonlyMap<string, Dirent[]>): { store: ResultCache; probe: FactProbe } {
  // Under --staged the content comes from git's index: the working tree's stat says nothing of it.
  const store = new ResultCache(id.file, id.salt, !opts.staged);
  return { store, probe: new FactProbe(reader, store.index, listings) };
}

function blobOfText(text: string | null): string | null {
  return text === null ? null : blobId(text);
}

/** Files past this are taken as changed without reading them for their blob id. */
const MAX_BLOB_BYTES = 256 * 1024 * 1024;

/**
 * The blob id of a working-tree file the scan did not read as text (too large, binary,
 * undecodable), from its bytes: a vendored bundle unchanged since the base is then not "changed
 * and not compared" on every run. Null when it cannot be read either.
 */
function blobOfBytes(absPath: string): string | null {
  try {
    const bytes = withRegularFile(absPath, (fd, st) => (st.size > MAX_BLOB_BYTES ? null : readFileSync(fd)));
    return bytes === 'not-regular' || bytes === null ? null : blobIdOfBytes(bytes);
  } catch {
    return null;
  }
}

/** fail: an error-severity finding is on the loop (any rule); suppressed: its findings are all suppressed. */
function loopStatus(loop: MessageLoop, findings: readonly Finding[]): LoopStatus {
  const own = findings.filter((f) => f.loop === loop);
  if (own.some((f) => !f.suppressed && f.severity === 'error')) return 'fail';
  return own.some((f) => f.suppressed) ? 'suppressed' : 'pass';
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

/**
 * What the gate sees of an unchanged dependent (diff-aware runs): the loops that rest on a changed
 * file, nothing else of it (its syntax, platform issues and suppressions are not the change's).
 */
function dependentView(f: FileAnalysis, loops: MessageLoop[]): FileAnalysis {
  const view: FileAnalysis = { file: f.file, absPath: f.absPath, language: f.language, skipped: f.skipped, syntax: [], loops, issues: [], suppressions: [], lines: [] };
  return withLazyLines(view, () => f.lines.join('\n'));
}

export async function analyseRun(ctx: RunContext): Promise<RunResult> {
  const { opts, cwd, config, selection, walked, gated, discovered, dependents, notes, repoRoot, root, breakingBase, targetFor, stopFor, cacheId, memo } = ctx;
  const sources = new Map<string, string | null>();
  // Under --staged every file, helpers included, is read from the index: what will be committed.
  let cache: ReturnType<typeof openCache> | null = null;
  const readFile = (absPath: string): ReadResult => {
    if (selection?.read) return selection.read(absPath) ?? { ok: false, reason: 'not in the git index' };
    const r = readSource(absPath, config.maxFileBytes);
    if (r.stamp) {
      if (r.ok) cache?.store.index?.noteRead(absPath, r.stamp);
      else cache?.store.index?.noteRefused(absPath, r.stamp);
    }
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
  // The root as the working directory spells it (git resolves symlinks): reports name files from it.
  const shownRoot = displayRoot(cwd, root);

  // The breaking row's git questions need only the names: git answers while the files are read.
  const baseLookup = repoRoot === null ? null : startBaseLookup(repoRoot, breakingBase ?? 'HEAD', discovered.flatMap((d) => (gated.has(d.absPath) ? [d.absPath] : [])), walked?.realPaths);
  // And the files the base has that are gone (a full scan asks git for them; a diff knows them).
  const deletions: Promise<{ files: DeletedFile[]; facts: Fact[] }> =
    selection !== null || repoRoot === null
      ? Promise.resolve({ files: selection?.deleted ?? [], facts: [] })
      : deletedSince({ root: repoRoot, spelledRoot: shownRoot, ref: 'HEAD', cwd, scanned: ctx.scanned, present: new Set(discovered.map((d) => d.absPath)), config });
  // Awaited after the analysis: an early failure must not count as unhandled meanwhile.
  deletions.catch(() => {});
  cache = cacheId ? openCache(opts, cacheId, reader, walked?.listings) : null;
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
    ...(selection ? { dependencies: true, dependents } : {}),
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
  await analyseScripts(discovered, { reader, readFile, gated, analysed, notes, onFile, guardHelpers: config.guardHelpers, prefilter: opts.prefilter !== false, receiveMethods: config.receiveMethods, connectionNames: config.connectionNames, types: opts.types === false ? false : { explicit: opts.project ? path.resolve(cwd, opts.project) : null, stopFor, cwd }, cache, ...(opts.sourceOverrides ? { overrides: opts.sourceOverrides } : {}), ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}), threads: !opts.sourceOverrides && !selection?.read, maxFileBytes: config.maxFileBytes, ...(selection ? { dependencies: true, dependents } : {}) }, sources);

  // --python: the interpreter cross-checks HG011 before the rules read the syntax problems.
  const syntaxCrossCheck: SyntaxCrossCheck | null = opts.python
    ? await (await import('../languages/python/interpreter-check.js')).crossCheckSyntax(opts.python, analysed.filter((f) => gated.has(f.absPath)), (f) => reader.read(f.absPath), cwd)
    : null;
  const analysedLoops = analysed.flatMap((f) => f.loops);
  const allGroups = consistencyGroups(analysedLoops, config.consistency);
  const findingsInput = {
    files: analysed,
    loops: analysedLoops,
    ctx: { files: analysed, loops: analysedLoops, groups: allGroups, require: config.require, bounds: config.bounds, requireSuppressionReason: config.requireSuppressionReason },
    rules: config.rules,
    requireSuppressionReason: config.requireSuppressionReason,
  };
  const allFindings = collectFindings(findingsInput);
  const unguarded = policyFailures(findingsInput, allFindings);
  // Rules saw every analysed file; the gate, the table and the report see the gated ones — and,
  // of an unchanged dependent, the loops whose guard or receive rests on a changed file's
  // definitions (its other loops, syntax and issues are not this change's).
  const changedFiles = selection?.changed ?? new Set<string>();
  const restsOnChange = (l: MessageLoop): boolean => l.dependsOn?.some((f) => changedFiles.has(f)) === true;
  const gatedFiles = analysed.filter((f) => gated.has(f.absPath));
  const inGate = new Set(gatedFiles.map((f) => f.file));
  const files: FileAnalysis[] = [];
  const dependentLoops = new Set<MessageLoop>();
  const gatedDependents = new Set<string>();
  for (const f of analysed) {
    if (gated.has(f.absPath)) files.push(f);
    else if (dependents.has(f.absPath)) {
      const kept = f.loops.filter(restsOnChange);
      if (kept.length === 0) continue;
      for (const l of kept) dependentLoops.add(l);
      gatedDependents.add(f.absPath);
      files.push(dependentView(f, kept));
    }
  }
  if (selection !== null && gatedDependents.size > 0) {
    const n = dependentLoops.size;
    const named = files.filter((f) => gatedDependents.has(f.absPath)).map((f) => f.file);
    const list = named.slice(0, 3).join(', ') + (named.length > 3 ? `, and ${named.length - 3} more` : '');
    notes.push(`${named.length === 1 ? '1 unchanged file' : `${named.length} unchanged files`} (${list}) added: ${n === 1 ? '1 loop there rests' : `${n} loops there rest`} on a changed file's definitions (its guard or receive goes through them)`);
  }
  const loops = files.flatMap((f) => f.loops);
  // A consistency group is judged whole: a gated loop can make the others of its group differ.
  const groups = allGroups.filter((g) => g.loops.some((l) => inGate.has(l.file)));
  const grouped = new Set(groups.flatMap((g) => g.loops));
  const findings = allFindings.filter((f) => inGate.has(f.file) || (f.loop !== null && dependentLoops.has(f.loop)) || (f.ruleId === 'HG002' && f.loop !== null && grouped.has(f.loop)));
  // `fix` leaves a dependent alone (the change to fix is the helper's): not fixable there.
  for (const f of findings) if (f.loop !== null && dependentLoops.has(f.loop)) f.fixable = false;
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
  const deleted = await deletions;
  const checks = await runChecks({
    // The rows about files (syntax, analysis failures) judge the changed ones; a dependent's loops are in `loops`.
    files: gatedFiles,
    loops,
    findings,
    config,
    target,
    disabled,
    unguarded,
    syntaxCrossCheck,
    groups,
    cwd,
    repoRoot,
    base: breakingBase,
    ...(baseLookup ? { baseLookup } : {}),
    deleted: deleted.files,
    readSource: (absPath) => reader.read(absPath),
    ...(selection?.breakingBase ? { baseLabel: selection.breakingBase.label } : {}),
    // The breaking row compares the changed files (a dependent is unchanged).
    sources: gatedFiles.map((f) => {
      const read = (): string | null => reader.read(f.absPath);
      const index = cache?.store.index;
      // Under --staged the content is the index's: the working tree's bytes say nothing of it.
      // Asked up to twice (the base lookup, then a file refused as text): computed once.
      let id: string | null | undefined;
      const blob = (): string | null => {
        if (id === undefined) id = (index ? index.blobOf(f.absPath, read) : blobOfText(read())) ?? (selection?.read ? null : blobOfBytes(f.absPath));
        return id;
      };
      return { file: f.file, absPath: f.absPath, language: f.language, read, blob };
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
      guarded: loops.filter((l) => !unguarded.has(l)).length,
      errors: live.filter((f) => f.severity === 'error').length,
      warnings: live.filter((f) => f.severity === 'warning').length,
    },
    checks,
    loops: records,
    findings: live.map(orderFinding),
  };
  if (memo && cache) {
    // Kept only when every file's result came from the cache and every file's stat vouches for
    // what was analysed; else the old memo goes (it no longer describes the tree).
    const { index } = cache.store;
    const inUse = cache.store.inUse(prefilterFacts);
    const stamps = discovered.map((d) => (inUse.files.has(d.absPath) ? index?.readStamp(d.absPath) : index?.refusedStamp(d.absPath)) ?? null);
    // The breaking row's deleted files: whether each file the base has and the walk did not find exists.
    const facts = factsBeyond([...inUse.facts, ...deleted.facts], discovered, walked?.listings ?? new Map(), cache.probe);
    if (stamps.every((s): s is string => s !== null)) {
      const problem = remember(memo.file, memo.key, { files: discovered, stamps, facts, sources: memo.targetSources }, { report, findings, files, loops, notes, baseline, cached: inUse.files.size });
      if (problem) cache.store.stats.problems.push(problem);
    } else forget(memo.file);
  }
  return { report, findings, files, loops, config, notes, root: shownRoot, baseline, cache: cache?.store.stats ?? null, tsconfigChoice: { explicit: opts.project ? path.resolve(cwd, opts.project) : null, stopFor }, ...(selection?.stagedBytes ? { stagedBytes: selection.stagedBytes } : {}), ...(analysedLoops.length !== loops.length ? { contextLoops: analysedLoops } : {}), ...(gatedDependents.size > 0 ? { dependents: gatedDependents } : {}) };
}
