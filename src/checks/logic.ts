// Logic Validation: how the polling guards wait (HG004, HG005, HG006, HG007, HG009).
import type { CheckResult, RuleId } from '../model.js';
import { findingsOf, polling, waitsOnEvent, type CheckInput } from './input.js';
import { byRule, listed, plural, result, statusOf } from './support.js';

const LOGIC_RULES: RuleId[] = ['HG004', 'HG005', 'HG006', 'HG007', 'HG009', 'HG012', 'HG013'];
const LABELS: Record<string, string> = {
  HG004: 'blocking sleep in async code',
  HG005: 'wall-clock deadline',
  HG006: 'no fallback on timeout',
  HG007: 'silent timeout',
  HG009: 'keeps waiting on DISCONNECTED',
  HG012: 'WebSocketPair server end used before accept()',
  HG013: 'waits for open before the Deno upgrade response',
};

export function checkLogic(input: CheckInput): CheckResult {
  const guards = polling(input);
  // HG012/HG013 are about no guard: their findings make the row even without polling guards.
  const platform = findingsOf(input, ['HG012', 'HG013'].filter((r) => !input.disabled.has(r as RuleId)) as RuleId[]);
  if (guards.length === 0 && platform.length === 0) return result('logic', 'skip', 'no polling guards to check');
  const active = LOGIC_RULES.filter((r) => !input.disabled.has(r));
  if (active.length === 0) return result('logic', 'skip', 'HG004, HG005, HG006, HG007 and HG009 are turned off');
  const findings = findingsOf(input, active);
  const status = statusOf(findings);
  if (status === 'pass') {
    // A guard that awaits an event never sleeps: say so rather than claim a sleep.
    const events = guards.filter(waitsOnEvent).length;
    const how = events === 0 ? 'non-blocking sleep' : events === guards.length ? 'awaits an event (no sleep)' : `non-blocking sleep (${plural(events, 'event wait')}: no sleep)`;
    return result('logic', 'pass', `${plural(guards.length, 'polling guard')}: ${how}, monotonic clock, fallback and log on timeout, exit on DISCONNECTED`);
  }
  return result('logic', status, listed(byRule(findings, (id) => LABELS[id] ?? id), 5));
}
