// Sockets a file keeps in a collection it fills itself (SPEC §3b: sockets a server hands over are
// already open). `for (const ws of this.sockets)` — or `this.sockets.forEach((ws) => …)` — where
// every `this.sockets.add(x)` / `.push(x)` in the file adds an open socket (a server's, or a
// Cloudflare server end after its accept) iterates open sockets. Any other use of the collection
// (handed to a function, assigned anything but an empty one) may fill it elsewhere: no answer.
import type { Framework } from '../../model.js';
import type { TsNode } from './compiler.js';
import { openAt, type Resolve } from './cf-accept.js';
import { ancestor, bareExpression, descendants, type TsModule } from './module.js';
import type { SocketInfo } from './sockets.js';

/** Methods that read or shrink a collection, or are the insertions checked. */
const READS = new Set(['add', 'push', 'unshift', 'delete', 'has', 'size', 'length', 'forEach', 'values', 'clear', 'entries', 'keys', 'filter', 'map', 'some', 'every', 'includes', 'indexOf', 'splice']);
const INSERTS = new Set(['add', 'push', 'unshift']);

/** `this.sockets` (per class) or a variable (per declaration): what names one collection. */
function keyOf(m: TsModule, e: TsNode): string | null {
  const ts = m.ts;
  if (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const cls = ancestor(e, (n) => ts.isClassDeclaration(n) || ts.isClassExpression(n));
    return cls ? `this:${cls.pos}:${e.name.text}` : null;
  }
  if (ts.isIdentifier(e)) {
    const d = m.declarationOf(e.text, e);
    return d ? `var:${d.pos}:${e.text}` : null;
  }
  return null;
}

interface Uses {
  inserted: { call: TsNode; arg: TsNode }[];
  /** Used in a way that may fill it out of sight. */
  open: boolean;
}

const memo = new WeakMap<TsModule, Map<string, Uses>>();

function isEmptyCollection(m: TsModule, e: TsNode | undefined): boolean {
  const ts = m.ts;
  if (!e) return true;
  const x = bareExpression(ts, e);
  if (ts.isArrayLiteralExpression(x)) return x.elements.length === 0;
  return ts.isNewExpression(x) && ts.isIdentifier(x.expression) && /^(Set|Map|WeakSet)$/.test(x.expression.text) && !(x.arguments?.length);
}

/**
 * Every use of one collection in the file (one walk per collection asked about; only nodes that
 * spell its name are resolved). A class field's own declaration counts: `sockets = other.sockets`
 * fills it out of sight as much as an assignment does.
 */
function usesOf(m: TsModule, key: string, name: string): Uses {
  let byKey = memo.get(m);
  if (!byKey) memo.set(m, (byKey = new Map()));
  const known = byKey.get(key);
  if (known) return known;
  const ts = m.ts;
  const uses: Uses = { inserted: [], open: false };
  for (const n of descendants(ts, m.sf, true)) {
    if (ts.isPropertyDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name) {
      const cls = n.parent;
      if (cls && `this:${cls.pos}:${name}` === key && !isEmptyCollection(m, n.initializer)) uses.open = true;
      continue;
    }
    const isThis = ts.isPropertyAccessExpression(n) && n.expression.kind === ts.SyntaxKind.ThisKeyword && n.name.text === name;
    if (!isThis && !(ts.isIdentifier(n) && n.text === name)) continue;
    const p = n.parent;
    if (!p || (ts.isPropertyAccessExpression(p) && p.name === n) || ts.isPropertyDeclaration(p)) continue;
    if (keyOf(m, n) !== key) continue;
    if (ts.isPropertyAccessExpression(p) && p.expression === n && (READS.has(p.name.text) || SUBSETS.has(p.name.text))) {
      const call = p.parent;
      if (INSERTS.has(p.name.text) && call && ts.isCallExpression(call) && call.expression === p) for (const arg of call.arguments) uses.inserted.push({ call, arg });
      continue;
    }
    if (ts.isForOfStatement(p) && p.expression === n) continue;
    // Copies: `[...sockets]`, `Array.from(sockets)` read it.
    if (ts.isSpreadElement(p) && p.parent && ts.isArrayLiteralExpression(p.parent)) continue;
    if (ts.isCallExpression(p) && m.text(p.expression) === 'Array.from' && p.arguments.length === 1) continue;
    if (ts.isVariableDeclaration(p) && p.name === n) {
      if (!isEmptyCollection(m, p.initializer)) uses.open = true;
      continue;
    }
    if (ts.isBinaryExpression(p) && p.left === n && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      if (!isEmptyCollection(m, p.right)) uses.open = true;
      continue;
    }
    uses.open = true;
  }
  byKey.set(key, uses);
  return uses;
}

/** Calls that give some of a collection's own elements, none other: `sockets.filter(…)` holds what `sockets` holds. */
const SUBSETS = new Set(['filter', 'slice', 'values', 'sort', 'reverse', 'toSorted', 'toReversed']);

/** The collection whose elements `e` gives: through `.filter(…)`/`.slice()`/…, `[...x]` and `Array.from(x)`. */
export function throughSubsets(m: TsModule, e: TsNode): TsNode {
  const ts = m.ts;
  let x = bareExpression(ts, e);
  for (let i = 0; i < 8; i++) {
    // `sockets.values()`, not `Object.values(x)`.
    if (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression) && SUBSETS.has(x.expression.name.text) && !(x.expression.name.text === 'values' && x.arguments.length > 0)) x = bareExpression(ts, x.expression.expression);
    else if (ts.isCallExpression(x) && m.text(x.expression) === 'Array.from' && x.arguments.length === 1) x = bareExpression(ts, x.arguments[0] as TsNode);
    else {
      const only = ts.isArrayLiteralExpression(x) && x.elements.length === 1 ? x.elements[0] : undefined;
      if (only && ts.isSpreadElement(only)) x = bareExpression(ts, only.expression);
      else break;
    }
  }
  return x;
}

/** The collection a loop variable or a forEach callback's first parameter takes its elements from. */
export function collectionOf(m: TsModule, d: TsNode): TsNode | null {
  const ts = m.ts;
  const loop = d.parent?.parent;
  if (ts.isVariableDeclaration(d) && ts.isIdentifier(d.name) && loop && ts.isForOfStatement(loop) && loop.initializer === d.parent) return throughSubsets(m, loop.expression);
  const fn = d.parent;
  const call = fn?.parent;
  if (ts.isParameter(d) && fn && (fn as { parameters?: readonly TsNode[] }).parameters?.[0] === d && call && ts.isCallExpression(call) && call.arguments[0] === fn) {
    const callee = call.expression;
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'forEach') return throughSubsets(m, callee.expression);
  }
  return null;
}

/** The element's socket, when every insertion into its collection adds an open one. */
export function openCollectionElement(m: TsModule, d: TsNode | null, resolve: Resolve): SocketInfo | null {
  const coll = d ? collectionOf(m, d) : null;
  const key = coll ? keyOf(m, coll) : null;
  if (!coll || !key) return null;
  const name = m.ts.isPropertyAccessExpression(coll) ? coll.name.text : m.text(coll);
  const uses = usesOf(m, key, name);
  if (uses.open || uses.inserted.length === 0) return null;
  let framework: Framework | null = null;
  let emitter = false;
  for (const { call, arg } of uses.inserted) {
    const info = resolve(m, arg);
    if (!info || !openAt(m, info, call, resolve)) return null;
    framework ??= info.framework;
    emitter ||= info.emitter;
  }
  return { kind: 'framework', origin: coll, reason: `socket from ${m.brief(coll, 40)}, which the file fills only with open sockets`, emitter, typed: false, framework: framework ?? 'unknown' };
}
