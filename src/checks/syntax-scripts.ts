// Syntax Validation for a scan that includes TS/JS files: the Python part as checkSyntax words it,
// plus the TS/JS part (the compiler's syntactic diagnostics), in one row.
import type { CheckResult, CheckStatus } from '../model.js';
import type { CheckInput } from './input.js';
import { listed, plural, result, statusOf } from './support.js';
import { checkSyntax, suppressedSyntax } from './syntax.js';
import { isMinifiedSkip } from '../engine/skipped.js';

const ORDER: CheckStatus[] = ['skip', 'pass', 'warn', 'fail'];

export function checkSyntaxAll(input: CheckInput): CheckResult {
  const scripts = input.files.filter((f) => f.language !== 'python');
  if (scripts.length === 0) return checkSyntax(input);
  if (input.disabled.has('HG011')) return result('syntax', 'skip', 'HG011 is turned off in the configuration');
  const names = new Set(scripts.map((f) => f.file));
  const python = input.files.filter((f) => f.language === 'python');
  const pyRow = python.length
    ? checkSyntax({ ...input, files: python, findings: input.findings.filter((f) => !names.has(f.file)) })
    : null;
  // A minified bundle is not source: said, but no reason to warn (skipped.ts minifiedReason).
  const minified = scripts.filter((f) => isMinifiedSkip(f.skipped)).map((f) => f.file);
  const skipped = scripts.filter((f) => f.skipped && !isMinifiedSkip(f.skipped)).map((f) => `${f.file} (${f.skipped})`);
  const parsed = scripts.length - skipped.length - minified.length;
  const findings = input.findings.filter((f) => f.ruleId === 'HG011' && names.has(f.file));
  let status = statusOf(findings);
  if (status === 'pass' && skipped.length) status = 'warn';
  const quiet = suppressedSyntax(findings);
  const bundles = minified.length ? `; ${plural(minified.length, 'minified bundle')} not checked: ${listed(minified, 3)}` : '';
  const notes = `${quiet.note}${skipped.length ? `; not read: ${listed(skipped, 3)}` : ''}${bundles}`;
  const parsing = parsed - quiet.files.size;
  const bad = [...new Set(findings.filter((f) => !f.suppressed).map((f) => `${f.file}:${f.line}`))];
  const tsDetail = bad.length
    ? `${plural(bad.length, 'syntax error')} in ${plural(parsed, 'parsed TypeScript/JavaScript file')}: ${listed(bad)} (compiler's syntactic diagnostics)${notes}`
    : `${plural(parsing, 'TypeScript/JavaScript file')} ${parsing === 1 ? 'parses' : 'parse'} (compiler's syntactic diagnostics)${notes}`;
  if (!pyRow || pyRow.status === 'skip') return result('syntax', status, tsDetail);
  const worst = ORDER[Math.max(ORDER.indexOf(pyRow.status), ORDER.indexOf(status))] as CheckStatus;
  return result('syntax', worst, `${pyRow.details}; ${tsDetail}`);
}
