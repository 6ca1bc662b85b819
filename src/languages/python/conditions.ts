// What a condition says about the connection state. A condition is modelled as the set of
// states in which it is certainly true (`must`) and those in which it may be true (`may`),
// so that `if unknown and ws.state != CONNECTED: break` is not mistaken for a guard.
import { qualify, type ImportTable } from './imports.js';
import { field, kids, named, unwrap, type PyNode } from './nodes.js';

export type State = 'CONNECTING' | 'CONNECTED' | 'DISCONNECTED' | 'RESPONSE';
export const ALL_STATES: readonly State[] = ['CONNECTING', 'CONNECTED', 'DISCONNECTED', 'RESPONSE'];
const STATE_SET = new Set<string>(ALL_STATES);

export interface StateTest {
  must: ReadonlySet<State>;
  may: ReadonlySet<State>;
  /** State attributes read (`application_state`, `client_state`). */
  attrs: ReadonlySet<string>;
  /** Connection expressions the test is about. */
  conns: ReadonlySet<string>;
  /** Whether any part of the condition is about the state at all. */
  informative: boolean;
}

/** How a call inside a condition behaves, decided by the caller (helpers live elsewhere). */
export type CallMeaning = { kind: 'connected'; conn: string } | { kind: 'always-true' } | null;

export interface ConditionContext {
  table: ImportTable;
  isStateAttr: (name: string) => boolean;
  callMeaning: (call: PyNode) => CallMeaning;
  /** The value a local name was assigned before the node (`state = ws.application_state`). */
  valueOf?: (name: PyNode) => PyNode | null;
  /** The expression a `@property` returns (`self.connected` → `self.ws.application_state == …`). */
  propertyValue?: (attr: PyNode) => PyNode | null;
  /** False for a connection that is certainly not the guarded receive's: its state says nothing. */
  sameConnection?: (conn: string, at: PyNode) => boolean;
}

const all = (): Set<State> => new Set(ALL_STATES);
const none = (): Set<State> => new Set();
const complement = (s: ReadonlySet<State>): Set<State> => new Set(ALL_STATES.filter((x) => !s.has(x)));
const inter = (a: ReadonlySet<State>, b: ReadonlySet<State>): Set<State> => new Set([...a].filter((x) => b.has(x)));
const union = (a: ReadonlySet<State>, b: ReadonlySet<State>): Set<State> => new Set([...a, ...b]);

function unknown(): StateTest {
  return { must: none(), may: all(), attrs: new Set(), conns: new Set(), informative: false };
}

function known(states: ReadonlySet<State>, attr: string, conn: string): StateTest {
  return { must: new Set(states), may: new Set(states), attrs: new Set(attr ? [attr] : []), conns: new Set([conn]), informative: true };
}

function constant(value: boolean): StateTest {
  return { must: value ? all() : none(), may: value ? all() : none(), attrs: new Set(), conns: new Set(), informative: false };
}

/** `WebSocketState.CONNECTED` (through any import alias) → 'CONNECTED'. */
export function stateConstant(node: PyNode, table: ImportTable): State | null {
  const n = unwrap(node);
  if (n.type !== 'attribute') return null;
  const q = qualify(n, table);
  if (!q) return null;
  const parts = q.split('.');
  const last = parts[parts.length - 1] ?? '';
  const owner = parts[parts.length - 2] ?? '';
  return owner.endsWith('WebSocketState') && STATE_SET.has(last) ? (last as State) : null;
}

/** `ws.application_state` → { conn: 'ws', attr: 'application_state' }. */
function stateRead(node: PyNode, ctx: ConditionContext, depth = 0): { conn: string; attr: string } | null {
  const n = unwrap(node);
  if (n.type === 'identifier' && ctx.valueOf && depth === 0) {
    const value = ctx.valueOf(n);
    return value ? stateRead(value, ctx, 1) : null;
  }
  if (n.type !== 'attribute') return null;
  const attr = field(n, 'attribute')?.text ?? '';
  const obj = field(n, 'object');
  if (!obj || !ctx.isStateAttr(attr)) return null;
  return { conn: obj.text, attr };
}

function merge(a: StateTest, b: StateTest, must: Set<State>, may: Set<State>): StateTest {
  return {
    must,
    may,
    attrs: new Set([...a.attrs, ...b.attrs]),
    conns: new Set([...a.conns, ...b.conns]),
    informative: a.informative || b.informative,
  };
}

function negate(t: StateTest): StateTest {
  return { ...t, must: complement(t.may), may: complement(t.must) };
}

function statesOfCollection(node: PyNode, table: ImportTable): Set<State> | null {
  const n = unwrap(node);
  if (!['tuple', 'list', 'set'].includes(n.type)) return null;
  const out = new Set<State>();
  for (const el of named(n)) {
    const s = stateConstant(el, table);
    if (!s) return null;
    out.add(s);
  }
  return out;
}

function comparison(node: PyNode, ctx: ConditionContext): StateTest {
  const operands = named(node);
  const ops = node.childrenForFieldName('operators').filter((o): o is PyNode => o !== null).map((o) => o.type);
  if (operands.length !== 2 || ops.length !== 1) return unknown();
  const [left, right] = operands as [PyNode, PyNode];
  const op = ops[0] as string;
  // ws.state ==/!=/is/is not WebSocketState.X, in either order.
  const read = stateRead(left, ctx) ?? stateRead(right, ctx);
  const other = stateRead(left, ctx) ? right : left;
  if (read && ['==', '!=', 'is', 'is not'].includes(op)) {
    const s = stateConstant(other, ctx.table);
    if (!s) return unknown();
    const t = known(new Set([s]), read.attr, read.conn);
    return op === '==' || op === 'is' ? t : negate(t);
  }
  if (read && (op === 'in' || op === 'not in')) {
    const states = statesOfCollection(right, ctx.table);
    if (!states) return unknown();
    const t = known(states, read.attr, read.conn);
    return op === 'in' ? t : negate(t);
  }
  // ws.client_state.name == "DISCONNECTED", ws.client_state.value == 2 (Starlette's enum values).
  const viaMember = memberComparison(left, right, op, ctx) ?? memberComparison(right, left, op, ctx);
  if (viaMember) return viaMember;
  // WebSocketState.DISCONNECTED in (ws.client_state, ws.application_state)
  const s = stateConstant(left, ctx.table);
  const coll = unwrap(right);
  if (s && (op === 'in' || op === 'not in') && ['tuple', 'list', 'set'].includes(coll.type)) {
    const reads = named(coll).map((el) => stateRead(el, ctx));
    if (reads.length === 0 || reads.some((r) => r === null)) return unknown();
    // Approximation: the states of one connection move together.
    const first = reads[0] as { conn: string; attr: string };
    const t: StateTest = {
      must: new Set([s]),
      may: new Set([s]),
      attrs: new Set(reads.map((r) => (r as { attr: string }).attr)),
      conns: new Set([first.conn]),
      informative: true,
    };
    return op === 'in' ? t : negate(t);
  }
  return unknown();
}

/** What a flag's value may be to be read as a test: comparisons and their combinations. */
const FLAG_VALUES = new Set(['comparison_operator', 'not_operator', 'boolean_operator']);

const STATE_VALUES: Record<string, State> = { '0': 'CONNECTING', '1': 'CONNECTED', '2': 'DISCONNECTED', '3': 'RESPONSE' };

function memberComparison(member: PyNode, literal: PyNode, op: string, ctx: ConditionContext): StateTest | null {
  const m = unwrap(member);
  if (m.type !== 'attribute' || !['==', '!=', 'is', 'is not'].includes(op)) return null;
  const which = field(m, 'attribute')?.text;
  const read = stateRead(field(m, 'object') as PyNode, ctx);
  if (!read || (which !== 'name' && which !== 'value')) return null;
  const lit = unwrap(literal);
  let state: State | null = null;
  if (which === 'name' && lit.type === 'string') {
    const text = lit.text.replace(/^[a-z]*['"]+|['"]+$/gi, '');
    state = STATE_SET.has(text) ? (text as State) : null;
  } else if (which === 'value' && lit.type === 'integer') state = STATE_VALUES[lit.text] ?? null;
  if (!state) return null;
  const t = known(new Set([state]), read.attr, read.conn);
  return op === '==' || op === 'is' ? t : negate(t);
}

/** A test of another connection's state than the guarded one's tells nothing about it. */
function aboutConnection(t: StateTest, at: PyNode, ctx: ConditionContext): StateTest {
  const same = ctx.sameConnection;
  if (!same || !t.informative || t.conns.size === 0) return t;
  return [...t.conns].some((c) => same(c, at)) ? t : unknown();
}

/** Evaluates a condition expression into a StateTest. */
export function evalCondition(node: PyNode, ctx: ConditionContext, depth = 0): StateTest {
  const n = unwrap(node);
  switch (n.type) {
    case 'identifier': {
      // A flag set from a test before it: `ok = ws.application_state == WebSocketState.CONNECTED`.
      const value = depth < 2 && ctx.valueOf ? ctx.valueOf(n) : null;
      const v = value ? unwrap(value) : null;
      return v && FLAG_VALUES.has(v.type) ? evalCondition(v, ctx, depth + 1) : unknown();
    }
    case 'true':
      return constant(true);
    case 'false':
      return constant(false);
    case 'not_operator': {
      const arg = field(n, 'argument');
      return arg ? negate(evalCondition(arg, ctx, depth)) : unknown();
    }
    case 'boolean_operator': {
      const l = field(n, 'left');
      const r = field(n, 'right');
      if (!l || !r) return unknown();
      const a = evalCondition(l, ctx, depth);
      const b = evalCondition(r, ctx, depth);
      const op = kids(n).find((c) => c.type === 'and' || c.type === 'or')?.type;
      return op === 'and'
        ? merge(a, b, inter(a.must, b.must), inter(a.may, b.may))
        : merge(a, b, union(a.must, b.must), union(a.may, b.may));
    }
    case 'comparison_operator':
      return aboutConnection(comparison(n, ctx), n, ctx);
    case 'call': {
      const meaning = ctx.callMeaning(n);
      if (meaning?.kind === 'connected') return aboutConnection(known(new Set(['CONNECTED']), '', meaning.conn), n, ctx);
      if (meaning?.kind === 'always-true') return constant(true);
      return unknown();
    }
    case 'attribute': {
      const value = ctx.propertyValue?.(n);
      return value ? evalCondition(value, { ...ctx, propertyValue: undefined }) : unknown();
    }
    default:
      return unknown();
  }
}

/** True in every not-connected state we guard against: leaving on it is a guard. */
export function certainlyWhenNotConnected(t: StateTest): boolean {
  return t.informative && t.must.has('CONNECTING') && t.must.has('DISCONNECTED');
}

/** True only when connected: code under it runs only on an open connection. */
export function onlyWhenConnected(t: StateTest): boolean {
  return t.informative && !t.may.has('CONNECTING') && !t.may.has('DISCONNECTED');
}
