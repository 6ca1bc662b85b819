// Syntax Validation: every scanned file parses (HG011).
import type { CheckResult } from '../model.js';
import { findingsOf, type CheckInput } from './input.js';
import { listed, plural, result, statusOf } from './support.js';

export function checkSyntax(input: CheckInput): CheckResult {
  const python = input.files.filter((f) => f.language === 'python');
  if (python.length === 0) return result('syntax', 'skip', 'no Python files scanned');
  if (input.disabled.has('HG011')) return result('syntax', 'skip', 'HG011 is turned off in the configuration');
  const target = `target Python ${input.target.pythonVersion} from ${input.target.source}`;
  const skipped = python.filter((f) => f.skipped).map((f) => `${f.file} (${f.skipped})`);
  const parsed = python.length - skipped.length;
  const findings = findingsOf(input, ['HG011']);
  const status = statusOf(findings);
  const notes = skipped.length ? `; not read: ${listed(skipped, 3)}` : '';
  // Honest about what is checked: tree-sitter's grammar, not yet the target version's syntax.
  const scope = `tree-sitter parse, version-gated syntax not checked yet (${target})`;
  if (status === 'pass') {
    return result('syntax', skipped.length ? 'warn' : 'pass', `${plural(parsed, 'Python file')} ${parsed === 1 ? 'parses' : 'parse'}; ${scope}${notes}`);
  }
  const bad = [...new Set(findings.filter((f) => !f.suppressed).map((f) => `${f.file}:${f.line}`))];
  return result('syntax', status, `${plural(bad.length, 'syntax error')} in ${parsed} parsed files: ${listed(bad)}; ${scope}${notes}`);
}
