// What every table row shares: its title, and a status derived from the findings that feed it.
import type { CheckId, CheckResult, CheckStatus, Finding, MessageLoop } from '../model.js';

export const TITLES: Record<CheckId, string> = {
  syntax: 'Syntax Validation',
  imports: 'Import Validation',
  coverage: 'Guard Coverage',
  consistency: 'Consistency Across Loops',
  logic: 'Logic Validation',
  parameters: 'Parameters',
  breaking: 'Breaking Changes',
  performance: 'Performance Impact',
};

export function result(id: CheckId, status: CheckStatus, details: string): CheckResult {
  return { id, title: TITLES[id], status, details };
}

export function statusOf(findings: readonly Finding[]): CheckStatus {
  const live = findings.filter((f) => !f.suppressed);
  if (live.some((f) => f.severity === 'error')) return 'fail';
  if (live.length > 0) return 'warn';
  return 'pass';
}

export function where(loop: MessageLoop): string {
  return `${loop.file}:${loop.span.start.line} ${loop.function}`;
}

/** `a; b; c; and 4 more`: details stay one readable line however many items there are. */
export function listed(items: readonly string[], max = 6, separator = '; '): string {
  if (items.length <= max) return items.join(separator);
  return `${items.slice(0, max).join(separator)}${separator}and ${items.length - max} more`;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** Findings grouped by rule: `HG005 wall clock at a.py:41, a.py:120` (each place once). */
export function byRule(findings: readonly Finding[], label: (ruleId: string) => string): string[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.suppressed) continue;
    const list = groups.get(f.ruleId) ?? [];
    list.push(f);
    groups.set(f.ruleId, list);
  }
  // Two loops that share one guard each carry its finding: the place is named once.
  return [...groups].map(([id, list]) => `${id} ${label(id)} at ${[...new Set(list.map((f) => `${f.file}:${f.line}`))].join(', ')}`);
}
