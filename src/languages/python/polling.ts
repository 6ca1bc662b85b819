// Recognises a bounded (or unbounded) wait for the handshake: a loop that tests the
// connection state and sleeps, and reads its fingerprint (SPEC §3).
import type { Clock, SleepKind } from '../../model.js';
import { callsIn, clockOf, sleepOf } from './calls.js';
import { qualify } from './imports.js';
import { evalCondition, type ConditionContext, type StateTest } from './conditions.js';
import { applyOperator, ConstEnv, evalNumber } from './constants.js';
import type { PyFunction } from './module.js';
import { field, findInScope, isInside, kids, named, statements, unwrap, type PyNode } from './nodes.js';
import { pollsOf } from '../../wait-bound.js';

/** Where the code that runs when the bound runs out starts. */
export type TimeoutEntry =
  /** The loop's condition ran out: its `else` clause, then the statements after the loop. */
  | { kind: 'exhausted' }
  /** A branch inside the loop body (`if elapsed > T: …`). */
  | { kind: 'branch'; block: PyNode }
  /** A cancel scope around the loop: `async with asyncio.timeout(T)` raises, `anyio.move_on_after(T)` moves on. */
  | { kind: 'scope'; withNode: PyNode; raises: boolean };

export interface WaitLoop {
  loop: PyNode;
  bounded: boolean;
  timeoutSeconds: number | null;
  intervalSeconds: number | null;
  polls: number | null;
  states: string[];
  conns: Set<string>;
  clock: Clock | null;
  sleep: SleepKind | null;
  exitsOnTerminalState: boolean;
  clockCall: PyNode | null;
  sleepCall: PyNode | null;
  timeoutNode: PyNode | null;
  intervalNode: PyNode | null;
  timeoutEntry: TimeoutEntry;
  /** Names set inside the loop (success flags), so that `if not ready:` after it is not a re-check. */
  assignedInLoop: Set<string>;
}

/** A linear form `now*a + mark*b + c` of clock readings, enough to read any deadline shape. */
interface Linear {
  now: number;
  mark: number;
  c: number;
  clock: Clock | null;
  clockCall: PyNode | null;
  constNode: PyNode | null;
}

interface LinearCtx {
  fn: PyFunction;
  env: ConstEnv;
  loop: PyNode;
  depth: number;
  passed: ReadonlySet<string>;
}

function assignmentOf(name: string, fn: PyFunction, before: PyNode): PyNode | null {
  // The last single assignment of `name` that starts before `before` (in source order).
  let found: PyNode | null = null;
  for (const n of findInScope(fn.node, new Set(['assignment']))) {
    const left = field(n, 'left');
    if (left?.type === 'identifier' && left.text === name && n.startIndex < before.endIndex) found = n;
  }
  return found;
}

function linear(node: PyNode | null, ctx: LinearCtx, inLoop: boolean): Linear | null {
  if (!node || ctx.depth > 8) return null;
  const n = unwrap(node);
  const table = ctx.fn.module.imports;
  const k = evalNumber(n, ctx.env);
  if (k !== null) return { now: 0, mark: 0, c: k, clock: null, clockCall: null, constNode: n };
  if (n.type === 'call') {
    const callee = field(n, 'function');
    const method = callee?.type === 'attribute' ? field(callee, 'attribute')?.text : null;
    // `(now - start).total_seconds()`, `datetime.now().timestamp()`: the same reading in seconds.
    if ((method === 'total_seconds' || method === 'timestamp') && callee) return linear(field(callee, 'object'), ctx, inLoop);
    const delta = timedeltaSeconds(n, ctx);
    if (delta !== null) return { now: 0, mark: 0, c: delta, clock: null, clockCall: null, constNode: n };
    const clock = clockOf(n, table) ?? loopClockByName(n, ctx);
    if (!clock) return null;
    const ns = /_ns$/.test(field(n, 'function')?.text ?? '') ? 1e-9 : 1;
    return { now: inLoop ? ns : 0, mark: inLoop ? 0 : ns, c: 0, clock, clockCall: n, constNode: null };
  }
  if (n.type === 'identifier') {
    const def = assignmentOf(n.text, ctx.fn, n);
    // A required parameter (`async def wait(ws, timeout)`) is a bound whose value each call
    // passes: a constant of unknown value here (NaN), read at the call site with its argument.
    if (!def) return freeParam(n, ctx) ? { now: 0, mark: 0, c: Number.NaN, clock: null, clockCall: null, constNode: n } : null;
    const inside = isInside(def, ctx.loop);
    return linear(field(def, 'right'), { ...ctx, depth: ctx.depth + 1 }, inside);
  }
  if (n.type === 'binary_operator') {
    // Down the left operands without recursion: a flat chain may be thousands of links deep
    // (nesting.ts does not count them as nesting).
    const spine: PyNode[] = [];
    let left: PyNode = n;
    for (let l: PyNode | null = n; l?.type === 'binary_operator'; l = field(l, 'left') ? unwrap(field(l, 'left') as PyNode) : null) {
      spine.push(l);
      left = l;
    }
    let acc = linear(field(left, 'left'), ctx, inLoop);
    for (let i = spine.length - 1; i >= 0 && acc; i--) {
      const link = spine[i] as PyNode;
      const b = linear(field(link, 'right'), ctx, inLoop);
      const op = field(link, 'operator')?.text;
      if (!b) acc = null;
      else if (acc.now === 0 && acc.mark === 0 && b.now === 0 && b.mark === 0 && !Number.isNaN(acc.c) && !Number.isNaN(b.c)) {
        // Two known constants fold as `evalNumber` folds them (every operator), the link their node.
        const v = applyOperator(op, acc.c, b.c);
        acc = v === null ? null : { now: 0, mark: 0, c: v, clock: null, clockCall: null, constNode: link };
      } else acc = combine(op, acc, b);
    }
    return acc;
  }
  return null;
}

/** `a <op> b` of two linear forms, when it is one. */
function combine(op: string | undefined, a: Linear, b: Linear): Linear | null {
  const pick = <T>(x: T | null, y: T | null) => x ?? y;
  const meta = { clock: pick(a.clock, b.clock), clockCall: pick(a.clockCall, b.clockCall), constNode: pick(b.constNode, a.constNode) };
  if (op === '+' || op === '-') {
    const s = op === '+' ? 1 : -1;
    return { now: a.now + s * b.now, mark: a.mark + s * b.mark, c: a.c + s * b.c, ...meta };
  }
  const scalar = a.now === 0 && a.mark === 0 ? a.c : b.now === 0 && b.mark === 0 ? b.c : null;
  const other = a.now === 0 && a.mark === 0 ? b : a;
  // An unknown factor would make the clock's coefficient unknown: not a bound we can read.
  if (scalar === null || (Number.isNaN(scalar) && (other.now !== 0 || other.mark !== 0))) return null;
  if (op === '*') return { now: other.now * scalar, mark: other.mark * scalar, c: other.c * scalar, ...meta };
  if (op === '/' && other === a && scalar !== 0) return { now: a.now / scalar, mark: a.mark / scalar, c: a.c / scalar, ...meta };
  return null;
}

const TIMEDELTA_ARGS = ['days', 'seconds', 'microseconds', 'milliseconds', 'minutes', 'hours', 'weeks'];
const TIMEDELTA_SECONDS: Record<string, number> = { days: 86400, seconds: 1, microseconds: 1e-6, milliseconds: 1e-3, minutes: 60, hours: 3600, weeks: 604800 };

/** `timedelta(seconds=3)` → 3. */
function timedeltaSeconds(call: PyNode, ctx: LinearCtx): number | null {
  const q = qualify(field(call, 'function') ?? call, ctx.fn.module.imports);
  if (q !== 'datetime.timedelta') return null;
  let total = 0;
  let i = 0;
  for (const a of named(field(call, 'arguments') ?? call)) {
    const key = a.type === 'keyword_argument' ? (field(a, 'name')?.text ?? '') : (TIMEDELTA_ARGS[i++] ?? '');
    const v = evalNumber(a.type === 'keyword_argument' ? field(a, 'value') : a, ctx.env);
    const unit = TIMEDELTA_SECONDS[key];
    if (v === null || unit === undefined) return null;
    total += v * unit;
  }
  return total;
}

/** `clock = asyncio.get_running_loop()` … `clock.time()`: the event loop's clock, whatever its name. */
function loopClockByName(call: PyNode, ctx: LinearCtx): Clock | null {
  const callee = field(call, 'function');
  if (callee?.type !== 'attribute' || field(callee, 'attribute')?.text !== 'time') return null;
  const obj = field(callee, 'object');
  if (obj?.type !== 'identifier') return null;
  const def = assignmentOf(obj.text, ctx.fn, call);
  const value = def ? field(def, 'right') : null;
  const inner = value ? unwrap(value) : null;
  if (inner?.type !== 'call') return null;
  const q = qualify(field(inner, 'function') ?? inner, ctx.fn.module.imports);
  return q === 'asyncio.get_running_loop' || q === 'asyncio.get_event_loop' ? 'loop' : null;
}

/**
 * A parameter whose value the call decides and we cannot read: one with no default, or one the
 * call passes an expression we cannot evaluate (then its default does not apply either).
 */
function freeParam(id: PyNode, ctx: { fn: PyFunction; env: ConstEnv; passed: ReadonlySet<string> }): boolean {
  if (id.type !== 'identifier' || ctx.env.get(id.text) !== null) return false;
  return ctx.fn.params.some(
    (p) => p.name === id.text && (p.kind === 'positional' || p.kind === 'keyword-only') && (p.defaultValue === null || ctx.passed.has(p.name)),
  );
}

interface Bound {
  timeoutSeconds: number | null;
  clock: Clock | null;
  clockCall: PyNode | null;
  timeoutNode: PyNode | null;
}

/** Reads `now - start < T`, `now < deadline`, `elapsed >= T`, … from one comparison. */
function clockBound(cmp: PyNode, ctx: LinearCtx): Bound | null {
  if (cmp.type !== 'comparison_operator') return null;
  const operands = named(cmp);
  if (operands.length !== 2) return null;
  const a = linear(operands[0] ?? null, ctx, true);
  const b = linear(operands[1] ?? null, ctx, true);
  if (!a || !b) return null;
  const now = a.now - b.now;
  const mark = a.mark - b.mark;
  const c = a.c - b.c;
  const clock = a.clock ?? b.clock;
  if (now === 0 || !clock) return null;
  const timeout = Math.abs(Math.round((-c / now) * 1e9) / 1e9);
  const constNode = b.constNode ?? a.constNode;
  return {
    timeoutSeconds: Math.abs(mark + now) < 1e-12 && Number.isFinite(timeout) ? timeout : null,
    clock,
    clockCall: a.clockCall ?? b.clockCall,
    timeoutNode: constNode,
  };
}

function comparisonsIn(node: PyNode): PyNode[] {
  const out: PyNode[] = [];
  const stack = [node];
  while (stack.length) {
    const n = unwrap(stack.pop() as PyNode);
    if (n.type === 'comparison_operator') out.push(n);
    else if (n.type === 'boolean_operator' || n.type === 'not_operator') for (const c of named(n)) stack.push(c);
  }
  return out;
}

/** Leaves the loop: the last statement of the block is break/return/raise. */
export function leaves(block: PyNode | null): 'break' | 'return' | 'raise' | 'continue' | null {
  const sts = statements(block);
  const last = sts[sts.length - 1];
  if (!last) return null;
  if (last.type === 'break_statement') return 'break';
  if (last.type === 'return_statement') return 'return';
  if (last.type === 'raise_statement') return 'raise';
  if (last.type === 'continue_statement') return 'continue';
  return null;
}

/**
 * Counted bound: `for _ in range(N)` or `while attempts < N` with `attempts += 1`. A count held
 * in a parameter the call decides (`freeParam`) bounds the wait too, by a number of polls unknown here.
 */
function countedPolls(loop: PyNode, wctx: WaitContext): { polls: number | null; node: PyNode } | null {
  const env = wctx.env;
  const free = { fn: wctx.fn, env, passed: wctx.passed ?? NO_NAMES };
  if (loop.type === 'for_statement') {
    const right = field(loop, 'right');
    if (right?.type !== 'call' || field(right, 'function')?.text !== 'range') return null;
    const args = named(field(right, 'arguments') ?? right);
    const nums = args.map((a) => evalNumber(a, env));
    if (args.length === 1 && nums[0] === null && freeParam(args[0] as PyNode, free)) return { polls: null, node: args[0] as PyNode };
    if (nums.some((v) => v === null) || nums.length === 0) return null;
    const [a, b, step] = nums as number[];
    const polls = nums.length === 1 ? (a as number) : Math.ceil(((b as number) - (a as number)) / (step ?? 1));
    return { polls, node: args[nums.length === 1 ? 0 : 1] as PyNode };
  }
  const cond = field(loop, 'condition');
  if (!cond) return null;
  for (const cmp of comparisonsIn(cond)) {
    const [l, r] = named(cmp);
    if (!l || !r) continue;
    // The counter may stand on either side: `attempts < 300`, `remaining > 0`, `0 < remaining`.
    const [counter, limit] = l.type === 'identifier' && evalNumber(l, env) === null ? [l, r] : [r, l];
    if (counter.type !== 'identifier') continue;
    const step = findInScope(loop, new Set(['augmented_assignment'])).find((a) => field(a, 'left')?.text === counter.text);
    const n = evalNumber(limit, env);
    if (!step || (n === null && !freeParam(limit, free))) continue;
    const op = kids(step).find((c) => c.type === '+=' || c.type === '-=')?.type ?? field(step, 'operator')?.text;
    const by = evalNumber(field(step, 'right'), env);
    if (!by || (op !== '+=' && op !== '-=')) continue;
    const initDef = findInScope(loop.parent ?? loop, new Set(['assignment'])).filter((a) => field(a, 'left')?.text === counter.text && a.endIndex <= loop.startIndex).pop();
    if (n === null) return { polls: null, node: limit };
    const init = initDef ? evalNumber(field(initDef, 'right'), env) : 0;
    // `remaining = attempts` from an unknown value: a count, of a number of polls unknown here.
    if (init === null) return { polls: null, node: field(initDef as PyNode, 'right') as PyNode };
    const polls = Math.abs((n - init) / by);
    if (Number.isFinite(polls)) return { polls: Math.round(polls * 1e9) / 1e9, node: initDef && op === '-=' ? (field(initDef, 'right') as PyNode) : limit };
  }
  return null;
}

export interface WaitContext {
  fn: PyFunction;
  env: ConstEnv;
  cond: ConditionContext;
  /** Parameters a call passes values we cannot read (a helper read at its call site). */
  passed?: ReadonlySet<string>;
}

const NO_NAMES: ReadonlySet<string> = new Set();

/**
 * A loop that waits for the connection state: it tests the state and sleeps. Returns null
 * for any other loop. `bounded` says whether anything limits how long it waits.
 */
export function analyzeWaitLoop(loop: PyNode, wctx: WaitContext): WaitLoop | null {
  if (loop.type !== 'while_statement' && loop.type !== 'for_statement') return null;
  const table = wctx.fn.module.imports;
  const body = field(loop, 'body');
  if (!body) return null;
  const calls = callsIn(loop);
  let sleepCall: PyNode | null = null;
  let sleep: SleepKind | null = null;
  let intervalNode: PyNode | null = null;
  for (const c of calls) {
    const s = sleepOf(c, table);
    if (s) {
      sleepCall = c;
      sleep = s.kind;
      intervalNode = s.argument;
      break;
    }
  }
  if (!sleepCall) return null;

  // State tests anywhere in the condition or in `if`s of the body.
  const tests: StateTest[] = [];
  const condition = loop.type === 'while_statement' ? field(loop, 'condition') : null;
  const condTest = condition ? evalCondition(condition, wctx.cond) : null;
  if (condTest?.informative) tests.push(condTest);
  const ifs = findInScope(body, new Set(['if_statement', 'elif_clause', 'assignment']));
  for (const st of ifs) {
    const c = st.type === 'assignment' ? field(st, 'right') : field(st, 'condition');
    if (!c) continue;
    const t = evalCondition(c, wctx.cond);
    if (t.informative) tests.push(t);
  }
  if (tests.length === 0) return null;

  const lctx: LinearCtx = { fn: wctx.fn, env: wctx.env, loop, depth: 0, passed: wctx.passed ?? NO_NAMES };
  let bound: Bound | null = null;
  let timeoutEntry: TimeoutEntry = { kind: 'exhausted' };
  if (condition) for (const cmp of comparisonsIn(condition)) bound ??= clockBound(cmp, lctx);
  if (!bound) {
    for (const st of findInScope(body, new Set(['if_statement']))) {
      const c = field(st, 'condition');
      const b = c ? comparisonsIn(c).map((cmp) => clockBound(cmp, lctx)).find((x) => x) : null;
      const consequence = field(st, 'consequence');
      if (b && consequence && leaves(consequence)) {
        bound = b;
        timeoutEntry = { kind: 'branch', block: consequence };
        break;
      }
    }
  }
  const scope = bound ? null : cancelScope(loop, wctx);
  if (scope) {
    bound = { timeoutSeconds: scope.timeoutSeconds, clock: 'loop', clockCall: null, timeoutNode: scope.timeoutNode };
    timeoutEntry = { kind: 'scope', withNode: scope.withNode, raises: scope.raises };
  }
  const interval = evalNumber(intervalNode, wctx.env);
  let polls: number | null = null;
  let timeoutSeconds = bound?.timeoutSeconds ?? null;
  let timeoutNode = bound?.timeoutNode ?? null;
  const counted = bound ? null : countedPolls(loop, wctx);
  if (counted) {
    polls = counted.polls;
    timeoutNode = counted.node;
    timeoutSeconds = interval !== null && counted.polls !== null ? Math.round(counted.polls * interval * 1e9) / 1e9 : null;
  } else if (timeoutSeconds !== null && interval) {
    polls = pollsOf(timeoutSeconds, interval);
  }

  const states = new Set<string>();
  const conns = new Set<string>();
  for (const t of tests) {
    for (const a of t.attrs) states.add(a);
    for (const c of t.conns) conns.add(c);
  }
  let clockCall = bound?.clockCall ?? null;
  if (!clockCall) clockCall = calls.find((c) => clockOf(c, table)) ?? null;

  return {
    loop,
    bounded: bound !== null || counted !== null,
    timeoutSeconds,
    intervalSeconds: interval,
    polls,
    states: [...states].sort(),
    conns,
    clock: bound?.clock ?? (clockCall ? clockOf(clockCall, table) : null),
    sleep,
    exitsOnTerminalState: exitsOnTerminal(loop, condTest, wctx),
    clockCall,
    sleepCall,
    timeoutNode,
    intervalNode,
    timeoutEntry,
    assignedInLoop: new Set(
      findInScope(body, new Set(['assignment']))
        .map((a) => field(a, 'left'))
        .filter((l): l is PyNode => l?.type === 'identifier')
        .map((l) => l.text),
    ),
  };
}

const RAISING_SCOPES = new Set(['asyncio.timeout', 'async_timeout.timeout', 'anyio.fail_after', 'trio.fail_after']);
const MOVING_SCOPES = new Set(['anyio.move_on_after', 'trio.move_on_after']);

/** A `with` cancel scope enclosing the loop in the same function. */
function cancelScope(loop: PyNode, wctx: WaitContext): { withNode: PyNode; raises: boolean; timeoutSeconds: number | null; timeoutNode: PyNode | null } | null {
  for (let n = loop.parent; n && n.id !== wctx.fn.node.id; n = n.parent) {
    if (n.type === 'while_statement' || n.type === 'for_statement') return null;
    if (n.type !== 'with_statement') continue;
    for (const item of findInScope(n, new Set(['with_item']))) {
      if (!isInside(item, n) || item.parent?.parent?.id !== n.id) continue;
      let value = field(item, 'value');
      if (value?.type === 'as_pattern') value = named(value)[0] ?? null;
      const call = value ? unwrap(value) : null;
      if (call?.type !== 'call') continue;
      const q = qualify(field(call, 'function') ?? call, wctx.fn.module.imports) ?? '';
      if (!RAISING_SCOPES.has(q) && !MOVING_SCOPES.has(q)) continue;
      const arg = named(field(call, 'arguments') ?? call)[0] ?? null;
      const value2 = arg?.type === 'keyword_argument' ? field(arg, 'value') : arg;
      return { withNode: n, raises: RAISING_SCOPES.has(q), timeoutSeconds: evalNumber(value2, wctx.env), timeoutNode: value2 };
    }
  }
  return null;
}

/** Leaves at once on DISCONNECTED: the condition excludes it, or a branch leaves on it. */
function exitsOnTerminal(loop: PyNode, condTest: StateTest | null, wctx: WaitContext): boolean {
  if (condTest?.informative && !condTest.may.has('DISCONNECTED')) return true;
  const body = field(loop, 'body');
  for (const st of findInScope(body ?? loop, new Set(['if_statement', 'elif_clause']))) {
    const c = field(st, 'condition');
    const consequence = field(st, 'consequence');
    if (!c || !consequence) continue;
    const t = evalCondition(c, wctx.cond);
    const action = leaves(consequence);
    // Certainly leaves on DISCONNECTED (perhaps also on a deadline: `if disconnected or late:`), not while CONNECTING.
    if (t.informative && t.must.has('DISCONNECTED') && !t.must.has('CONNECTING') && action && action !== 'continue') return true;
  }
  return false;
}

export function isAsyncFor(node: PyNode): boolean {
  return node.type === 'for_statement' && kids(node).some((c) => c.type === 'async');
}
