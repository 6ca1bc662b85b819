// The reasons `fix` leaves a loop alone that are decidable without planning its file: from the
// loop model (where it can await, the connection's framework, a helper guard) and, for TS/JS, from
// the syntax tree, which the front end asks with the fixer's own checks (`scriptFixRefusal` in
// ts-refusals.ts, stored as `MessageLoop.fixRefusal`). The planners and a finding's `fixable`
// (engine/findings.ts) ask the same functions, so a scan never claims a fix that `fix` skips for
// one of these reasons. What only the planner decides (the group's guards against a loop's own
// check, where a Python guard can go, the compiler's verdict, the re-scan) is not asked here.
import type { PyNode } from '../languages/python/nodes.js';
import type { Framework, MessageLoop, RuleId } from '../model.js';

/** Connections with Starlette's `application_state`/`client_state`: the only ones the Python block can poll. */
const STARLETTE_STATE: ReadonlySet<Framework> = new Set(['fastapi', 'starlette', 'unknown']);

/** The rules `fix` answers by inserting a guard (without `--upgrade`); the other fixable ones need `--upgrade`. */
export const GUARDED_BY_INSERT: ReadonlySet<RuleId> = new Set(['HG001', 'HG003']);

/**
 * `fix` awaits its wait: a loop outside an async function is never fixed (only TS/JS module top
 * level, where ES modules allow `await`, is tried).
 */
export function canAwaitAt(loop: MessageLoop): boolean {
  return loop.inAsyncFunction || (loop.language !== 'python' && loop.function === '<module>');
}

/** Python: why the Starlette block cannot guard this loop's connection, or null. */
export function pythonConnectionRefusal(loop: MessageLoop): string | null {
  if (!STARLETTE_STATE.has(loop.framework)) return `the guard polls Starlette's application_state, which ${loop.framework} connections do not have`;
  if (loop.otherFramework !== undefined) {
    // BlackSheep's state is its own enum (never equal to Starlette's CONNECTED); Falcon's WebSocket has no state at all.
    return `${loop.receive.connection} is a ${loop.otherFramework} WebSocket, not Starlette's: the guard polls Starlette's application_state/client_state and WebSocketState, which it does not share — guard it by hand`;
  }
  if (loop.framework === 'unknown' && loop.confidence === 'low') {
    // Only its name says it is a WebSocket: a Starlette guard (and import) could break a channel or stream.
    return `nothing says ${loop.receive.connection} is a Starlette WebSocket (the module imports no WebSocket framework): annotate it (\`: WebSocket\`) or guard it by hand`;
  }
  if (loop.receive.inIterator) {
    // `self._ws` is the iterator's attribute: the loop's function has no such name (or another object under it).
    return `the receive is in ${loop.receive.via ?? 'an iterator'}, on the iterator's own \`${loop.receive.connection}\`, which the loop's function cannot name — guard it by hand`;
  }
  return null;
}

const NESTED_SCOPES = new Set(['lambda', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

/**
 * Python: a receive inside a lambda or a comprehension of the loop — or the comprehension that is
 * the loop itself (`[await ws.receive_text() for _ in range(3)]`) — has no statement of its own to wait before.
 */
export function nestedScopeRefusal(anchor: PyNode, loopNode: PyNode): string | null {
  for (let n = anchor.parent; n; n = n.id === loopNode.id ? null : n.parent) {
    if (NESTED_SCOPES.has(n.type)) return `the receive is inside a ${n.type.replace(/_/g, ' ')}`;
  }
  return null;
}

/**
 * `--upgrade` rewrites a guard written out in the loop's function; a call to a helper is not one.
 * When the call passes the helper its timeout or interval, those arguments may be what differs.
 */
export function helperGuardRefusal(loop: MessageLoop): string | null {
  const { helper, parts } = loop.guard;
  if (!helper) return null;
  const arg = parts.timeout ?? parts.interval;
  if (arg) return `the guard is a call to ${helper} that passes its own ${parts.timeout ? 'timeout' : 'interval'} (line ${arg.start.line}): align the call's arguments with the group's guards, or upgrade that helper, by hand`;
  return `the guard is a call to ${helper}: upgrade that helper instead`;
}

/**
 * Why `fix` (with `--upgrade` for the rules it does not answer by inserting a guard) can never
 * plan an edit for a finding of `ruleId` on this loop, or null when it may. `groupThrows`: whether
 * the loop's consistency group's guards throw on timeout (asked only when a refusal depends on it).
 */
export function findingFixRefusal(loop: MessageLoop, ruleId: RuleId, groupThrows: () => boolean): string | null {
  if (!GUARDED_BY_INSERT.has(ruleId)) return helperGuardRefusal(loop);
  if (!canAwaitAt(loop)) return 'the loop is not inside an async function (the guard awaits)';
  if (loop.language === 'python') {
    const own = pythonConnectionRefusal(loop);
    if (own) return own;
  }
  const tree = loop.fixRefusal ?? null;
  return tree && !(tree.unlessGroupThrows && groupThrows()) ? tree.reason : null;
}
