// Syntax Validation: every scanned file parses (HG011).
import type { CheckResult, FileAnalysis, Finding } from '../model.js';
import { findingsOf, type CheckInput } from './input.js';
import { listed, plural, result, statusOf } from './support.js';

/** `Python 3.11 from pyproject.toml (…) for 4 files; Python 3.12 from svc/.python-version (…) for 1 file`. */
function targetsUsed(input: CheckInput, python: FileAnalysis[]): string {
  const counts = new Map<string, number>();
  for (const f of python) {
    const t = f.target ?? input.target;
    const key = `Python ${t.pythonVersion} from ${t.source}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  if (counts.size <= 1) return `target ${[...counts.keys()][0] ?? `Python ${input.target.pythonVersion} from ${input.target.source}`}`;
  return `targets ${listed([...counts].map(([k, n]) => `${k} for ${plural(n, 'file')}`), 4)}`;
}

/** What `--python` said, when it was given. */
function crossChecked(input: CheckInput): { note: string; disagrees: boolean } {
  const x = input.syntaxCrossCheck;
  if (!x) return { note: '', disagrees: false };
  const parts: string[] = [];
  if (x.missed.length) parts.push(`it rejects what handshake-guard passed: ${listed(x.missed, 3)}`);
  if (x.falseAlarms.length) parts.push(`it parses what handshake-guard flagged (dropped): ${listed(x.falseAlarms, 3)}`);
  if (x.otherTargets.length) parts.push(`not compared, other target: ${listed(x.otherTargets, 3)}`);
  if (x.checked === 0) {
    const short = x.version.split('.').slice(0, 2).join('.');
    return { note: `; not cross-checked: ${x.interpreter} is Python ${x.version} and no file targets ${short} (${listed(x.otherTargets, 3)})`, disagrees: false };
  }
  const disagreements = x.missed.length + x.falseAlarms.length;
  const verdict = disagreements ? plural(disagreements, 'disagreement') : 'agrees';
  const note = `; cross-checked with ${x.interpreter} (Python ${x.version}) on ${plural(x.checked, 'file')}: ${verdict}${parts.length ? ` (${parts.join('; ')})` : ''}`;
  return { note, disagrees: disagreements > 0 };
}

/**
 * Syntax errors a comment or the baseline suppresses: their files do not parse all the same, so
 * they are not counted as parsing, and are named (`verify --baseline` passed "1783 Python files
 * parse" over three accepted errors).
 */
export function suppressedSyntax(findings: readonly Finding[]): { files: Set<string>; note: string } {
  const quiet = findings.filter((f) => f.suppressed);
  const files = new Set(quiet.map((f) => f.file));
  if (quiet.length === 0) return { files, note: '' };
  const baselined = quiet.filter((f) => f.baselined).length;
  const by = baselined === quiet.length ? 'by the baseline' : baselined === 0 ? 'by a comment' : `${baselined} by the baseline`;
  const at = [...new Set(quiet.map((f) => `${f.file}:${f.line}`))];
  return { files, note: `; ${plural(quiet.length, 'syntax error')} suppressed (${by}) in ${plural(files.size, 'file')} that ${files.size === 1 ? 'does' : 'do'} not parse: ${listed(at, 3)}` };
}

export function checkSyntax(input: CheckInput): CheckResult {
  const python = input.files.filter((f) => f.language === 'python');
  // Reached only when no TS/JS file was scanned (syntax-scripts.ts): no Python file means no file at all.
  if (python.length === 0) return result('syntax', 'skip', input.files.length === 0 ? 'no files scanned' : 'no Python files scanned');
  if (input.disabled.has('HG011')) return result('syntax', 'skip', 'HG011 is turned off in the configuration');
  const skipped = python.filter((f) => f.skipped).map((f) => `${f.file} (${f.skipped})`);
  const parsed = python.length - skipped.length;
  const findings = findingsOf(input, ['HG011']);
  const status = statusOf(findings);
  const quiet = suppressedSyntax(findings);
  const notes = `${quiet.note}${skipped.length ? `; not read: ${listed(skipped, 3)}` : ''}`;
  // What is checked: tree-sitter's parse, CPython's stricter rules and the version-gated syntax.
  const scope = `${targetsUsed(input, python.filter((f) => !f.skipped))}`;
  const cross = crossChecked(input);
  if (status === 'pass') {
    const ok = cross.disagrees || skipped.length ? 'warn' : 'pass';
    const parsing = parsed - quiet.files.size;
    return result('syntax', ok, `${plural(parsing, 'Python file')} ${parsing === 1 ? 'parses' : 'parse'} for ${scope}${cross.note}${notes}`);
  }
  const bad = [...new Set(findings.filter((f) => !f.suppressed).map((f) => `${f.file}:${f.line}`))];
  return result('syntax', status, `${plural(bad.length, 'syntax error')} in ${plural(parsed, 'parsed file')}: ${listed(bad)}; ${scope}${cross.note}${notes}`);
}
