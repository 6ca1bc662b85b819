// `--format text` (SPEC §9): Ruff/ESLint-style findings with code frames, a summary,
// the loop inventory and the verification table. A pure function: the CLI decides
// whether to color (TTY, NO_COLOR, FORCE_COLOR) and passes the answer in.
import { Chalk, type ChalkInstance } from 'chalk';
import type { CheckResult, CheckStatus, FileAnalysis, Finding, LoopRecord, Report } from '../model.js';
import { escapeCodeLine, escapeControl, stripCr } from './escape.js';
import { describeFingerprint } from './fingerprint-text.js';
import { GUARDED_BY_INSERT } from '../fix/refusals.js';

export interface TextInput {
  report: Report;
  findings: Finding[];
  files: FileAnalysis[];
  color: boolean;
  showTable: boolean;
  showLoops: boolean;
  /** How to name the directory the paths are relative to, e.g. `backend/`. */
  cwdLabel?: string;
  /** `--strict`: a `warn` row fails the gate too. */
  strict?: boolean;
  /** `verify --quiet`: of the table, only the rows that fail the gate, and the gate line. */
  gateOnly?: boolean;
  /** False under `--fail-on never`: a failed gate is shown as not enforced (the exit code is 0). */
  enforced?: boolean;
}

export function renderText(input: TextInput): string {
  const c = new Chalk({ level: input.color ? 1 : 0 });
  const shown = input.findings.filter((f) => !f.suppressed);
  const sections: string[] = [];
  const byFile = new Map(input.files.map((f) => [f.file, f]));
  for (const group of groupByFile(shown)) {
    sections.push(group.map((f) => renderFinding(c, f, byFile.get(f.file)?.lines ?? null)).join('\n\n'));
  }
  if (input.showLoops && input.report.loops.length > 0) sections.push(renderLoops(c, input.report.loops));
  sections.push(renderSummary(c, input, shown));
  if (input.showTable) sections.push(renderTable(c, input.report.checks, input.strict ?? false, input.gateOnly ?? false, input.enforced ?? true));
  return `${sections.join('\n\n')}\n`;
}

// ---- findings ----

function groupByFile(findings: Finding[]): Finding[][] {
  const sorted = [...findings].sort(
    (a, b) => compare(a.file, b.file) || a.line - b.line || a.column - b.column || compare(a.ruleId, b.ruleId),
  );
  const groups = new Map<string, Finding[]>();
  for (const f of sorted) {
    const group = groups.get(f.file) ?? [];
    group.push(f);
    groups.set(f.file, group);
  }
  return [...groups.values()];
}

function renderFinding(c: ChalkInstance, f: Finding, lines: string[] | null): string {
  const paint = f.severity === 'error' ? c.red : c.yellow;
  const head =
    `${c.bold(escapeControl(f.file))}${c.dim(`:${f.line}:${f.column}:`)} ` +
    `${paint.bold(f.ruleId)} ${paint(`[${f.severity}]`)} ${escapeControl(f.message)}`;
  const frame = lines ? codeFrame(c, f, lines) : [];
  return [head, ...frame].join('\n');
}

/** Code frames show at most this many characters of a line (a minified file's line can be megabytes). */
const FRAME_WIDTH = 160;

/**
 * The line before and the finding's line, in a numbered gutter, and carets under the span. A
 * line longer than FRAME_WIDTH shows the window around the finding's column, with `…` where it
 * was cut (both lines the same window, so they stay aligned).
 */
function codeFrame(c: ChalkInstance, f: Finding, lines: string[]): string[] {
  const text = lines[f.line - 1];
  if (text === undefined) return [];
  const first = Math.max(1, f.line - 1);
  const width = String(f.line).length;
  const line = stripCr(text);
  const start = Math.min(Math.max(f.column - 1, 0), line.length);
  const end = f.endLine === f.line && f.endColumn > f.column ? Math.min(f.endColumn - 1, line.length) : start + 1;
  const from = line.length > FRAME_WIDTH ? Math.max(0, Math.min(start - 40, line.length - FRAME_WIDTH)) : 0;
  const to = from + FRAME_WIDTH;
  const clip = (l: string): string => {
    const t = stripCr(l);
    if (t.length <= FRAME_WIDTH && from === 0) return l;
    return `${from > 0 ? '…' : ''}${t.slice(from, to)}${t.length > to ? '…' : ''}`;
  };
  const out: string[] = [];
  for (let n = first; n <= f.line; n++) {
    out.push(`${c.blue(`${String(n).padStart(width)} |`)} ${escapeCodeLine(clip(lines[n - 1] ?? ''))}`);
  }
  // Tabs stay tabs and escapes keep their printed width, so the carets line up.
  const pad = (from > 0 ? ' ' : '') + escapeCodeLine(line.slice(from, start)).replace(/[^\t]/g, ' ');
  const carets = '^'.repeat(Math.max(1, escapeCodeLine(line.slice(start, Math.min(end, to))).length));
  const paint = f.severity === 'error' ? c.red : c.yellow;
  out.push(`${c.blue(`${' '.repeat(width)} |`)} ${pad}${paint(carets)}`);
  return out;
}

// ---- summary ----

function renderSummary(c: ChalkInstance, input: TextInput, shown: Finding[]): string {
  const { summary } = input.report;
  const errors = shown.filter((f) => f.severity === 'error').length;
  const warnings = shown.filter((f) => f.severity === 'warning').length;
  const suppressed = input.findings.length - shown.length;
  const files = new Set(shown.map((f) => f.file)).size;
  // `guarded` counts every loop that meets the policy; say how many of those the framework guards.
  const framework = input.report.loops.filter((l) => l.guard.kind === 'framework').length;
  const facts = [`${plural(summary.loops, 'loop')}, ${summary.guarded} guarded${framework > 0 ? `, ${framework} of them by the framework` : ''}`];
  const baselined = input.findings.filter((f) => f.baselined === true).length;
  if (suppressed > 0) facts.push(`${suppressed} suppressed${baselined > 0 ? ` (${baselined} by the baseline)` : ''}`);
  if (input.cwdLabel !== undefined) facts.push(`paths relative to ${escapeControl(input.cwdLabel)}`);
  const counts = [errors > 0 ? plural(errors, 'error') : '', warnings > 0 ? plural(warnings, 'warning') : '']
    .filter((s) => s !== '')
    .join(' and ');
  // Without findings a row of the table can still fail (Breaking Changes): then "no problems" would be wrong.
  const rowFails = input.showTable === true && gateFailures(input.report.checks, input.strict ?? false).length > 0;
  const line =
    counts === ''
      ? (rowFails ? `No findings in ${plural(summary.files, 'file')}` : c.green(`No problems found in ${plural(summary.files, 'file')}`)) + ` (${facts.join('; ')}).`
      : `${(errors > 0 ? c.red : c.yellow).bold(`Found ${counts}`)} in ${plural(files, 'file')} (${facts.join('; ')}).`;
  // As ruff says "[*] N fixable with the --fix option": the loops `fix` would guard, and the
  // guards only `fix --upgrade` rewrites (HG002, HG004–HG009), counted apart.
  const fixable = shown.filter((f) => f.fixable);
  const byInsert = fixable.filter((f) => GUARDED_BY_INSERT.has(f.ruleId)).length;
  const byUpgrade = fixable.length - byInsert;
  if (fixable.length === 0) return line;
  const how =
    byInsert === 0
      ? `${plural(byUpgrade, 'finding')} fixable with \`handshake-guard fix --upgrade\``
      : `${plural(byInsert, 'finding')} fixable with \`handshake-guard fix\`${byUpgrade > 0 ? `, ${byUpgrade} more with \`handshake-guard fix --upgrade\`` : ''}`;
  return `${line}
${how} (a dry run: the diff; --write applies it).`;
}

// ---- loop inventory ----

function renderLoops(c: ChalkInstance, loops: LoopRecord[]): string {
  const rows = loops.map((l) => [
    escapeControl(`${l.file}:${l.line}`),
    escapeControl(l.function),
    l.framework,
    l.guard.kind,
    l.guard.fingerprint ? describeFingerprint(l.guard.fingerprint) : '-',
    l.status,
  ]);
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const paintStatus = (s: string): string =>
    s === 'pass' ? c.green(s.toUpperCase()) : s === 'fail' ? c.red(s.toUpperCase()) : c.dim(s.toUpperCase());
  const body = rows.map((r) =>
    [...r.slice(0, 5).map((cell, i) => cell.padEnd(widths[i] ?? 0)), paintStatus(r[5] ?? '')].join('  ').trimEnd(),
  );
  return [c.bold('Message loops'), ...body].join('\n');
}

/** `3.0s / 10ms, wall clock, application_state+client_state, on timeout: recheck-break, logs`. */
// ---- verification table ----

const STATUS_WORD: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

function renderTable(c: ChalkInstance, checks: CheckResult[], strict: boolean, gateOnly: boolean, enforced: boolean): string {
  const width = Math.max(0, ...checks.map((k) => k.title.length));
  const paint: Record<CheckStatus, (s: string) => string> = {
    pass: (s) => c.green(s),
    warn: (s) => c.yellow(s),
    fail: (s) => c.red.bold(s),
    skip: (s) => c.dim(s),
  };
  const failing = gateFailures(checks, strict);
  const rows = (gateOnly ? failing : checks).map(
    (k) => `${escapeControl(k.title).padEnd(width)}  ${paint[k.status](STATUS_WORD[k.status])}  ${escapeControl(k.details)}`,
  );
  const gate =
    failing.length === 0
      ? c.green.bold('Gate: PASSED')
      : `${c.red.bold('Gate: FAILED')} (${failing.map((k) => `${escapeControl(k.title)}: ${k.status}`).join(', ')})${enforced ? '' : ', not enforced (--fail-on never)'}`;
  return [...rows, ...(rows.length ? [''] : []), gate].join('\n');
}

/** The rows that fail the gate (SPEC §5): every `fail`, and every `warn` under `--strict`. */
export function gateFailures(checks: CheckResult[], strict: boolean): CheckResult[] {
  return checks.filter((k) => k.status === 'fail' || (strict && k.status === 'warn'));
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
