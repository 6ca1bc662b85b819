// Parameters: timeouts, intervals and poll counts within the configured bounds (HG008).
import type { CheckResult } from '../model.js';
import { findingsOf, polling, waitsOnEvent, type CheckInput } from './input.js';
import { listed, plural, result, statusOf } from './support.js';

const fmt = (n: number): string => String(Number(n.toPrecision(12)));

export function checkParameters(input: CheckInput): CheckResult {
  const guards = polling(input);
  if (guards.length === 0) return result('parameters', 'skip', 'no polling guards to check');
  if (input.disabled.has('HG008')) return result('parameters', 'skip', 'HG008 is turned off in the configuration');
  const findings = findingsOf(input, ['HG008']);
  const status = statusOf(findings);
  const b = input.config.bounds;
  const unknown = guards.filter((l) => l.guard.fingerprint?.timeoutSeconds === null || (l.guard.fingerprint?.intervalSeconds === null && !waitsOnEvent(l)));
  const events = guards.filter(waitsOnEvent).length;
  if (status === 'pass') {
    const timeouts = [...new Set(guards.map((l) => l.guard.fingerprint?.timeoutSeconds).filter((v): v is number => typeof v === 'number'))];
    const intervals = [...new Set(guards.map((l) => l.guard.fingerprint?.intervalSeconds).filter((v): v is number => typeof v === 'number'))];
    const range = `timeout ${fmt(b.timeoutSeconds.min)}–${fmt(b.timeoutSeconds.max)} s, interval ${fmt(b.intervalSeconds.min)}–${fmt(b.intervalSeconds.max)} s, ≤ ${b.maxPolls} polls`;
    // An event wait has no interval to list (nor to miss).
    const intervalText = events === guards.length ? '' : `, intervals ${intervals.map(fmt).join(', ') || 'unknown'} s`;
    const eventText = events > 0 ? ` (${events === guards.length && events === 1 ? 'an event wait' : plural(events, 'event wait')}: no interval)` : '';
    const seen = `${plural(guards.length, 'polling guard')}${eventText}: timeouts ${timeouts.map(fmt).join(', ') || 'unknown'} s${intervalText} within ${range}`;
    if (unknown.length) {
      return result('parameters', 'warn', `${seen}; not constant, not checked: ${listed(unknown.map((l) => `${l.file}:${l.guard.span?.start.line ?? l.span.start.line}`), 6, ', ')}`);
    }
    return result('parameters', 'pass', seen);
  }
  return result('parameters', status, listed(findings.filter((f) => !f.suppressed).map((f) => `${f.file}:${f.line} ${f.message}`), 4));
}
