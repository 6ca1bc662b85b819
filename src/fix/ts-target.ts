// The guard every fixed TS/JS loop of a group gets (SPEC §6 `fix`): without --upgrade it follows
// the group's existing polling guards (majority), so that the group still passes HG002; with
// --upgrade, or when the group has none, it is the canonical block. --timeout/--interval win.
import { templateOnTimeout, type TsGuardTimeout } from '../../codemods/typescript-readystate.js';
import type { ResolvedConfig } from '../config/types.js';
import type { Fingerprint, MessageLoop } from '../model.js';
import { boundedTiming, majority } from './plan.js';

export interface TsTarget {
  timeoutSeconds: number;
  intervalSeconds: number;
  clock: 'monotonic' | 'wall';
  onTimeout: TsGuardTimeout;
  logs: boolean;
  exitsOnTerminalState: boolean;
  /** Why a readyState block cannot match the group's guards (so inserting one would add HG002), or null. */
  unmatched: string | null;
}

export interface TsTargetOptions {
  upgrade: boolean;
  timeout?: number;
  interval?: number;
}

/** Why the template cannot reproduce a fingerprint, or null when it can. */
function unrepresentable(f: Fingerprint): string | null {
  if (f.states.length !== 1 || f.states[0] !== 'readyState') return `they check ${f.states.join(', ')}`;
  if (f.sleep === null) return 'they wait without polling (no interval to follow)';
  if (f.intervalSeconds === null) return 'their interval is not a constant the fixer can read';
  if (f.sleep !== 'async') return 'they sleep with a blocking busy-wait (HG004)';
  if (f.clock !== 'monotonic' && f.clock !== 'wall') return 'their bound is not measured with a clock';
  if (f.timeoutSeconds === null) return 'their bound is not a constant the fixer can read';
  if (!['recheck-break', 'return', 'raise'].includes(f.onTimeout)) return `they do not leave on timeout (${f.onTimeout})`;
  return null;
}

export function tsTargetFor(group: MessageLoop[], opts: TsTargetOptions, cfg: ResolvedConfig): TsTarget {
  const ref = majority(group.filter((l) => l.language !== 'python'));
  const f = ref?.fingerprint ?? null;
  const canonical: TsTarget = {
    ...boundedTiming(f, opts, cfg),
    clock: 'monotonic',
    onTimeout: 'recheck',
    logs: true,
    exitsOnTerminalState: true,
    unmatched: null,
  };
  if (opts.upgrade || !f || !ref) return canonical;
  const why = unrepresentable(f);
  if (why) {
    const where = `line ${ref.loop.guard.span?.start.line ?? ref.loop.span.start.line} ${ref.loop.function}`;
    return { ...canonical, unmatched: `the group's guards (${where}) cannot be matched by the readyState block: ${why}; run fix --upgrade to rewrite them all` };
  }
  return {
    timeoutSeconds: opts.timeout ?? f.timeoutSeconds ?? canonical.timeoutSeconds,
    intervalSeconds: opts.interval ?? f.intervalSeconds ?? canonical.intervalSeconds,
    clock: f.clock === 'wall' ? 'wall' : 'monotonic',
    onTimeout: f.onTimeout === 'return' ? 'return' : f.onTimeout === 'raise' ? 'raise' : 'recheck',
    logs: f.logsOnTimeout,
    exitsOnTerminalState: f.exitsOnTerminalState,
    unmatched: null,
  };
}

/** Seconds as whole milliseconds, the template's unit (so 0.01 and 10/1000 compare equal). */
export function ms(seconds: number | null): number | null {
  return seconds === null ? null : Math.round(seconds * 1000);
}

/** True when a polling guard is not already the target block (fields the analyser compares). */
export function differsFromTarget(f: Fingerprint, t: TsTarget): boolean {
  return (
    ms(f.timeoutSeconds) !== ms(t.timeoutSeconds) ||
    ms(f.intervalSeconds) !== ms(t.intervalSeconds) ||
    f.clock !== t.clock ||
    f.sleep !== 'async' ||
    f.onTimeout !== templateOnTimeout(t.onTimeout) ||
    f.logsOnTimeout !== t.logs ||
    f.exitsOnTerminalState !== t.exitsOnTerminalState ||
    f.states.length !== 1 ||
    f.states[0] !== 'readyState'
  );
}
