// Import Validation: every name a guard needs is bound (HG010).
import type { CheckResult } from '../model.js';
import { findingsOf, type CheckInput } from './input.js';
import { listed, plural, result, statusOf } from './support.js';

export function checkImports(input: CheckInput): CheckResult {
  const guarded = input.loops.filter((l) => l.guard.kind !== 'none' && l.guard.kind !== 'framework');
  if (guarded.length === 0) return result('imports', 'skip', 'no handshake guards to check');
  if (input.disabled.has('HG010')) return result('imports', 'skip', 'HG010 is turned off in the configuration');
  const findings = findingsOf(input, ['HG010']);
  const status = statusOf(findings);
  if (status === 'pass') return result('imports', 'pass', `every name used by ${plural(guarded.length, 'guard')} is bound`);
  const items = findings.filter((f) => !f.suppressed).map((f) => `${f.file}:${f.line} ${f.message}`);
  return result('imports', status, listed(items, 4));
}
