// Performance Impact: the worst-case latency each guard can add, against the budget.
import type { CheckResult, MessageLoop } from '../model.js';
import type { CheckInput } from './input.js';
import { listed, plural, result } from './support.js';
import { pollsOf, worstCaseSeconds } from '../wait-bound.js';

const fmt = (n: number): string => String(Number(n.toPrecision(12)));

interface Cost {
  loop: MessageLoop;
  seconds: number | null; // null: unknown
  text: string;
}

function costOf(loop: MessageLoop): Cost {
  const g = loop.guard;
  const at = `${loop.file}:${g.span?.start.line ?? loop.span.start.line} ${loop.function}`;
  if (g.kind === 'unbounded') return { loop, seconds: Infinity, text: `unbounded wait at ${at}` };
  const f = g.fingerprint;
  const per = f?.placement === 'before-loop' ? 'per connection' : 'per message';
  if (!f || f.timeoutSeconds === null) return { loop, seconds: null, text: `unknown bound ${per} at ${at}` };
  const polls = f.intervalSeconds ? pollsOf(f.timeoutSeconds, f.intervalSeconds) : null;
  const closed = f.exitsOnTerminalState ? ', 0 s on a closed socket' : ', also on a closed socket';
  const seconds = worstCaseSeconds(f.timeoutSeconds, f.intervalSeconds);
  const overshoot = seconds > f.timeoutSeconds * (1 + 1e-9) ? ` every ${fmt(f.intervalSeconds ?? 0)} s: ${fmt(seconds - f.timeoutSeconds)} s past the ${fmt(f.timeoutSeconds)} s bound` : '';
  return {
    loop,
    seconds,
    text: `${fmt(seconds)} s ${per}${polls !== null ? ` (${plural(polls, 'poll')}${overshoot})` : ''}${closed} at ${at}`,
  };
}

export function checkPerformance(input: CheckInput): CheckResult {
  const waits = input.loops.filter((l) => l.guard.kind === 'polling' || l.guard.kind === 'unbounded');
  if (waits.length === 0) return result('performance', 'skip', 'no waiting guards (polling or unbounded) to measure');
  const budget = input.config.budgetSeconds;
  const costs = waits.map(costOf);
  const over = costs.filter((c) => c.seconds !== null && c.seconds > budget);
  const unknown = costs.filter((c) => c.seconds === null);
  const worst = Math.max(...costs.map((c) => c.seconds ?? 0));
  const head = `worst case ${Number.isFinite(worst) ? `${fmt(worst)} s` : 'unbounded'} (budget ${fmt(budget)} s) over ${plural(waits.length, 'guard')}`;
  if (over.length) return result('performance', 'fail', `${head}; over budget: ${listed(over.map((c) => c.text), 4)}`);
  if (unknown.length) return result('performance', 'warn', `${head}; ${listed(unknown.map((c) => c.text), 4)}`);
  return result('performance', 'pass', `${head}: ${listed(costs.map((c) => c.text), 4)}`);
}
