// The guard every fixed TS/JS loop of a group gets (SPEC §6 `fix`): without --upgrade it follows
// the group's existing polling guards (majority), so that the group still passes HG002; with
// --upgrade, or when the group has none, it is the canonical block. --timeout/--interval win.
import { templateOnTimeout, type TsGuardTimeout } from '../../codemods/typescript-readystate.js';
import type { ResolvedConfig } from '../config/types.js';
import type { Fingerprint, MessageLoop } from '../model.js';
import { helperArgsAfterConnection } from './helper-call.js';
import { boundedTiming } from './plan.js';
import { majority } from '../guard-majority.js';

export interface TsTarget {
  timeoutSeconds: number;
  intervalSeconds: number;
  clock: 'monotonic' | 'wall';
  onTimeout: TsGuardTimeout;
  logs: boolean;
  exitsOnTerminalState: boolean;
  /** Why a readyState block cannot match the group's guards (so inserting one would add HG002), or null. */
  unmatched: string | null;
  /** Inline blocks, or one wait helper per module called from each loop (`--style`; default: follow the group). */
  style: 'inline' | 'helper';
  /** The group's own wait helper to call instead of adding one (helper style, without --upgrade). */
  reuseHelper: TsReusedHelper | null;
}

/** A wait helper the group's guards already call: `await waitOpen(ws, 5000)` + a readyState re-check. */
export interface TsReusedHelper {
  name: string;
  /** Where the calls were seen: only that file has the name bound for certain. */
  file: string;
  /** The arguments after the socket, as written: `, 5000` or ``. */
  argsAfterSocket: string;
}

export interface TsTargetOptions {
  upgrade: boolean;
  style?: 'inline' | 'helper';
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

/**
 * The helper a reference guard calls, when its statement is `await name(socket, …)` (the form
 * whose re-check after it the analyser reads as `recheck-break`).
 */
function reusedHelper(ref: MessageLoop, text: string | null): TsReusedHelper | null {
  const name = ref.guard.helper;
  if (!name || !text || ref.guard.fingerprint?.onTimeout !== 'recheck-break') return null;
  const args = helperArgsAfterConnection(ref, text, (call) => `^\\s*await\\s+${call}\\s*;?\\s*$`);
  return args === null ? null : { name, file: ref.file, argsAfterSocket: args };
}

export function tsTargetFor(group: MessageLoop[], opts: TsTargetOptions, cfg: ResolvedConfig, sourceOf: (file: string) => string | null = () => null): TsTarget {
  const scripts = group.filter((l) => l.language !== 'python');
  const ref = majority(scripts);
  const f = ref?.fingerprint ?? null;
  const polling = scripts.filter((l) => l.guard.kind === 'polling');
  const helperRefs = polling.filter((l) => l.guard.helper).length;
  const followed = helperRefs * 2 > polling.length ? 'helper' : 'inline';
  const style = opts.style ?? (cfg.defaults.style === 'auto' ? followed : cfg.defaults.style);
  const canonical: TsTarget = {
    ...boundedTiming(f, opts, cfg),
    clock: 'monotonic',
    onTimeout: 'recheck',
    logs: true,
    exitsOnTerminalState: true,
    unmatched: null,
    style,
    reuseHelper: null,
  };
  if (opts.upgrade || !f || !ref) return canonical;
  const why = unrepresentable(f);
  if (why) {
    const where = `line ${ref.loop.guard.span?.start.line ?? ref.loop.span.start.line} ${ref.loop.function}`;
    return { ...canonical, unmatched: `the group's guards (${where}) cannot be matched by the readyState block: ${why}; run fix --upgrade to rewrite them all` };
  }
  return {
    ...canonical,
    reuseHelper: style === 'helper' ? reusedHelper(ref.loop, sourceOf(ref.loop.file)) : null,
    timeoutSeconds: opts.timeout ?? f.timeoutSeconds ?? canonical.timeoutSeconds,
    intervalSeconds: opts.interval ?? f.intervalSeconds ?? canonical.intervalSeconds,
    clock: f.clock === 'wall' ? 'wall' : 'monotonic',
    onTimeout: f.onTimeout === 'return' ? 'return' : f.onTimeout === 'raise' ? 'raise' : 'recheck',
    logs: f.logsOnTimeout,
    exitsOnTerminalState: f.exitsOnTerminalState,
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
