// Which handshake guard runs before a receive, on every path (SPEC §3): the loop's
// condition, statements that precede the receive in the same iteration, or statements that
// precede the loop in the same function. A check on one branch only, or after the receive,
// does not dominate the receive and is not a guard.
import type { PollingHelper } from '../../config/types.js';
import type { Fingerprint, Guard, GuardKind, NameUse, OnTimeout, Placement } from '../../model.js';
import { callsIn, isLogCall, resolveRepoCall, sleepOf, statementCall } from './calls.js';
import {
  certainlyWhenNotConnected,
  evalCondition,
  onlyWhenConnected,
  type CallMeaning,
  type ConditionContext,
} from './conditions.js';
import { evalNumber, type ConstEnv } from './constants.js';
import { qualify } from './imports.js';
import { functionEnv, type PyFunction } from './module.js';
import { analyzeWaitLoop, leaves, type WaitLoop } from './polling.js';
import type { RepoIndex } from './repo-index.js';
import { brief, enclosing, field, findInScope, isInside, kids, LOOP_TYPES, named, spanOf, statements, unwrap, walk, type PyNode } from './nodes.js';
import { callOnOtherConnection, receiverOf, sameConnectionTest } from './same-connection.js';
import { unboundNames } from './scope.js';

export interface GuardContext {
  index: RepoIndex | null;
  guardHelpers: readonly string[];
  /** Configured helpers declared polling: their call sites are polling guards with these fields. */
  pollingHelpers?: readonly PollingHelper[];
}

type HelperClass =
  | { kind: 'polling' | 'unbounded'; fn: PyFunction }
  | { kind: 'check'; fn: PyFunction | null }
  | { kind: 'declared'; spec: PollingHelper };

interface Candidate {
  kind: 'check' | 'polling' | 'unbounded';
  node: PyNode;
  placement: Placement;
  summary: string;
  helper: string | null;
  fingerprint: Fingerprint | null;
  wait: WaitLoop | null;
  /** Nodes whose names the guard needs at run time (HG010). */
  nameNodes: PyNode[];
  /** A helper guard: the call's arguments that decide its timeout and interval (HG008's place). */
  args?: { timeout: PyNode | null; interval: PyNode | null };
}

const STATE_ATTR = /(^|_)state$/;
// Validation helpers defined outside the repository, recognised by name when the config does not list them.
const HELPER_NAME = /(is_)?(websocket_|ws_)?(connected|ready|open|alive)|validate_.*(websocket|ws|connection|handshake)|handshake/i;

// Keyed by the function object: a new parse makes new objects, so nothing goes stale.
const helperCache = new WeakMap<PyFunction, HelperClass | null>();

/** Classifies a repository function by its body: a bounded wait, an unbounded one, or a state check. */
function classifyHelper(fn: PyFunction, gctx: GuardContext): HelperClass | null {
  if (helperCache.has(fn)) return helperCache.get(fn) ?? null;
  helperCache.set(fn, null); // recursion guard
  let result: HelperClass | null = null;
  const cond = conditionContext(fn, gctx, 0);
  for (const loop of findInScope(fn.node, new Set(['while_statement', 'for_statement']))) {
    const w = analyzeWaitLoop(loop, { fn, env: fn.env, cond });
    if (w) {
      result = { kind: w.bounded ? 'polling' : 'unbounded', fn };
      break;
    }
  }
  if (!result) {
    const tests = findInScope(fn.node, new Set(['comparison_operator', 'call']));
    if (tests.some((t) => evalCondition(t, cond).informative)) result = { kind: 'check', fn };
  }
  helperCache.set(fn, result);
  return result;
}

function callArgs(call: PyNode): PyNode[] {
  return named(field(call, 'arguments') ?? call);
}

/** What a call in a condition means for the state: a helper that validates the connection. */
function helperOfCall(call: PyNode, fn: PyFunction, gctx: GuardContext, depth: number): HelperClass | null {
  const callee = field(call, 'function');
  if (!callee) return null;
  // One level deep: a helper's own helpers are recognised by name only.
  const resolved = depth > 0 ? resolveRepoCall(call, fn, gctx.index) : null;
  if (resolved) return classifyHelper(resolved, gctx);
  const name = (callee.text.split('.').pop() ?? '').trim();
  const declared = gctx.pollingHelpers?.find((h) => h.name === name || h.name === callee.text);
  if (declared) return { kind: 'declared', spec: declared };
  if (gctx.guardHelpers.includes(name) || gctx.guardHelpers.includes(callee.text)) return { kind: 'check', fn: null };
  const mentionsConnection = callArgs(call).some((a) => /ws|socket|conn/i.test(a.text));
  if (mentionsConnection && HELPER_NAME.test(name) && !/^(send|receive|recv|close|accept)/.test(name)) return { kind: 'check', fn: null };
  return null;
}

/** A condition context that also knows the function's repository calls and the receive. */
export interface PathContext extends ConditionContext {
  resolve: (call: PyNode) => PyFunction | null;
  /** The receive the guard protects: a swallowed raise before it "continues" or falls through. */
  anchor?: PyNode;
  /**
   * The message loop: a re-check before it that returns leaves the loop as a `break` in it
   * would, so both read `recheck-break` (as on the TS side).
   */
  messageLoop?: PyNode;
}

/** `return` after a re-check outside the message loop (before it) leaves the loop: `recheck-break`. */
function recheckLeaves(onTimeout: OnTimeout, at: PyNode, cctx: PathContext): boolean {
  if (onTimeout === 'break') return true;
  return onTimeout === 'return' && cctx.messageLoop !== undefined && !isInside(at, cctx.messageLoop);
}

export function conditionContext(fn: PyFunction, gctx: GuardContext, depth = 1): PathContext {
  const table = fn.module.imports;
  return {
    resolve: (call) => resolveRepoCall(call, fn, gctx.index),
    propertyValue: (attr) => propertyValue(attr, fn),
    table,
    isStateAttr: (name) => STATE_ATTR.test(name),
    callMeaning: (call): CallMeaning => {
      const q = qualify(field(call, 'function') ?? call, table);
      if (q === 'hasattr' || q === 'callable' || q === 'isinstance') return { kind: 'always-true' };
      const h = helperOfCall(call, fn, gctx, depth);
      if (h) return { kind: 'connected', conn: callArgs(call)[0]?.text ?? '' };
      return null;
    },
    valueOf: (id) => localValue(id, fn),
  };
}

/** `self.connected` where `connected` is a `@property` of the class returning one expression. */
function propertyValue(attr: PyNode, fn: PyFunction): PyNode | null {
  if (field(attr, 'object')?.text !== 'self' || !fn.classNode) return null;
  const name = field(attr, 'attribute')?.text;
  const cls = fn.classNode;
  const prop = fn.module.functions.find(
    (f) => f.classNode?.id === cls.id && f.name === name && f.decorators.some((d) => /^@\s*(\w+\.)?(property|cached_property)\b/.test(d.text)),
  );
  const body = prop ? statements(field(prop.node, 'body')) : [];
  const ret = body.length === 1 && body[0]?.type === 'return_statement' ? named(body[0])[0] : null;
  return ret ?? null;
}

/** The `except` clause inside the function that catches a `raise` statement, if any. */
export function catchingHandler(raise: PyNode, limit: PyNode): PyNode | null {
  const raised = named(raise)[0];
  const cls = raised ? (raised.type === 'call' ? field(raised, 'function') : raised)?.text ?? '' : '';
  let child = raise;
  for (let n = raise.parent; n && n.id !== limit.id; child = n, n = n.parent) {
    if (n.type !== 'try_statement' || field(n, 'body')?.id !== child.id) continue;
    for (const clause of named(n).filter((c) => c.type === 'except_clause')) {
      const kinds = named(clause).filter((c) => c.type !== 'block');
      if (kinds.length === 0) return clause;
      const names = kinds.map((k) => (k.type === 'as_pattern' ? (named(k)[0]?.text ?? '') : k.text)).join(',').replace(/[()\s]/g, '').split(',');
      if (names.some((t) => t === cls || /^(Exception|BaseException)$/.test(t) || (TIMEOUT_EXCEPTIONS.test(t) && TIMEOUT_EXCEPTIONS.test(cls)))) return clause;
    }
  }
  return null;
}

function handlerBody(clause: PyNode): PyNode[] {
  return statements(field(clause, 'body') ?? named(clause).find((c) => c.type === 'block') ?? null);
}

/** What a `raise` really does in the loop: leave, or (swallowed by an except) continue or fall through. */
function raiseOutcome(raise: PyNode, cctx: PathContext, flags: ReadonlySet<string>, fn: PyFunction): PathResult {
  const clause = catchingHandler(raise, fn.node);
  if (!clause) return { onTimeout: 'raise', logs: false };
  const r = followPath(handlerBody(clause), cctx, flags, fn);
  if (r.onTimeout !== 'none') return r;
  const tryNode = clause.parent;
  const skipsReceive = cctx.anchor && tryNode && isInside(cctx.anchor, tryNode);
  return { onTimeout: skipsReceive ? 'continue' : 'none', logs: r.logs };
}

/** A call to a repository function that logs (`report_timeout(ws, 3.0)`). */
function logsThroughHelper(call: PyNode, cctx: PathContext): boolean {
  const target = cctx.resolve(call);
  return target !== null && findInScope(target.node, new Set(['call'])).some((c) => isLogCall(c, target.module.imports));
}

/** A simple assignment to a local name: where it ends and its right-hand side. */
interface LocalAssignment {
  name: string;
  end: number;
  right: PyNode | null;
}

// A function's simple assignments with their names and right-hand sides, listed once: conditions
// ask for a name's value many times (findInScope keeps the nodes; this keeps what is read of them).
const assignmentCache = new WeakMap<PyFunction, LocalAssignment[]>();
const ASSIGNMENT = new Set(['assignment']);

function localAssignments(fn: PyFunction): LocalAssignment[] {
  let list = assignmentCache.get(fn);
  if (!list) {
    list = [];
    for (const a of findInScope(fn.node, ASSIGNMENT)) {
      const left = field(a, 'left');
      if (left?.type === 'identifier') list.push({ name: left.text, end: a.endIndex, right: field(a, 'right') });
    }
    assignmentCache.set(fn, list);
  }
  return list;
}

/** The right side of the last assignment to the name that ends before it, in document order. */
function localValue(id: PyNode, fn: PyFunction): PyNode | null {
  let found: PyNode | null = null;
  const name = id.text;
  const at = id.startIndex;
  for (const a of localAssignments(fn)) if (a.name === name && a.end <= at) found = a.right;
  return found;
}

// ---- timeout paths -----------------------------------------------------------------------

interface PathResult {
  onTimeout: OnTimeout;
  logs: boolean;
  /** The `return` that ends the path, when it returns (a helper's result on timeout). */
  exit?: PyNode;
}

type FallbackCondition = 'recheck' | 'flag' | 'unknown';

function fallbackCondition(cond: PyNode, cctx: PathContext, flags: ReadonlySet<string>): FallbackCondition {
  // `if not ready:` where `ready` is only set inside the wait: true exactly when the wait ran out.
  const ids: string[] = [];
  walk(cond, (n) => {
    if (n.type === 'identifier') ids.push(n.text);
    return n.type !== 'call';
  });
  if (ids.length > 0 && ids.every((id) => flags.has(id))) return 'flag';
  return certainlyWhenNotConnected(evalCondition(cond, cctx)) ? 'recheck' : 'unknown';
}

function followPath(stmts: PyNode[], cctx: PathContext, flags: ReadonlySet<string>, table: PyFunction): PathResult {
  let logs = false;
  for (const s of stmts) {
    const call = statementCall(s);
    if (call && (isLogCall(call, table.module.imports) || logsThroughHelper(call, cctx))) {
      logs = true;
      continue;
    }
    switch (s.type) {
      case 'break_statement':
        return { onTimeout: 'break', logs };
      case 'return_statement':
        return { onTimeout: 'return', logs, exit: s };
      case 'raise_statement': {
        const r = raiseOutcome(s, cctx, flags, table);
        return { onTimeout: r.onTimeout, logs: logs || r.logs };
      }
      case 'continue_statement':
        return { onTimeout: 'continue', logs };
      case 'if_statement': {
        const cond = field(s, 'condition');
        const kind = cond ? fallbackCondition(cond, cctx, flags) : 'unknown';
        if (kind === 'unknown') continue;
        const r = followPath(statements(field(s, 'consequence')), cctx, flags, table);
        logs ||= r.logs;
        if (r.onTimeout !== 'none') {
          return { onTimeout: kind === 'recheck' && recheckLeaves(r.onTimeout, s, cctx) ? 'recheck-break' : r.onTimeout, logs, exit: r.exit };
        }
        continue;
      }
      case 'try_statement':
      case 'with_statement': {
        const r = followPath(statements(field(s, 'body')), cctx, flags, table);
        logs ||= r.logs;
        if (r.onTimeout !== 'none') return { onTimeout: r.onTimeout, logs, exit: r.exit };
        continue;
      }
      default:
        continue;
    }
  }
  return { onTimeout: 'none', logs };
}

/** Statements that run after `node` until the statement holding `stop` (or the end of `limit`). */
function statementsAfter(node: PyNode, stop: PyNode | null, limit: PyNode): PyNode[] {
  const out: PyNode[] = [];
  let cur = node;
  for (;;) {
    const block = cur.parent;
    if (!block) return out;
    let seen = false;
    for (const s of statements(block)) {
      if (s.id === cur.id) {
        seen = true;
        continue;
      }
      if (!seen) continue;
      if (stop && isInside(stop, s)) return out;
      out.push(s);
    }
    const owner = block.parent;
    if (!owner || owner.id === limit.id || !isInside(owner, limit)) return out;
    if (['while_statement', 'for_statement', 'function_definition', 'class_definition', 'module'].includes(owner.type)) return out;
    // Leaving an if/else branch, a try body or a with block: go on after the compound statement.
    cur = ['elif_clause', 'else_clause', 'except_clause', 'finally_clause'].includes(owner.type) ? (owner.parent ?? owner) : owner;
  }
}

const TIMEOUT_EXCEPTIONS = /^(TimeoutError|asyncio\.TimeoutError|asyncio\.exceptions\.TimeoutError|Exception|BaseException|anyio\.TooSlowError)$/;

/** The `except TimeoutError:` clause of the nearest try around a node. */
function timeoutHandler(node: PyNode, limit: PyNode): PyNode | null {
  for (let n = node.parent; n && n.id !== limit.id; n = n.parent) {
    if (n.type !== 'try_statement') continue;
    for (const clause of named(n).filter((c) => c.type === 'except_clause')) {
      const kinds = named(clause).filter((c) => c.type !== 'block');
      if (kinds.length === 0) return clause;
      const text = kinds.map((k) => (k.type === 'as_pattern' ? (named(k)[0]?.text ?? '') : k.text)).join(',');
      if (text.replace(/[()\s]/g, '').split(',').some((t) => TIMEOUT_EXCEPTIONS.test(t))) return clause;
    }
  }
  return null;
}

/** A `with contextlib.suppress(TimeoutError)` (or Exception) around a node. */
function suppressingWith(node: PyNode, limit: PyNode, fn: PyFunction): PyNode | null {
  for (let n = node.parent; n && n.id !== limit.id; n = n.parent) {
    if (n.type !== 'with_statement') continue;
    for (const c of findInScope(n, new Set(['call']))) {
      if (!isInside(c, n) || (field(n, 'body') && isInside(c, field(n, 'body') as PyNode))) continue;
      if (qualify(field(c, 'function') ?? c, fn.module.imports) !== 'contextlib.suppress') continue;
      const kinds = named(field(c, 'arguments') ?? c).map((a) => qualify(a, fn.module.imports) ?? a.text);
      if (kinds.some((k) => TIMEOUT_EXCEPTIONS.test(k))) return n;
    }
  }
  return null;
}

function waitTimeoutPath(
  w: WaitLoop,
  anchor: PyNode | null,
  limit: PyNode,
  cctx: PathContext,
  fn: PyFunction,
): PathResult {
  const after = () => statementsAfter(w.loop, anchor, limit);
  const flags = w.assignedInLoop;
  if (w.timeoutEntry.kind === 'scope') {
    const scope = w.timeoutEntry.withNode;
    if (!w.timeoutEntry.raises) return followPath(statementsAfter(scope, anchor, limit), cctx, flags, fn);
    // The scope raises TimeoutError: `contextlib.suppress(TimeoutError)` around it goes on
    // after that `with`; else the handler of the try around it is the timeout path.
    const suppress = suppressingWith(scope, limit, fn);
    if (suppress) return followPath(statementsAfter(suppress, anchor, limit), cctx, flags, fn);
    const handler = timeoutHandler(scope, limit);
    return handler ? followPath(statements(field(handler, 'body') ?? named(handler).find((c) => c.type === 'block') ?? null), cctx, flags, fn) : { onTimeout: 'raise', logs: false };
  }
  if (w.timeoutEntry.kind === 'branch') {
    const branch = statements(w.timeoutEntry.block);
    const r = followPath(branch.slice(0, -1), cctx, flags, fn);
    const last = leaves(w.timeoutEntry.block);
    if (last === 'break') {
      const rest = followPath(after(), cctx, flags, fn);
      return { onTimeout: rest.onTimeout, logs: r.logs || rest.logs, exit: rest.exit };
    }
    const end = branch[branch.length - 1];
    return { onTimeout: last ?? 'none', logs: r.logs, exit: end?.type === 'return_statement' ? end : undefined };
  }
  const elseClause = named(w.loop).find((c) => c.type === 'else_clause');
  const e = elseClause ? followPath(statements(field(elseClause, 'body')), cctx, flags, fn) : { onTimeout: 'none' as OnTimeout, logs: false };
  if (e.onTimeout !== 'none') return e;
  const rest = followPath(after(), cctx, flags, fn);
  return { onTimeout: rest.onTimeout, logs: e.logs || rest.logs, exit: rest.exit };
}

function fingerprintOf(w: WaitLoop, path: PathResult, placement: Placement): Fingerprint {
  return {
    timeoutSeconds: w.timeoutSeconds,
    intervalSeconds: w.intervalSeconds,
    states: w.states,
    clock: w.clock,
    sleep: w.sleep,
    onTimeout: path.onTimeout,
    logsOnTimeout: path.logs,
    exitsOnTerminalState: w.exitsOnTerminalState,
    placement,
  };
}

// ---- helpers called at the guard site ----------------------------------------------------------

interface HelperTimeout {
  kind: 'raise' | 'falsy' | 'truthy';
  logs: boolean;
}

/** What a polling helper does when its bound runs out: raise, or return a falsy/truthy value. */
function helperTimeout(w: WaitLoop, helper: PyFunction, cctx: PathContext): HelperTimeout {
  const path = waitTimeoutPath(w, null, helper.node, cctx, helper);
  if (path.onTimeout === 'raise') return { kind: 'raise', logs: path.logs };
  // The return that ends the timeout path: `return False`, `return None`, a bare `return`, or
  // the state itself (`return ws.application_state == CONNECTED`, `ok = …; return ok`), which is
  // falsy exactly when the handshake did not complete.
  if (path.exit) {
    const result = named(path.exit)[0];
    const falsy = !result || isFalsyLiteral(result) || onlyWhenConnected(evalCondition(result, cctx));
    return { kind: falsy ? 'falsy' : 'truthy', logs: path.logs };
  }
  // Else the first return after the wait: `return False` / `return None` / implicit.
  const after = statementsAfter(w.loop, null, helper.node);
  const ret = [...(w.timeoutEntry.kind === 'branch' ? statements(w.timeoutEntry.block) : []), ...after].find(
    (s) => s.type === 'return_statement',
  );
  const value = ret ? named(ret)[0] : null;
  return { kind: value && !isFalsyLiteral(value) ? 'truthy' : 'falsy', logs: path.logs };
}

function isFalsyLiteral(value: PyNode): boolean {
  return ['false', 'none'].includes(value.type) || (value.type === 'integer' && value.text === '0');
}

/** A helper's wait as one call binds its parameters, with the call's arguments that decide its bound. */
interface HelperWait {
  wait: WaitLoop;
  /** The call's argument that decides the timeout (or count) / the interval, where one does. */
  timeoutArg: PyNode | null;
  intervalArg: PyNode | null;
}

/** The helper's fingerprint with its parameters bound to the call's constant arguments. */
function helperWait(helper: PyFunction, call: PyNode, callerEnv: ConstEnv, gctx: GuardContext): HelperWait | null {
  const overrides = new Map<string, number>();
  const argOf = new Map<string, PyNode>();
  // Parameters passed a value we cannot read: their defaults do not apply (`freeParam`).
  const passed = new Set<string>();
  const args = callArgs(call);
  let positional = 0;
  for (const a of args) {
    if (a.type === 'list_splat' || a.type === 'dictionary_splat') break;
    if (a.type === 'keyword_argument') {
      const value = field(a, 'value');
      const v = evalNumber(value, callerEnv);
      const name = field(a, 'name')?.text;
      if (name && v !== null && value) {
        overrides.set(name, v);
        argOf.set(name, value);
      } else if (name) passed.add(name);
      continue;
    }
    const params = helper.params.filter((p) => p.kind === 'positional');
    const offset = helper.classNode && params[0]?.name === 'self' ? 1 : 0;
    const p = params[positional + offset];
    positional++;
    const v = evalNumber(a, callerEnv);
    if (p && v !== null) {
      overrides.set(p.name, v);
      argOf.set(p.name, a);
    } else if (p) passed.add(p.name);
  }
  const cond = conditionContext(helper, gctx, 1);
  const waitWith = (values: ReadonlyMap<string, number>): WaitLoop | null => {
    const env = functionEnv(helper, values, passed);
    for (const loop of findInScope(helper.node, new Set(['while_statement', 'for_statement']))) {
      const w = analyzeWaitLoop(loop, { fn: helper, env, cond, passed });
      if (w) return w;
    }
    return null;
  };
  const wait = waitWith(overrides);
  if (!wait) return null;
  // The argument that decides a field is the one whose value changes it (HG008 reports there).
  let timeoutArg: PyNode | null = null;
  let intervalArg: PyNode | null = null;
  for (const [name, node] of argOf) {
    if (timeoutArg && intervalArg) break;
    const v = overrides.get(name) as number;
    const other = waitWith(new Map([...overrides, [name, v * 2 + 1]]));
    if (!other) continue;
    if (!timeoutArg && (other.timeoutSeconds !== wait.timeoutSeconds || other.polls !== wait.polls)) timeoutArg = node;
    if (!intervalArg && other.intervalSeconds !== wait.intervalSeconds) intervalArg = node;
  }
  return { wait, timeoutArg, intervalArg };
}

// ---- the guard search ----------------------------------------------------------------------------

interface SearchContext {
  fn: PyFunction;
  gctx: GuardContext;
  cctx: PathContext;
  /** The receive (or the loop, for `async for … in ws.iter_text()`). */
  anchor: PyNode;
  messageLoop: PyNode;
}

/**
 * A wait whose result is ignored (`await wait_ready(ws)`) goes on after the call when its bound
 * runs out, as an inline wait does: what follows it up to the receive is the timeout path, and a
 * re-check there that leaves (`if ws.application_state != CONNECTED: break`) is the fallback.
 */
function ignoredResultPath(stmt: PyNode, sctx: SearchContext): PathResult {
  return followPath(statementsAfter(stmt, sctx.anchor, sctx.fn.node), sctx.cctx, new Set(), sctx.fn);
}

/**
 * What the caller does with a helper's result: the statements run when it is falsy (`if not
 * await h(ws): break`), nothing (`await h(ws)`: the result is ignored), or `leaves-loop` — the
 * call is (an `and` operand of) the message loop's own `while` condition, so a falsy result
 * ends the loop as `if not …: break` at the top of its body would.
 */
type Handling = PyNode[] | null | { leavesLoop: PyNode };

function handlingPath(handling: PyNode[] | { leavesLoop: PyNode }, stmt: PyNode, sctx: SearchContext): PathResult {
  if (!Array.isArray(handling)) {
    // The `else:` of the `while` runs when the condition turns false; unless it raises, the loop is left.
    const elseClause = named(handling.leavesLoop).find((c) => c.type === 'else_clause');
    const r = elseClause ? followPath(statements(field(elseClause, 'body')), sctx.cctx, new Set(), sctx.fn) : { onTimeout: 'none' as OnTimeout, logs: false };
    return { onTimeout: r.onTimeout === 'raise' ? 'raise' : 'recheck-break', logs: r.logs };
  }
  const r = followPath(handling, sctx.cctx, new Set(), sctx.fn);
  return { onTimeout: recheckLeaves(r.onTimeout, stmt, sctx.cctx) ? 'recheck-break' : r.onTimeout, logs: r.logs };
}

/** The guard a helper call at a statement makes, with what happens when it times out there. */
function helperCandidate(
  call: PyNode,
  stmt: PyNode,
  handling: Handling,
  placement: Placement,
  sctx: SearchContext,
): Candidate | null {
  const cls = helperOfCall(call, sctx.fn, sctx.gctx, 1);
  if (!cls) return null;
  const name = field(call, 'function')?.text ?? 'helper';
  if (cls.kind === 'check') {
    if (!handling) return null; // a check whose result is ignored guards nothing
    return { kind: 'check', node: stmt, placement, summary: brief(stmt), helper: name, fingerprint: null, wait: null, nameNodes: [call] };
  }
  if (cls.kind === 'declared') return declaredCandidate(cls.spec, call, stmt, handling, placement, sctx);
  const hw = helperWait(cls.fn, call, sctx.fn.env, sctx.gctx);
  if (!hw) return null;
  const w = hw.wait;
  // Bounded or not as the call binds the helper's parameters.
  if (!w.bounded) {
    return { kind: 'unbounded', node: stmt, placement, summary: brief(stmt), helper: name, fingerprint: null, wait: w, nameNodes: [call] };
  }
  const t = helperTimeout(w, cls.fn, conditionContext(cls.fn, sctx.gctx, 1));
  let path: PathResult;
  if (t.kind === 'raise') path = { onTimeout: 'raise', logs: t.logs };
  else if (!handling) {
    const r = ignoredResultPath(stmt, sctx);
    path = { onTimeout: r.onTimeout, logs: t.logs || r.logs };
  } else if (t.kind === 'truthy') path = { onTimeout: 'none', logs: t.logs };
  else {
    const r = handlingPath(handling, stmt, sctx);
    path = { onTimeout: r.onTimeout, logs: t.logs || r.logs };
  }
  return {
    kind: 'polling',
    node: stmt,
    placement,
    summary: brief(stmt),
    helper: name,
    fingerprint: fingerprintOf(w, path, placement),
    wait: w,
    nameNodes: [call],
    args: { timeout: hw.timeoutArg, interval: hw.intervalArg },
  };
}

/**
 * A call to a helper the configuration declares polling (its body is elsewhere): the fields it
 * declares, null where unknown (states, clock, sleep); on timeout it returns a falsy value, so
 * what the caller does then decides `onTimeout`, as for a repository helper — or it raises.
 */
function declaredCandidate(spec: PollingHelper, call: PyNode, stmt: PyNode, handling: Handling, placement: Placement, sctx: SearchContext): Candidate {
  let path: PathResult;
  if (spec.onTimeout === 'raise') path = { onTimeout: 'raise', logs: spec.logsOnTimeout };
  else if (!handling) {
    const r = ignoredResultPath(stmt, sctx);
    path = { onTimeout: r.onTimeout, logs: spec.logsOnTimeout || r.logs };
  }
  else if (!Array.isArray(handling)) {
    const r = handlingPath(handling, stmt, sctx);
    path = { onTimeout: r.onTimeout, logs: spec.logsOnTimeout || r.logs };
  } else {
    const r = followPath(handling, sctx.cctx, new Set(), sctx.fn);
    path = { onTimeout: r.onTimeout === 'break' ? 'recheck-break' : r.onTimeout, logs: spec.logsOnTimeout || r.logs };
  }
  const fingerprint: Fingerprint = {
    timeoutSeconds: spec.timeoutSeconds,
    intervalSeconds: spec.intervalSeconds,
    states: [],
    clock: null,
    sleep: null,
    onTimeout: path.onTimeout,
    logsOnTimeout: path.logs,
    exitsOnTerminalState: spec.exitsOnTerminalState,
    placement,
  };
  return { kind: 'polling', node: stmt, placement, summary: brief(stmt), helper: field(call, 'function')?.text ?? spec.name, fingerprint, wait: null, nameNodes: [call] };
}

/**
 * `await asyncio.wait_for(until_connected(ws), timeout=3)`: a repository wait bounded by
 * `wait_for`; on timeout `TimeoutError` goes to the `except` around it (or propagates).
 */
function waitForCandidate(call: PyNode, stmt: PyNode, placement: Placement, sctx: SearchContext): Candidate | null {
  const q = qualify(field(call, 'function') ?? call, sctx.fn.module.imports);
  if (q !== 'asyncio.wait_for') return null;
  const args = callArgs(call);
  const inner = args[0] ? unwrap(args[0]) : null;
  const timeoutArg = args.find((a) => a.type === 'keyword_argument' && field(a, 'name')?.text === 'timeout');
  const timeoutNode = timeoutArg ? field(timeoutArg, 'value') : (args[1] ?? null);
  if (inner?.type !== 'call' || !timeoutNode) return null;
  const cls = helperOfCall(inner, sctx.fn, sctx.gctx, 1);
  if (!cls || cls.kind === 'check' || cls.kind === 'declared') return null;
  const hw = helperWait(cls.fn, inner, sctx.fn.env, sctx.gctx);
  if (!hw) return null;
  const w = hw.wait;
  const bound = evalNumber(timeoutNode, sctx.fn.env);
  const timeoutSeconds = w.timeoutSeconds !== null && bound !== null ? Math.min(w.timeoutSeconds, bound) : (bound ?? w.timeoutSeconds);
  // The bound that runs out first is the one written where it is decided.
  const fromWaitFor = bound !== null && (!w.bounded || w.timeoutSeconds === null || bound <= w.timeoutSeconds);
  const handler = timeoutHandler(stmt, sctx.fn.node);
  const handlerBody = handler ? statements(field(handler, 'body') ?? named(handler).find((c) => c.type === 'block') ?? null) : null;
  const path: PathResult = handlerBody ? followPath(handlerBody, sctx.cctx, new Set(), sctx.fn) : { onTimeout: 'raise', logs: false };
  const wait: WaitLoop = { ...w, bounded: true, timeoutSeconds, clock: w.clock ?? 'loop' };
  return {
    kind: 'polling',
    node: stmt,
    placement,
    summary: brief(stmt),
    helper: field(inner, 'function')?.text ?? 'helper',
    fingerprint: fingerprintOf(wait, path, placement),
    wait,
    nameNodes: [call],
    args: { timeout: fromWaitFor ? timeoutNode : hw.timeoutArg, interval: hw.intervalArg },
  };
}

/**
 * `if not connected: await asyncio.sleep(t); continue` waits with the message loop itself: a
 * polling guard when a counter bounds it (`if tries > 300: break`), else an unbounded wait.
 */
function continueWait(ifStmt: PyNode, cond: PyNode, consequence: PyNode, placement: Placement, sctx: SearchContext): Candidate | null {
  const table = sctx.fn.module.imports;
  const sleepCallNode = callsIn(consequence).find((c) => sleepOf(c, table));
  if (!sleepCallNode) return null;
  const sleep = sleepOf(sleepCallNode, table);
  const interval = evalNumber(sleep?.argument ?? null, sctx.fn.env);
  const test = evalCondition(cond, sctx.cctx);
  let bound: { polls: number; branch: PyNode; node: PyNode } | null = null;
  for (const inner of findInScope(consequence, new Set(['if_statement']))) {
    const c = field(inner, 'condition');
    const body = field(inner, 'consequence');
    const cmp = c ? unwrap(c) : null;
    if (!cmp || cmp.type !== 'comparison_operator' || !body || !leaves(body) || leaves(body) === 'continue') continue;
    const [l, r] = named(cmp);
    const counter = l?.type === 'identifier' ? l : null;
    const counted = counter && findInScope(consequence, new Set(['augmented_assignment'])).some((a) => field(a, 'left')?.text === counter.text);
    const n = r ? evalNumber(r, sctx.fn.env) : null;
    if (counted && n !== null) {
      bound = { polls: n, branch: body, node: r as PyNode };
      break;
    }
  }
  const states = [...test.attrs].sort();
  if (!bound) {
    return { kind: 'unbounded', node: ifStmt, placement, summary: brief(ifStmt), helper: null, fingerprint: null, wait: null, nameNodes: [cond] };
  }
  const path = followPath(statements(bound.branch), sctx.cctx, new Set(), sctx.fn);
  const exits =
    !test.may.has('DISCONNECTED') ||
    findInScope(consequence, new Set(['if_statement'])).some((i) => {
      const t = evalCondition(field(i, 'condition') as PyNode, sctx.cctx);
      const a = leaves(field(i, 'consequence'));
      return t.informative && t.must.has('DISCONNECTED') && !t.must.has('CONNECTING') && a !== null && a !== 'continue';
    });
  const fingerprint: Fingerprint = {
    timeoutSeconds: interval !== null ? Math.round(bound.polls * interval * 1e9) / 1e9 : null,
    intervalSeconds: interval,
    states,
    clock: null,
    sleep: sleep?.kind ?? null,
    onTimeout: path.onTimeout,
    logsOnTimeout: path.logs,
    exitsOnTerminalState: exits,
    placement,
  };
  return { kind: 'polling', node: ifStmt, placement, summary: brief(ifStmt), helper: null, fingerprint, wait: null, nameNodes: [ifStmt] };
}

function callInCondition(cond: PyNode): PyNode | null {
  let found: PyNode | null = null;
  walk(cond, (n) => {
    if (found) return false;
    if (n.type === 'call') {
      found = n;
      return false;
    }
    return true;
  });
  return found;
}

/** A helper call (or `asyncio.wait_for(helper(…), t)`) that waits on another connection than the receive's. */
function onOtherConnection(call: PyNode, sctx: SearchContext): boolean {
  const wrapped = qualify(field(call, 'function') ?? call, sctx.fn.module.imports) === 'asyncio.wait_for' ? callArgs(call)[0] : null;
  const target = wrapped && unwrap(wrapped).type === 'call' ? unwrap(wrapped) : call;
  return callOnOtherConnection(target, sctx.cctx.sameConnection, sctx.cctx.resolve(target));
}

/** Guards among the statements that precede the anchor in one block. */
function examineSequence(preceding: PyNode[], placement: Placement, sctx: SearchContext, out: Candidate[]): void {
  const flagged = new Map<string, PyNode>(); // `ok = await wait_for_handshake(ws)`
  for (let i = 0; i < preceding.length; i++) {
    const s = preceding[i] as PyNode;
    if (s.type === 'while_statement' || s.type === 'for_statement') {
      const w = analyzeWaitLoop(s, { fn: sctx.fn, env: sctx.fn.env, cond: sctx.cctx });
      if (!w) continue;
      if (!w.bounded) {
        out.push({ kind: 'unbounded', node: s, placement, summary: brief(s), helper: null, fingerprint: null, wait: w, nameNodes: [s] });
        continue;
      }
      const path = waitTimeoutPath(w, sctx.anchor, sctx.fn.node, sctx.cctx, sctx.fn);
      const nameNodes = [s, ...statementsAfter(s, sctx.anchor, sctx.fn.node)];
      out.push({ kind: 'polling', node: s, placement, summary: brief(s), helper: null, fingerprint: fingerprintOf(w, path, placement), wait: w, nameNodes });
      continue;
    }
    if (s.type === 'try_statement' || s.type === 'with_statement') {
      // Guards wrapped in try/with still run before the receive when nothing raises.
      examineSequence(statements(field(s, 'body')), placement, sctx, out);
      continue;
    }
    if (s.type === 'assert_statement') {
      const cond = named(s)[0];
      if (cond && onlyWhenConnected(evalCondition(cond, sctx.cctx))) {
        out.push({ kind: 'check', node: s, placement, summary: brief(s), helper: null, fingerprint: null, wait: null, nameNodes: [cond] });
      }
      continue;
    }
    if (s.type === 'expression_statement') {
      const expr = named(s)[0];
      if (expr?.type === 'assignment') {
        const left = field(expr, 'left');
        const right = field(expr, 'right');
        const call = right ? unwrap(right) : null;
        if (left?.type === 'identifier' && call?.type === 'call') flagged.set(left.text, call);
        continue;
      }
      const call = statementCall(s);
      if (call && !onOtherConnection(call, sctx)) {
        const c = waitForCandidate(call, s, placement, sctx) ?? helperCandidate(call, s, null, placement, sctx);
        if (c && c.kind !== 'check') out.push(c);
      }
      continue;
    }
    if (s.type === 'if_statement') {
      const cond = field(s, 'condition');
      const consequence = field(s, 'consequence');
      if (!cond || !consequence) continue;
      const action = leaves(consequence);
      const test = evalCondition(cond, sctx.cctx);
      if (!action || !certainlyWhenNotConnected(test)) {
        // `if not ok: break` after `ok = await helper(ws)`
        const flag = unwrap(cond).type === 'not_operator' ? named(unwrap(cond))[0] : null;
        const call = flag?.type === 'identifier' ? flagged.get(flag.text) : undefined;
        if (call && action && !onOtherConnection(call, sctx)) {
          const c = helperCandidate(call, s, statements(consequence), placement, sctx);
          if (c) out.push(c);
        }
        continue;
      }
      if (action === 'continue') {
        const spin = continueWait(s, cond, consequence, placement, sctx);
        if (spin) {
          out.push(spin);
          continue;
        }
      }
      if (action === 'raise') {
        // A raise swallowed by an except that falls through to the receive guards nothing.
        const last = statements(consequence).pop() as PyNode;
        if (raiseOutcome(last, sctx.cctx, new Set(), sctx.fn).onTimeout === 'none') continue;
      }
      const call = callInCondition(cond);
      const viaHelper = call ? helperCandidate(call, s, statements(consequence), placement, sctx) : null;
      if (viaHelper && viaHelper.kind !== 'check') {
        out.push(viaHelper);
        continue;
      }
      if (action === 'continue') {
        // `continue` does not leave the loop: no check (SPEC §3) but a wait for the state with no
        // bound — with no sleep, one that spins (and, with no await, never lets the state change).
        const awaits = findInScope(consequence, new Set(['await'])).length > 0;
        const summary = `${brief(cond)}: continue${awaits ? '' : ' (spins without awaiting)'}`;
        out.push({ kind: 'unbounded', node: s, placement, summary, helper: null, fingerprint: null, wait: null, nameNodes: [cond] });
        continue;
      }
      out.push({ kind: 'check', node: s, placement, summary: `${brief(cond)}: ${action}`, helper: viaHelper?.helper ?? null, fingerprint: null, wait: null, nameNodes: [cond] });
    }
  }
}

function precedingSiblings(stmt: PyNode): PyNode[] {
  const block = stmt.parent;
  if (!block) return [];
  const out: PyNode[] = [];
  for (const s of statements(block)) {
    if (s.id === stmt.id) break;
    out.push(s);
  }
  return out;
}

/** The statement (a direct child of a block or the module) that contains a node. */
function statementOf(node: PyNode): PyNode | null {
  let n: PyNode | null = node;
  while (n && n.parent && n.parent.type !== 'block' && n.parent.type !== 'module') n = n.parent;
  return n;
}

/** An `if` around the statement that only lets connected sockets through, and the state attributes it tests. */
function gateOf(stmt: PyNode, sctx: SearchContext, placement: Placement): { gate: Candidate; attrs: ReadonlySet<string> } | null {
  const block = stmt.parent;
  const owner = block?.parent;
  if (!block || !owner) return null;
  let cond: PyNode | null = null;
  let negate = false;
  if (owner.type === 'if_statement' && field(owner, 'consequence')?.id === block.id) cond = field(owner, 'condition');
  else if (owner.type === 'elif_clause') cond = field(owner, 'condition');
  else if (owner.type === 'else_clause' && owner.parent?.type === 'if_statement') {
    cond = field(owner.parent, 'condition');
    negate = true;
  }
  if (!cond) return null;
  const t = evalCondition(cond, sctx.cctx);
  const ok = negate ? certainlyWhenNotConnected(t) : onlyWhenConnected(t);
  if (!ok) return null;
  const ifNode = owner.type === 'if_statement' ? owner : (owner.parent ?? owner);
  return { gate: { kind: 'check', node: ifNode, placement, summary: `${negate ? 'not ' : ''}${brief(cond)}`, helper: null, fingerprint: null, wait: null, nameNodes: [cond] }, attrs: t.attrs };
}

/**
 * A wait inside a branch that only a connected socket enters cannot wait for the states the
 * branch's test already requires (`if ws.client_state == CONNECTED: <wait on client_state>`):
 * a CONNECTING socket never reaches it (it takes the `else: break`, or skips the receive). Such a
 * wait is no polling guard of the receive; the test around it is its single-shot check.
 */
function waitsOnGatedState(c: Candidate, gated: ReadonlySet<string>): boolean {
  return (c.kind === 'polling' || c.kind === 'unbounded') && (c.fingerprint?.states ?? []).some((s) => gated.has(s));
}

/**
 * `while <not connected>: … sleep` whose `else:` holds the receive: the else runs only when the
 * condition turned false — connected — and no `break` left the wait (the timeout's, the
 * DISCONNECTED exit's), so the else is the wait's re-check: a timeout goes on after the
 * statement, past the receive, as after `if not connected: break`.
 */
function waitElse(loop: PyNode, placement: Placement, sctx: SearchContext): Candidate | null {
  const cond = field(loop, 'condition');
  if (!cond || !certainlyWhenNotConnected(evalCondition(cond, sctx.cctx))) return null;
  const w = analyzeWaitLoop(loop, { fn: sctx.fn, env: sctx.fn.env, cond: sctx.cctx });
  if (!w || !w.bounded || w.timeoutEntry.kind === 'exhausted') return null;
  const r = waitTimeoutPath(w, sctx.anchor, sctx.fn.node, sctx.cctx, sctx.fn);
  let onTimeout = r.onTimeout;
  // Nothing after leaves: the timeout path runs off the end of the enclosing loop's body or the function.
  if (onTimeout === 'none') onTimeout = enclosing(loop, new Set(['while_statement', 'for_statement'])) ? 'continue' : 'return';
  if (onTimeout === 'break' || recheckLeaves(onTimeout, loop, sctx.cctx)) onTimeout = 'recheck-break';
  const after = statementsAfter(loop, sctx.anchor, sctx.fn.node);
  const nameNodes = [cond, ...statements(field(loop, 'body')), ...after];
  return { kind: 'polling', node: loop, placement, summary: brief(loop), helper: null, fingerprint: fingerprintOf(w, { ...r, onTimeout }, placement), wait: w, nameNodes };
}

/**
 * `while await wait_ready(ws):` (or an `and` operand of the condition): a repository or declared
 * polling helper in the message loop's condition guards every receive of the body, and its falsy
 * result on timeout leaves the loop — the same guard as `if not await wait_ready(ws): break` first
 * in the body (SPEC §3: the loop's condition counts). A validation helper stays a `check`.
 */
function conditionHelper(cond: PyNode, loop: PyNode, sctx: SearchContext): Candidate | null {
  const operands: PyNode[] = [];
  // Left to right, without recursion (an `and` chain may be long).
  const stack = [cond];
  for (let n = stack.pop(); n; n = stack.pop()) {
    const u = unwrap(n);
    if (u.type === 'boolean_operator' && kids(u).some((c) => c.type === 'and')) {
      for (const side of [field(u, 'right'), field(u, 'left')]) if (side) stack.push(side);
    } else if (u.type === 'named_expression') {
      // `while (ok := await wait_ready(ws)):` tests the value it binds.
      const value = field(u, 'value');
      if (value) stack.push(value);
    } else operands.push(u);
  }
  for (const call of operands) {
    if (call.type !== 'call' || onOtherConnection(call, sctx)) continue;
    const c = helperCandidate(call, cond, { leavesLoop: loop }, 'per-message', sctx);
    if (c && c.kind !== 'check') return { ...c, summary: `while ${brief(cond)}` };
  }
  return null;
}

/** Walks from `start` up to `stopBlockOwner`, collecting guards that dominate `start`. */
function climb(start: PyNode, stopAt: PyNode, placement: Placement, sctx: SearchContext, out: Candidate[]): void {
  const first = out.length;
  let stmt = statementOf(start);
  while (stmt && stmt.id !== stopAt.id && isInside(stmt, stopAt)) {
    examineSequence(precedingSiblings(stmt), placement, sctx, out);
    const found = gateOf(stmt, sctx, placement);
    if (found) {
      // What this climb found so far is inside the gated branch.
      const inside = out.splice(first).filter((c) => !waitsOnGatedState(c, found.attrs));
      out.push(...inside, found.gate);
    }
    const block = stmt.parent;
    const owner = block?.parent;
    if (!block || !owner || owner.id === stopAt.id) break;
    if (['function_definition', 'class_definition', 'module'].includes(owner.type)) break;
    if (owner.type === 'else_clause' && owner.parent?.type === 'while_statement') {
      const wait = waitElse(owner.parent, placement, sctx);
      if (wait) out.push(wait);
    }
    stmt = ['elif_clause', 'else_clause', 'except_clause', 'finally_clause', 'case_clause'].includes(owner.type)
      ? statementOf(owner.parent ?? owner)
      : owner;
  }
}

const RANK: Record<Candidate['kind'], number> = { polling: 3, unbounded: 2, check: 1 };

/** A receive one level deep: the repository function the loop calls and the receive in it. */
export interface HelperReceive {
  fn: PyFunction;
  anchor: PyNode;
}

/**
 * Guards inside the receiving helper that precede its receive on every path (`recv_checked(ws)`
 * checks the state, then receives): they run before the receive each time the call does, so they
 * guard the call site as the same statements written there would. Reported at the call.
 */
function helperGuards(call: PyNode, via: HelperReceive, placement: Placement, gctx: GuardContext, out: Candidate[]): void {
  const base = conditionContext(via.fn, gctx, 1);
  const cctx = { ...base, anchor: via.anchor, sameConnection: sameConnectionTest(receiverOf(via.anchor), via.anchor, via.fn, base.resolve) };
  const inner: Candidate[] = [];
  climb(via.anchor, via.fn.node, placement, { fn: via.fn, gctx, cctx, anchor: via.anchor, messageLoop: via.fn.node }, inner);
  const stmt = statementOf(call) ?? call;
  for (const c of inner) {
    out.push({ ...c, node: stmt, summary: `${via.fn.name}: ${c.summary}`, helper: c.helper ?? via.fn.qualifiedName, wait: null, nameNodes: [call] });
  }
}

const BINDINGS = new Set(['assignment', 'for_statement', 'named_expression', 'as_pattern_target']);
const UNPACKING = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'parenthesized_expression']);

function bindingTargets(n: PyNode | null): PyNode[] {
  if (!n) return [];
  return UNPACKING.has(n.type) ? named(n).flatMap(bindingTargets) : [n];
}

/**
 * Where the function binds the connection expression anew: `ws = …`, `self.ws = …`,
 * `for ws in …`, `with … as ws`, `(ws := …)`.
 */
function bindingsOf(fn: PyFunction, conn: string): PyNode[] {
  const out: PyNode[] = [];
  for (const n of findInScope(fn.node, BINDINGS)) {
    const target = n.type === 'assignment' || n.type === 'for_statement' ? field(n, 'left') : n.type === 'named_expression' ? field(n, 'name') : n;
    const hit = n.type === 'as_pattern_target' ? named(n).some((t) => t.text === conn) : bindingTargets(target).some((t) => t.text === conn);
    if (hit && target) out.push(target);
  }
  return out;
}

/** `except WebSocketDisconnect: self.ws = None; break`: the new binding leaves with its block, never reaching a receive. */
function leavesAfterBinding(binding: PyNode): boolean {
  if (binding.parent?.type === 'for_statement') return false;
  const stmt = statementOf(binding);
  if (!stmt?.parent || stmt.parent.type !== 'block') return false;
  const after = statements(stmt.parent).filter((s) => s.startIndex >= stmt.endIndex);
  return after.some((s) => s.type === 'break_statement' || s.type === 'return_statement' || s.type === 'raise_statement');
}

/**
 * A guard tests the connection it finds then; a binding of the connection between it and the
 * receive — after it in the text, or after the receive in a loop that goes round to the receive
 * without running the guard again — makes the receive use another connection, which it never tested.
 */
function reboundAfter(guardAt: PyNode, binding: PyNode, anchor: PyNode, fn: PyFunction): boolean {
  if (leavesAfterBinding(binding)) return false;
  if (binding.startIndex >= guardAt.endIndex && binding.startIndex < anchor.startIndex) return true;
  if (binding.startIndex < anchor.endIndex) return false;
  for (let l = anchor.parent; l && l.id !== fn.node.id; l = l.parent) {
    if (LOOP_TYPES.has(l.type) && isInside(binding, l) && !isInside(guardAt, l)) return true;
  }
  return false;
}

export function findGuard(
  messageLoop: PyNode,
  anchor: PyNode,
  fn: PyFunction,
  gctx: GuardContext,
  via: HelperReceive | null = null,
  connection: string | null = null,
): Guard {
  const base = conditionContext(fn, gctx, 1);
  const cctx = { ...base, anchor, messageLoop, sameConnection: sameConnectionTest(connection, anchor, fn, base.resolve) };
  const sctx: SearchContext = { fn, gctx, cctx, anchor, messageLoop };
  const perMessage: Candidate[] = [];
  if (anchor.id !== messageLoop.id && isInside(anchor, field(messageLoop, 'body') ?? messageLoop)) {
    climb(anchor, messageLoop, 'per-message', sctx, perMessage);
    if (via) helperGuards(anchor, via, 'per-message', gctx, perMessage);
  }
  if (messageLoop.type === 'while_statement') {
    const cond = field(messageLoop, 'condition');
    const viaHelper = cond ? conditionHelper(cond, messageLoop, sctx) : null;
    if (viaHelper) perMessage.push(viaHelper);
    else if (cond && onlyWhenConnected(evalCondition(cond, cctx))) {
      perMessage.push({ kind: 'check', node: cond, placement: 'per-message', summary: `while ${brief(cond)}`, helper: null, fingerprint: null, wait: null, nameNodes: [cond] });
    }
  }
  const beforeLoop: Candidate[] = [];
  climb(messageLoop, fn.node, 'before-loop', sctx, beforeLoop);
  const bindings = connection ? bindingsOf(fn, connection) : [];
  const all = [...perMessage, ...beforeLoop].filter((c) => !bindings.some((b) => reboundAfter(c.nameNodes[0] ?? c.node, b, anchor, fn)));
  // The strongest guard wins; among equals, the nearest to the receive.
  let best: Candidate | null = null;
  for (const c of all) if (!best || RANK[c.kind] > RANK[best.kind]) best = c;
  if (!best) return noGuard();
  return toGuard(best, fn);
}

export function noGuard(): Guard {
  return {
    kind: 'none',
    span: null,
    fingerprint: null,
    summary: 'no handshake guard',
    helper: null,
    frameworkReason: null,
    parts: { sleepCall: null, clockCall: null, timeout: null, interval: null, unboundedWait: null },
    unboundNames: [],
  };
}

function toGuard(c: Candidate, fn: PyFunction): Guard {
  const kind: GuardKind = c.kind;
  const inline = c.helper === null && c.wait !== null;
  const w = c.wait;
  const needs: NameUse[] = unboundNames(c.nameNodes, fn);
  return {
    kind,
    span: spanOf(c.node),
    fingerprint: c.fingerprint,
    summary: c.summary,
    helper: c.helper,
    frameworkReason: null,
    parts: {
      sleepCall: inline && w?.sleepCall ? spanOf(w.sleepCall) : null,
      clockCall: inline && w?.clockCall ? spanOf(w.clockCall) : null,
      timeout: inline && w?.timeoutNode ? spanOf(w.timeoutNode) : c.args?.timeout ? spanOf(c.args.timeout) : null,
      interval: inline && w?.intervalNode ? spanOf(w.intervalNode) : c.args?.interval ? spanOf(c.args.interval) : null,
      unboundedWait: c.kind === 'unbounded' ? spanOf(c.node) : null,
    },
    unboundNames: needs,
  };
}
