// `--format junit` (SPEC §9): the JUnit XML that GitLab (`artifacts:reports:junit`) and
// Jenkins (`junit` step) read. One testsuite per verification-table row; in each, one
// testcase for the row itself and, for the rows rules feed, one per message loop and one
// per finding about no loop. Every testcase name carries the check and the location, and
// is unique: GitLab and Jenkins key test history on classname + name.
import path from 'node:path';
import { ALL_RULES } from '../../rules/index.js';
import type { CheckId, CheckResult, Finding, MessageLoop, Report } from '../model.js';

export interface JunitInput {
  report: Report;
  findings: readonly Finding[];
  loops: readonly MessageLoop[];
  cwd: string;
  /** Paths in the XML are relative to the repository root (the cwd outside one). */
  root: string;
  /** `--strict` / `--fail-on warning`: warnings fail their testcase as the gate would. */
  strict: boolean;
}

interface Case {
  name: string;
  classname: string;
  file?: string;
  line?: number;
  failure?: { message: string; type: string; body: string };
  skipped?: string;
  out?: string;
}

const CHECK_RULES = new Map<CheckId, string[]>();
for (const r of ALL_RULES) CHECK_RULES.set(r.checkId, [...(CHECK_RULES.get(r.checkId) ?? []), r.id]);
const ruleCheck = (ruleId: string): CheckId | undefined => ALL_RULES.find((r) => r.id === ruleId)?.checkId;

export function renderJunit(input: JunitInput): string {
  const rel = (file: string): string => path.relative(input.root, path.resolve(input.cwd, file)).split(path.sep).join('/');
  const live = input.findings.filter((f) => !f.suppressed);
  const suites: string[] = [];
  let total = 0;
  let failures = 0;
  let skipped = 0;
  for (const check of input.report.checks) {
    const classname = `handshake-guard.${check.id}`;
    const cases: Case[] = [rowCase(check, classname, input.strict)];
    // A finding fails its testcase as it fails the gate: only through a failing row (HG000,
    // an unused suppression, is reported but fails no row).
    const rowFails = cases[0]?.failure !== undefined;
    const fails = (f: Finding): boolean => rowFails && (f.severity === 'error' || input.strict);
    if (CHECK_RULES.has(check.id)) {
      const mine = live.filter((f) => ruleCheck(f.ruleId) === check.id);
      for (const loop of input.loops) {
        const own = mine.filter((f) => f.loop === loop);
        const where = `${rel(loop.file)}:${loop.span.start.line}`;
        const c: Case = { name: `${check.id}: ${where} ${loop.function}`, classname, file: rel(loop.file), line: loop.span.start.line };
        const failing = own.filter(fails);
        if (failing.length > 0) c.failure = failureOf(failing, rel);
        else if (own.length > 0) c.out = own.map((f) => line(f, rel)).join('\n');
        cases.push(c);
      }
      for (const f of mine.filter((x) => x.loop === null)) {
        const c: Case = { name: `${check.id}: ${rel(f.file)}:${f.line}:${f.column} ${f.ruleId}`, classname, file: rel(f.file), line: f.line };
        if (fails(f)) c.failure = failureOf([f], rel);
        else c.out = line(f, rel);
        cases.push(c);
      }
    }
    unique(cases);
    const nFail = cases.filter((c) => c.failure).length;
    const nSkip = cases.filter((c) => c.skipped !== undefined).length;
    total += cases.length;
    failures += nFail;
    skipped += nSkip;
    suites.push(
      `  <testsuite name="${attr(check.title)}" tests="${cases.length}" failures="${nFail}" errors="0" skipped="${nSkip}">\n` +
        cases.map(renderCase).join('') +
        '  </testsuite>\n',
    );
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="handshake-guard" tests="${total}" failures="${failures}" errors="0" skipped="${skipped}">\n` +
    suites.join('') +
    '</testsuites>\n'
  );
}

function rowCase(check: CheckResult, classname: string, strict: boolean): Case {
  const c: Case = { name: `${check.id}: ${check.title}`, classname };
  if (check.status === 'fail' || (strict && check.status === 'warn')) {
    c.failure = { message: `${check.title}: ${check.status}`, type: check.status, body: check.details };
  } else if (check.status === 'skip') c.skipped = check.details;
  else c.out = `${check.status}: ${check.details}`;
  return c;
}

function line(f: Finding, rel: (file: string) => string): string {
  return `${rel(f.file)}:${f.line}:${f.column}: ${f.ruleId} [${f.severity}] ${f.message}`;
}

function failureOf(findings: Finding[], rel: (file: string) => string): { message: string; type: string; body: string } {
  const first = findings[0] as Finding;
  const more = findings.length > 1 ? ` (and ${findings.length - 1} more)` : '';
  return { message: `${first.ruleId} ${first.message}${more}`, type: [...new Set(findings.map((f) => f.ruleId))].join(','), body: findings.map((f) => line(f, rel)).join('\n') };
}

/** Two loops on one line (or a repeated finding) would share a name: number the repeats. */
function unique(cases: Case[]): void {
  const seen = new Map<string, number>();
  for (const c of cases) {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    if (n > 1) c.name = `${c.name} (${n})`;
  }
}

function renderCase(c: Case): string {
  const attrs = [`name="${attr(c.name)}"`, `classname="${attr(c.classname)}"`];
  if (c.file !== undefined) attrs.push(`file="${attr(c.file)}"`);
  if (c.line !== undefined) attrs.push(`line="${c.line}"`);
  const open = `    <testcase ${attrs.join(' ')}`;
  const body: string[] = [];
  if (c.failure) body.push(`      <failure message="${attr(c.failure.message)}" type="${attr(c.failure.type)}">${text(c.failure.body)}</failure>\n`);
  if (c.skipped !== undefined) body.push(`      <skipped message="${attr(c.skipped)}"/>\n`);
  if (c.out !== undefined) body.push(`      <system-out>${text(c.out)}</system-out>\n`);
  return body.length === 0 ? `${open}/>\n` : `${open}>\n${body.join('')}    </testcase>\n`;
}

// XML 1.0 cannot carry most C0 controls even as references, nor lone surrogates or U+FFFE/FFFF:
// they are shown as `\xNN` / `\uNNNN` text instead.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function printable(s: string): string {
  return s.replace(NOT_XML, (ch) => {
    const code = ch.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Element text: `&` and `<` escaped (and `>`, for `]]>`). */
function text(s: string): string {
  return printable(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values: also quotes, and line breaks/tabs as references so they survive normalisation. */
function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}
