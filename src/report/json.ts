// `--format json` (SPEC §9): the stable contract for other tools. Every object is rebuilt
// field by field so that key order follows src/model.ts whatever order the report was
// assembled in, and nothing outside the contract leaks into the output.
import type { CheckResult, Fingerprint, FindingRecord, LoopRecord, Report } from '../model.js';

export function renderJson(report: Report): string {
  return `${JSON.stringify(orderReport(report), null, 2)}\n`;
}

/** The report with keys in contract order (what `renderJson` serialises). */
export function orderReport(report: Report): Report {
  return {
    schemaVersion: report.schemaVersion,
    tool: { name: report.tool.name, version: report.tool.version },
    target: { pythonVersion: report.target.pythonVersion, source: report.target.source },
    summary: {
      files: report.summary.files,
      loops: report.summary.loops,
      guarded: report.summary.guarded,
      errors: report.summary.errors,
      warnings: report.summary.warnings,
    },
    checks: report.checks.map(orderCheck),
    loops: report.loops.map(orderLoop),
    findings: report.findings.map(orderFinding),
  };
}

function orderCheck(c: CheckResult): CheckResult {
  return { id: c.id, title: c.title, status: c.status, details: c.details };
}

function orderLoop(l: LoopRecord): LoopRecord {
  return {
    file: l.file,
    line: l.line,
    endLine: l.endLine,
    function: l.function,
    language: l.language,
    framework: l.framework,
    receive: { line: l.receive.line, column: l.receive.column, call: l.receive.call },
    guard: {
      kind: l.guard.kind,
      line: l.guard.line,
      fingerprint: l.guard.fingerprint === null ? null : orderFingerprint(l.guard.fingerprint),
    },
    status: l.status,
    confidence: l.confidence,
  };
}

function orderFingerprint(f: Fingerprint): Fingerprint {
  return {
    timeoutSeconds: f.timeoutSeconds,
    intervalSeconds: f.intervalSeconds,
    states: [...f.states],
    clock: f.clock,
    sleep: f.sleep,
    onTimeout: f.onTimeout,
    logsOnTimeout: f.logsOnTimeout,
    exitsOnTerminalState: f.exitsOnTerminalState,
    placement: f.placement,
  };
}

/** A finding as the JSON contract has it: these fields, in this order (a Finding carries more). */
export function orderFinding(f: FindingRecord): FindingRecord {
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    file: f.file,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    message: f.message,
    fixable: f.fixable,
  };
}
