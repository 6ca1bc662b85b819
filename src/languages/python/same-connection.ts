// Whether a state test is about the connection a receive uses. A guard protects the receive's
// own connection: `upstream.application_state` says nothing about `websocket` (SPEC §3). Names
// are compared after simple aliases (`ws = self.ws`, `self.ws = websocket`); anything that is
// not a plain name or attribute chain (a call, a subscript) could be the same connection.
import type { PyFunction } from './module.js';
import { field, findInScope, isInside, named, unwrap, type PyNode } from './nodes.js';

const CHAIN = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/;
const ASSIGNMENT = new Set(['assignment']);

/** The last simple assignment to `text` (a name or `a.b`) in the function that ends before `at`. */
function aliasValue(text: string, fn: PyFunction, at: number): PyNode | null {
  let found: PyNode | null = null;
  for (const a of findInScope(fn.node, ASSIGNMENT)) {
    if (a.endIndex <= at && field(a, 'left')?.text === text) found = field(a, 'right');
  }
  return found ? unwrap(found) : null;
}

/**
 * The name or attribute chain a connection expression stands for at `at`, through simple
 * aliases in the function and the functions around it (a closure's free names); null when it
 * is not a plain chain.
 */
export function connectionRoot(text: string, fn: PyFunction, at: number, depth = 0): string | null {
  const t = text.replace(/\s+/g, '');
  if (!CHAIN.test(t)) return null;
  if (depth >= 4) return t;
  for (let scope: PyFunction | null = fn, pos = at; scope; pos = scope.node.startIndex, scope = scope.parent) {
    const value = aliasValue(t, scope, pos);
    if (value) return value.type === 'identifier' || value.type === 'attribute' ? (connectionRoot(value.text, scope, value.startIndex, depth + 1) ?? t) : t;
  }
  // `conn.ws` where `conn = self.conn`: the head's alias.
  const dot = t.indexOf('.');
  if (dot > 0) {
    const head = connectionRoot(t.slice(0, dot), fn, at, depth + 1);
    if (head && head !== t.slice(0, dot)) return `${head}${t.slice(dot)}`;
  }
  return t;
}

/** Two roots that certainly name different connections: different chains, neither inside the other. */
export function distinctRoots(a: string | null, b: string | null): boolean {
  if (a === null || b === null || a === b) return false;
  return !a.startsWith(`${b}.`) && !b.startsWith(`${a}.`);
}

/**
 * A test for "is `conn` (read at `node`) the receive's connection?": false only when it is
 * certainly another one. `receiver` is the receive's connection expression, read at `anchor`.
 * At a call (`is_connected(upstream)`), the connection is what the helper's state reads get.
 */
export function sameConnectionTest(
  receiver: string | null,
  anchor: PyNode,
  fn: PyFunction,
  resolve: (call: PyNode) => PyFunction | null,
): ((conn: string, node: PyNode) => boolean) | undefined {
  if (!receiver) return undefined;
  const mine = connectionRoot(receiver, fn, anchor.startIndex);
  if (mine === null) return undefined;
  const same = (conn: string, node: PyNode): boolean => {
    if (node.type === 'call') return !callOnOtherConnection(node, same, resolve(node));
    // A test read elsewhere (a property's body) is not resolved through this function's aliases.
    const theirs = isInside(node, fn.node) ? connectionRoot(conn, fn, node.startIndex) : conn.replace(/\s+/g, '');
    return !distinctRoots(mine, theirs) || storedAs(mine, theirs as string, fn) || storedAs(theirs as string, mine, fn);
  };
  return same;
}

/** `self.ws = websocket` in any method of the function's class: the attribute holds the name's connection. */
function storedAs(attribute: string, name: string, fn: PyFunction): boolean {
  if (!attribute.startsWith('self.') || !CHAIN.test(name) || name.includes('.')) return false;
  let method: PyFunction | null = fn;
  while (method && !method.classNode) method = method.parent;
  const cls = method?.classNode;
  if (!cls) return false;
  return fn.module.functions.some(
    (f) => f.classNode?.id === cls.id && findInScope(f.node, ASSIGNMENT).some((a) => field(a, 'left')?.text === attribute && field(a, 'right')?.text === name),
  );
}

/** The receiver's expression in a direct receive call (`ws.receive_text()`), or null. */
export function receiverOf(anchor: PyNode): string | null {
  const callee = anchor.type === 'call' ? field(anchor, 'function') : null;
  return callee?.type === 'attribute' ? (field(callee, 'object')?.text ?? null) : null;
}

/**
 * A call to a helper (`await wait_connected(upstream)`) whose connection arguments are all
 * certainly other connections than the receive's. Without a resolved body, the arguments named
 * like a connection count; with one, the parameters whose state the helper reads.
 */
export function callOnOtherConnection(call: PyNode, same: ((conn: string, node: PyNode) => boolean) | undefined, helper: PyFunction | null): boolean {
  if (!same) return false;
  const args = named(field(call, 'arguments') ?? call);
  let conns: PyNode[];
  if (helper) {
    const read = new Set<string>();
    for (const a of findInScope(helper.node, new Set(['attribute']))) {
      if (/(^|_)state$/.test(field(a, 'attribute')?.text ?? '')) read.add(field(a, 'object')?.text ?? '');
    }
    const offset = helper.classNode && ['self', 'cls'].includes(helper.params[0]?.name ?? '') ? 1 : 0;
    const positional = args.filter((a) => a.type !== 'keyword_argument' && a.type !== 'list_splat' && a.type !== 'dictionary_splat');
    conns = [];
    for (const p of helper.params) {
      if (!read.has(p.name)) continue;
      const kw = args.find((a) => a.type === 'keyword_argument' && field(a, 'name')?.text === p.name);
      const arg = kw ? field(kw, 'value') : p.kind === 'positional' ? positional[p.index - offset] : undefined;
      if (!arg) return false; // a default, a splat: unknown
      conns.push(arg);
    }
  } else {
    conns = args.filter((a) => a.type !== 'keyword_argument' && /ws|socket|conn/i.test(a.text));
  }
  return conns.length > 0 && conns.every((c) => unwrap(c).type !== 'call' && !same(c.text, c));
}
