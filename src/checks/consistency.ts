// Consistency Across Loops: the polling guards of each group match (HG002).
import type { CheckResult } from '../model.js';
import { describeFingerprint } from '../report/fingerprint-text.js';
import type { ConsistencyGroup } from '../rule.js';
import { findingsOf, type CheckInput } from './input.js';
import { listed, plural, result, statusOf, where } from './support.js';

export function checkConsistency(input: CheckInput, groups: readonly ConsistencyGroup[]): CheckResult {
  if (input.config.consistency === 'none') return result('consistency', 'skip', 'consistency checking is off (consistency: none)');
  if (input.disabled.has('HG002')) return result('consistency', 'skip', 'HG002 is turned off in the configuration');
  const compared = groups
    .map((g) => ({ group: g, polling: g.loops.filter((l) => l.guard.kind === 'polling' && l.guard.fingerprint) }))
    .filter((g) => g.polling.length >= 2);
  if (compared.length === 0) {
    const total = input.loops.filter((l) => l.guard.kind === 'polling').length;
    return result('consistency', 'skip', `no ${input.config.consistency === 'file' ? 'file' : 'group'} has two or more polling guards to compare (${plural(total, 'polling guard')} in all)`);
  }
  const findings = findingsOf(input, ['HG002']);
  const status = statusOf(findings);
  if (status === 'pass') {
    const parts = compared.map(({ group, polling }) => {
      const ref = polling[0];
      const fp = ref?.guard.fingerprint;
      return `${plural(polling.length, 'polling guard')} in ${group.name} match (reference ${ref ? where(ref) : '?'}: ${fp ? describeFingerprint(fp) : '?'})`;
    });
    return result('consistency', 'pass', listed(parts, 3));
  }
  const items = findings.filter((f) => !f.suppressed).map((f) => `${f.file}:${f.line} ${f.message}`);
  return result('consistency', status, listed(items, 3));
}
