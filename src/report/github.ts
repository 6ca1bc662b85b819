// `--format github` (SPEC §9): GitHub Actions workflow commands, one annotation per finding
// (`::error file=…,line=…,col=…,title=…::message`), plus one for each failing row that no
// finding explains (breaking changes, performance). GitHub shows at most 10 annotations of
// each type per step; past that, the rest are listed as plain log lines and counted in a
// notice. Everything is escaped so that no file name or message can start a command.
import path from 'node:path';
import { ALL_RULES } from '../../rules/index.js';
import type { Finding, Report } from '../model.js';
import { escapeControl } from './escape.js';

/** GitHub shows this many annotations of one type (error, warning, notice) per step. */
export const ANNOTATIONS_PER_TYPE = 10;

export interface GithubInput {
  report: Report;
  findings: readonly Finding[];
  cwd: string;
  /** Annotations name files relative to the repository root, as GitHub resolves them. */
  root: string;
  strict: boolean;
}

type Level = 'error' | 'warning';

interface Annotation {
  level: Level;
  props: [string, string | number][];
  message: string;
  /** The same, as a plain log line, when over the limit. */
  plain: string;
}

/** Message text: `%`, CR and LF (in that order, so the `%` of an escape is not escaped again). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Property values: the data escapes plus `:` and `,`, which end a property. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function renderGithub(input: GithubInput): string {
  const rel = (file: string): string => path.relative(input.root, path.resolve(input.cwd, file)).split(path.sep).join('/');
  const names = new Map(ALL_RULES.map((r) => [r.id, r.name]));
  const live = input.findings.filter((f) => !f.suppressed);
  const annotations: Annotation[] = live.map((f) => {
    const file = rel(f.file);
    const props: [string, string | number][] = [['file', file], ['line', f.line], ['endLine', f.endLine]];
    // GitHub reads col/endColumn only for a one-line span.
    if (f.line === f.endLine) props.push(['col', f.column], ...(f.endColumn > f.column ? [['endColumn', f.endColumn] as [string, number]] : []));
    props.push(['title', `${f.ruleId} ${names.get(f.ruleId) ?? ''}`.trim()]);
    return { level: f.severity, props, message: f.message, plain: `${file}:${f.line}:${f.column}: ${f.ruleId} [${f.severity}] ${f.message}` };
  });
  // Rows that fail (or warn) with no finding to show it: breaking changes, performance.
  const explained = new Set(live.map((f) => ALL_RULES.find((r) => r.id === f.ruleId)?.checkId));
  for (const row of input.report.checks) {
    if (explained.has(row.id) || (row.status !== 'fail' && row.status !== 'warn')) continue;
    const level: Level = row.status === 'fail' || input.strict ? 'error' : 'warning';
    annotations.push({ level, props: [['title', row.title]], message: row.details, plain: `${row.title}: ${row.status}: ${row.details}` });
  }

  const out: string[] = [];
  const over: Annotation[] = [];
  const shown: Record<Level, number> = { error: 0, warning: 0 };
  for (const a of annotations) {
    if (shown[a.level] >= ANNOTATIONS_PER_TYPE) {
      over.push(a);
      continue;
    }
    shown[a.level] += 1;
    const props = a.props.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',');
    out.push(`::${a.level} ${props}::${escapeData(a.message)}`);
  }
  if (over.length > 0) {
    const count = (level: Level): number => over.filter((a) => a.level === level).length;
    const parts = (['error', 'warning'] as const).filter((l) => count(l) > 0).map((l) => `${count(l)} more ${l}${count(l) === 1 ? '' : 's'}`);
    out.push(
      `::notice title=handshake-guard::${escapeData(`${parts.join(' and ')} not annotated: GitHub shows ${ANNOTATIONS_PER_TYPE} annotations of each type per step. They follow in the log.`)}`,
    );
    // Indented and with control characters escaped: a plain line can never start a command.
    for (const a of over) out.push(`  ${escapeControl(a.plain)}`);
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}
