// The scan pipeline, one way: files → parse → loop model → rules and checks → report.
import path from 'node:path';
import { ALL_RULES } from '../../rules/index.js';
import { runChecks } from '../checks/index.js';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/types.js';
import { analyzePython } from '../languages/python/analyze.js';
import { loadParser } from '../languages/python/parser.js';
import { RepoIndex } from '../languages/python/repo-index.js';
import { resolvePythonTarget } from '../languages/python/target-version.js';
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
} from '../model.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { discoverFiles } from './discover.js';
import { collectFindings } from './findings.js';
import { gitRoot } from './git.js';
import { consistencyGroups } from './groups.js';
import { readSource } from './read.js';

export interface RunOptions {
  cwd: string;
  paths: string[];
  configPath?: string;
  pythonVersion?: string;
  require?: RequirePolicy;
  /** `--base REF`: the breaking-change base (default HEAD). */
  base?: string;
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
}

function emptyAnalysis(file: string, absPath: string, reason: string): FileAnalysis {
  return { file, absPath, language: 'python', skipped: reason, syntax: [], loops: [], suppressions: [], lines: [] };
}

function loopStatus(loop: MessageLoop, findings: readonly Finding[]): LoopStatus {
  const coverage = findings.filter((f) => f.loop === loop && (f.ruleId === 'HG001' || f.ruleId === 'HG003'));
  if (coverage.length === 0) return 'pass';
  return coverage.every((f) => f.suppressed) ? 'suppressed' : 'fail';
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

export async function run(opts: RunOptions): Promise<RunResult> {
  const cwd = path.resolve(opts.cwd);
  const config = await loadConfig({ cwd, ...(opts.configPath ? { configPath: opts.configPath } : {}) });
  if (opts.require) config.require = opts.require;
  const paths = opts.paths.length ? opts.paths : ['.'];
  const { files: discovered, notes } = await discoverFiles({ paths, cwd, config });
  const root = (await gitRoot(cwd)) ?? cwd;
  const target = await resolvePythonTarget({
    ...(opts.pythonVersion ? { cliVersion: opts.pythonVersion } : {}),
    config,
    startDir: commonDir(discovered.filter((d) => d.language === 'python').map((d) => path.dirname(d.absPath))) ?? cwd,
    stopDir: root,
    displayDir: cwd,
  });

  const parser = await loadParser();
  const sources = new Map<string, string | null>();
  const reader = {
    read(absPath: string): string | null {
      const override = opts.sourceOverrides?.get(absPath);
      if (override !== undefined) return override;
      if (!sources.has(absPath)) {
        const r = readSource(absPath);
        sources.set(absPath, r.ok ? r.text : null);
      }
      return sources.get(absPath) ?? null;
    },
  };
  const index = new RepoIndex(parser, cwd, reader);
  const files: FileAnalysis[] = [];
  try {
    for (const d of discovered) {
      if (d.language !== 'python') continue;
      const override = opts.sourceOverrides?.get(d.absPath);
      const r = override !== undefined ? ({ ok: true, text: override } as const) : readSource(d.absPath);
      if (!r.ok) {
        files.push(emptyAnalysis(d.relPath, d.absPath, r.reason));
        continue;
      }
      sources.set(d.absPath, r.text);
      try {
        files.push(
          analyzePython(d.relPath, d.absPath, r.text, {
            parser,
            index,
            receiveMethods: config.receiveMethods,
            connectionNames: config.connectionNames,
            guardHelpers: config.guardHelpers,
          }),
        );
      } catch (e) {
        // One file the analyser cannot handle must not stop the scan: report it and go on.
        const reason = `analysis failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
        files.push(emptyAnalysis(d.relPath, d.absPath, reason));
        notes.push(`${d.relPath}: ${reason}`);
      }
    }
  } finally {
    index.dispose();
  }
  const others = discovered.filter((d) => d.language !== 'python').length;
  if (others > 0) notes.push(`${others} TypeScript/JavaScript file${others === 1 ? '' : 's'} not analysed: TS/JS support is not built yet`);

  const loops = files.flatMap((f) => f.loops);
  const groups = consistencyGroups(loops, config.consistency);
  const findings = collectFindings({
    files,
    loops,
    ctx: { files, loops, groups, require: config.require, bounds: config.bounds, requireSuppressionReason: config.requireSuppressionReason },
    rules: config.rules,
    requireSuppressionReason: config.requireSuppressionReason,
  });
  const disabled = new Set<RuleId>(ALL_RULES.filter((r) => config.rules[r.id] === 'off').map((r) => r.id));
  const checks = await runChecks({
    files,
    loops,
    findings,
    config,
    target,
    disabled,
    groups,
    cwd,
    base: opts.base ?? null,
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
      guarded: records.filter((r) => r.status === 'pass').length,
      errors: live.filter((f) => f.severity === 'error').length,
      warnings: live.filter((f) => f.severity === 'warning').length,
    },
    checks,
    loops: records,
    findings: live.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      file: f.file,
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      message: f.message,
      fixable: f.fixable,
    })),
  };
  return { report, findings, files, loops, config, notes };
}
