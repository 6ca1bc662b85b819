// `--format markdown` (SPEC §9): the verification table and the loop inventory, fit to
// paste in a pull request or append to $GITHUB_STEP_SUMMARY. Every cell is escaped:
// a file name is data, and must not be able to end a row or open a link or a tag.
import type { CheckStatus, LoopRecord, LoopStatus, Report } from '../model.js';
import { escapeControl } from './escape.js';
import { describeFingerprint } from './fingerprint-text.js';
import { gateFailures } from './text.js';

export interface MarkdownOptions {
  /** `--strict`: a `warn` row fails the gate too. */
  strict?: boolean;
  /** False under `--fail-on never`: a failed gate is shown as not enforced. */
  enforced?: boolean;
  /** False when the run scanned no Python file: its target version says nothing then. */
  python?: boolean;
}

const CHECK_STATUS: Record<CheckStatus, string> = {
  pass: '✅ pass',
  warn: '⚠️ warn',
  fail: '❌ fail',
  skip: '⏭️ skip',
};

const LOOP_STATUS: Record<LoopStatus, string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  suppressed: '🔕 suppressed',
};

export function renderMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const failing = gateFailures(report.checks, options.strict ?? false);
  const { summary, target } = report;
  const out: string[] = [
    '## handshake-guard verification',
    '',
    `**Gate: ${failing.length === 0 ? '✅ passed' : options.enforced === false ? '❌ failed (not enforced: `--fail-on never`)' : '❌ failed'}** · ` +
      `${plural(summary.loops, 'loop')}, ${summary.guarded} guarded · ` +
      `${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')} · ` +
      `${plural(summary.files, 'file')}${options.python === false ? '' : ` · Python ${escapeCell(target.pythonVersion)} (${escapeCell(target.source)})`}`,
    '',
    '| Check | Status | Details |',
    '|---|---|---|',
    ...report.checks.map((c) => row([c.title, CHECK_STATUS[c.status], c.details])),
  ];
  if (report.loops.length > 0) {
    out.push(
      '',
      '### Message loops',
      '',
      '| Location | Function | Framework | Guard | Fingerprint | Status |',
      '|---|---|---|---|---|---|',
      ...report.loops.map(loopRow),
    );
  }
  return `${out.join('\n')}\n`;
}

function loopRow(l: LoopRecord): string {
  const fingerprint = l.guard.fingerprint ? describeFingerprint(l.guard.fingerprint) : '—';
  return row([`${l.file}:${l.line}`, l.function, l.framework, l.guard.kind, fingerprint, LOOP_STATUS[l.status]]);
}

function row(cells: string[]): string {
  return `| ${cells.map(escapeCell).join(' | ')} |`;
}

/**
 * One table cell's text: line breaks become spaces (a newline ends the row), other
 * control characters print as escapes, and the characters that could close the cell
 * or start markup (`|`, backticks, links, HTML, emphasis) are backslash-escaped.
 */
export function escapeCell(text: string): string {
  const flat = text.replace(/\r\n|[\r\n\t\u2028\u2029]/g, ' ');
  // Markup first, so the backslashes of the control escapes are not doubled.
  return escapeControl(flat.replace(/[\\`|*~[\]<>&]/g, (ch) => `\\${ch}`));
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
