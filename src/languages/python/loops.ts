// Finds the message loops of a module: loops whose body receives on a WebSocket connection,
// directly, wrapped, by iterating it, or through a repository function called from the loop.
import type { PollingHelper } from '../../config/types.js';
import type { Confidence, Framework, Guard, MessageLoop } from '../../model.js';
import { classifyConnection, FRAMEWORK_RECEIVES, ITERABLE_CONNECTIONS, nameIsEvidence, type Connection } from './connection.js';
import { findGuard, noGuard, type GuardContext, type HelperReceive } from './guards.js';
import type { PyFunction, PyModule } from './module.js';
import { brief, COMPREHENSION_TYPES, field, findInScope, isInside, kids, LOOP_TYPES, named, spanOf, statements, unwrap, walk, type PyNode } from './nodes.js';
import { loopsByScope } from './loop-scopes.js';
import { resolveRepoCall } from './calls.js';
import { resolveMethod, type RepoIndex } from './repo-index.js';
import { nestedScopeRefusal } from '../../fix/refusals.js';

/** `fixRefusal` where the fixer's tree check refuses the loop (set only then). */
function treeFixRefusal(anchor: PyNode, loop: PyNode): Pick<MessageLoop, 'fixRefusal'> {
  const reason = nestedScopeRefusal(anchor, loop);
  return reason ? { fixRefusal: { reason, unlessGroupThrows: false } } : {};
}

export interface LoopOptions {
  receiveMethods: readonly string[];
  connectionNames: readonly string[];
  guardHelpers: readonly string[];
  /** Configured helpers declared polling (config `guardHelpers` objects). */
  pollingHelpers?: readonly PollingHelper[];
  index: RepoIndex | null;
  /** Diff-aware runs: note on each loop the other files its guard and receive were resolved through (`dependsOn`). */
  dependencies?: boolean;
}

interface FoundReceive {
  /** The node the guard must precede: the call, or the iterated connection. */
  anchor: PyNode;
  call: string;
  connectionText: string;
  /** The connection in the loop's function's own names (for the guard to be about it), when known. */
  localConnection: string | null;
  connection: Connection;
  via: string | null;
  /** The function called and the receive in it, for a receive one level deep. */
  helper: HelperReceive | null;
  /**
   * Known by a generic name alone in a module that imports no WebSocket library, on a receive a
   * channel or stream has too: no message loop — unless a caller passes it a real connection.
   */
  weak?: boolean;
  /** Received in an iterator's `__anext__`: `connectionText` is the iterator's name for it. */
  inIterator?: boolean;
}

function isReceiveMethod(method: string, framework: Framework, opts: LoopOptions): boolean {
  if (opts.receiveMethods.includes(method)) return true;
  return FRAMEWORK_RECEIVES[framework]?.includes(method) ?? false;
}

/** A direct receive: `<connection>.<receive method>(…)`. */
function directReceive(call: PyNode, fn: PyFunction, opts: LoopOptions): FoundReceive | null {
  const callee = field(call, 'function');
  if (callee?.type !== 'attribute') return null;
  const method = field(callee, 'attribute')?.text ?? '';
  const receiver = field(callee, 'object');
  if (!receiver) return null;
  const maybe = opts.receiveMethods.includes(method) || Object.values(FRAMEWORK_RECEIVES).some((list) => list?.includes(method));
  if (!maybe) return null;
  const conn = classifyConnection(receiver, fn, opts.connectionNames, (c) => resolveRepoCall(c, fn, opts.index));
  if (!conn || !isReceiveMethod(method, conn.framework, opts)) return null;
  const weak = conn.nameOnly !== undefined && !nameIsEvidence(conn.nameOnly, method);
  return { anchor: call, call: brief(callee), connectionText: receiver.text, localConnection: receiver.text, connection: conn, via: null, helper: null, weak };
}

/**
 * The innermost loop around a node within its function (comprehensions do not count). A call in
 * a `for` statement's iterable runs once before that loop, so it belongs to the loop around it,
 * unless it returns the iterator the `for` walks (`async for m in ws.iter_text()`); so does a
 * call in a loop's `else:`.
 */
function owningLoop(node: PyNode, fn: PyFunction, iterates = false): PyNode | null {
  let child = node;
  let n = node.parent;
  while (n && n.id !== fn.node.id) {
    // A loop's `else:` runs once, after the loop: not in an iteration of it.
    if (LOOP_TYPES.has(n.type) && child.type !== 'else_clause') {
      const inIterable = n.type === 'for_statement' && field(n, 'right')?.id === child.id;
      if (!inIterable || iterates) return n;
    }
    if (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition') return null;
    child = n;
    n = n.parent;
  }
  return null;
}

/**
 * The innermost comprehension around a node within its function, where no `for`/`while`
 * statement holds the node (`owningLoop` is null): `[await ws.receive_text() for _ in range(3)]`
 * receives three times, a loop with no statement to put a guard in. A statement loop around it
 * is the message loop instead (it receives again each round). The first clause's iterable is
 * evaluated once, before the comprehension: a call there belongs to it only when it returns
 * what the comprehension iterates (`[m async for m in ws.iter_text()]`).
 */
function owningComprehension(node: PyNode, fn: PyFunction, iterates = false): PyNode | null {
  let child = node;
  let n = node.parent;
  while (n && n.id !== fn.node.id) {
    if (COMPREHENSION_TYPES.has(n.type)) {
      const first = named(n).find((c) => c.type === 'for_in_clause');
      if (first?.id !== child.id || iterates) return n;
    }
    if (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition') return null;
    child = n;
    n = n.parent;
  }
  return null;
}

/** The loop a receive repeats in: its statement loop, else its comprehension. */
function loopAround(node: PyNode, fn: PyFunction, iterates = false): PyNode | null {
  return owningLoop(node, fn, iterates) ?? owningComprehension(node, fn, iterates);
}

function containsContinue(node: PyNode): boolean {
  let found = false;
  walk(node, (n) => {
    if (found || LOOP_TYPES.has(n.type) || n.type === 'function_definition' || n.type === 'lambda') return false;
    if (n.type === 'continue_statement') found = true;
    return !found;
  });
  return found;
}

/** How many repository calls deep a receive is followed (wrappers of wrappers, as real code has). */
const HELPER_DEPTH = 3;

const CALLS: ReadonlySet<string> = new Set(['call']);

/** A helper's receive: the call in it that receives, and what it receives on (in the helper's names). */
interface HelperHit {
  inner: PyNode;
  found: FoundReceive;
}

/**
 * Per helper function, per depth: its receive, or null. A helper is called from many loops of a
 * file (and its helpers from each of those), so each is searched once per file's analysis —
 * within one file the index answers every lookup the same way (a memo across files would have to
 * tell the result cache the facts again, and could hold nodes of a file's own freed tree).
 */
type HelperMemo = Map<PyFunction, ({ hit: HelperHit | null; files: readonly string[] } | undefined)[]>;

/** The receive a repository function makes once (not in a loop of its own), following calls `depth` deep. */
function helperReceive(target: PyFunction, opts: LoopOptions, depth: number, memo: HelperMemo): HelperHit | null {
  let byDepth = memo.get(target);
  if (!byDepth) memo.set(target, (byDepth = []));
  const known = byDepth[depth];
  // The files the search went into count for every loop that reuses its answer (`dependsOn`).
  const index = opts.index;
  const outer = index?.resolvedInto ?? null;
  if (known !== undefined) {
    if (outer) for (const f of known.files) outer.add(f);
    return known.hit;
  }
  const mine = outer ? new Set<string>() : null;
  if (index && mine) index.resolvedInto = mine;
  let hit: HelperHit | null = null;
  try {
    for (const inner of findInScope(target.node, CALLS)) {
      if (owningLoop(inner, target)) continue;
      const found = directReceive(inner, target, opts) ?? (depth > 1 ? receivingHelper(inner, target, opts, memo, depth - 1) : null);
      if (found) {
        hit = { inner, found };
        break;
      }
    }
  } finally {
    if (index && outer && mine) {
      index.resolvedInto = outer;
      for (const f of mine) outer.add(f);
    }
  }
  byDepth[depth] = { hit, files: mine ? [...mine] : [] };
  return hit;
}

/** A call to a function of the repository that receives once (not in a loop of its own) on its connection. */
function receivingHelper(call: PyNode, fn: PyFunction, opts: LoopOptions, memo: HelperMemo, depth = HELPER_DEPTH): FoundReceive | null {
  const target = resolveRepoCall(call, fn, opts.index);
  if (!target || target.node.id === fn.node.id) return null;
  const hit = helperReceive(target, opts, depth, memo);
  if (!hit) return null;
  const { inner, found: r } = hit;
  // Map the helper's parameter back to the caller's argument.
  let connectionText = r.connectionText;
  let localConnection: string | null = null;
  let connection = r.connection;
  let weak = r.weak;
  const param = target.params.find((p) => p.name === r.connectionText);
  if (param && r.localConnection === r.connectionText) {
    const args = named(field(call, 'arguments') ?? call);
    const offset = target.classNode && target.params[0]?.name === 'self' ? 1 : 0;
    const kw = args.find((a) => a.type === 'keyword_argument' && field(a, 'name')?.text === param.name);
    const pos = args.filter((a) => a.type !== 'keyword_argument')[param.index - offset];
    const argNode = kw ? field(kw, 'value') : pos;
    connectionText = argNode?.text ?? connectionText;
    localConnection = argNode?.text ?? null;
    // A helper that knows its connection by name only (another file that imports no framework,
    // an unannotated parameter): what this caller passes says more — at most medium confidence,
    // as a same-file helper's call sites give.
    if (argNode && !param.annotation && (r.connection.nameOnly !== undefined || r.connection.framework === 'unknown') && !r.connection.guaranteed) {
      const passed = classifyConnection(argNode, fn, opts.connectionNames, (c) => resolveRepoCall(c, fn, opts.index));
      if (passed) {
        connection = { ...passed, confidence: passed.confidence === 'high' ? 'medium' : passed.confidence };
        weak = r.weak === true && passed.nameOnly !== undefined && !nameIsEvidence(passed.nameOnly, '');
      }
    }
  }
  return {
    anchor: call,
    call: brief(field(call, 'function') ?? call),
    connectionText,
    localConnection,
    connection,
    via: target.qualifiedName,
    helper: { fn: target, anchor: inner },
    weak,
  };
}

/**
 * A receive on a parameter known by a generic name only (`async def pump(conn)` in a module that
 * imports no WebSocket library) is a message loop where a call in another file of the repository
 * passes that parameter a real connection (`await pump(websocket)` with `websocket: WebSocket`),
 * as a call in the same file does (connection.ts `fromCallSites`): the riskiest connection any
 * caller passes, at most medium confidence. Null when no caller does.
 */
function passedByOtherFiles(found: FoundReceive, fn: PyFunction, opts: LoopOptions): FoundReceive | null {
  const param = fn.params.find((p) => p.name === found.localConnection);
  if (!opts.index || !param || param.annotation || param.kind !== 'positional' || found.localConnection !== found.connectionText) return null;
  const offset = fn.classNode && ['self', 'cls'].includes(fn.params[0]?.name ?? '') && !fn.decorators.some((d) => /^@\s*staticmethod\b/.test(d.text)) ? 1 : 0;
  let best: Connection | null = null;
  for (const { caller, call } of opts.index.callersOf(fn)) {
    const args = named(field(call, 'arguments') ?? call);
    const positional = args.filter((a) => a.type !== 'keyword_argument');
    const at = param.index - offset;
    const kw = args.find((a) => a.type === 'keyword_argument' && field(a, 'name')?.text === param.name);
    // After a `*args` the positions are unknown.
    const known = !positional.slice(0, at + 1).some((a) => a.type === 'list_splat');
    const arg = kw ? field(kw, 'value') : known ? positional[at] : undefined;
    if (!arg) continue;
    const passed = classifyConnection(arg, caller, opts.connectionNames, (c) => resolveRepoCall(c, caller, opts.index));
    if (!passed || (passed.nameOnly !== undefined && !nameIsEvidence(passed.nameOnly, ''))) continue;
    if (!best || (best.guaranteed !== null && passed.guaranteed === null)) best = passed;
  }
  if (!best) return null;
  const { nameOnly: _, ...connection } = best;
  return { ...found, connection: { ...connection, confidence: best.confidence === 'high' ? 'medium' : best.confidence }, weak: false };
}

/**
 * `async for m in self._client.receive()`: a repository function or method that returns a new
 * iterator of a repository class (`return _MessageIterator(self._websocket)`): that class's
 * `__anext__` (pipecat's FastAPI transport). The first such `return` that resolves.
 */
function returnedIterator(iterable: PyNode, fn: PyFunction, opts: LoopOptions): PyFunction | null {
  const call = unwrap(iterable);
  if (call.type !== 'call') return null;
  const target = resolveRepoCall(call, fn, opts.index);
  if (!target || target.node.id === fn.node.id) return null;
  for (const ret of findInScope(target.node, RETURNS)) {
    const value = named(ret)[0];
    if (value && unwrap(value).type === 'call') {
      const next = resolveMethod(value, '__anext__', target, opts.index);
      if (next) return next;
    }
  }
  return null;
}

const RETURNS: ReadonlySet<string> = new Set(['return_statement']);

/** `async for m in Stream(ws)`: the iterator's `__anext__` receives (one level deep). */
function iteratorReceive(isAsync: boolean, iterable: PyNode, fn: PyFunction, opts: LoopOptions): FoundReceive | null {
  if (!isAsync) return null;
  const next = resolveMethod(iterable, '__anext__', fn, opts.index) ?? returnedIterator(iterable, fn, opts);
  if (!next) return null;
  for (const inner of findInScope(next.node, new Set(['call']))) {
    const r = directReceive(inner, next, opts);
    if (!r || r.weak || owningLoop(inner, next)) continue;
    return { anchor: iterable, call: `async for … in ${brief(iterable)}`, connectionText: r.connectionText, localConnection: null, connection: r.connection, via: next.qualifiedName, helper: null, inIterator: true };
  }
  return null;
}

/**
 * A receive that ends the loop right away (`text = await ws.receive_text(); break`, with no
 * `continue` in between) makes a retry loop, not a message loop.
 */
function receivesOnce(anchor: PyNode, loop: PyNode): boolean {
  let stmt: PyNode | null = anchor;
  while (stmt && stmt.parent && stmt.parent.type !== 'block') stmt = stmt.parent;
  const block = stmt?.parent;
  if (!stmt || !block || !isInside(block, loop) || block.id === loop.id) return false;
  const sts = statements(block);
  for (const s of sts.slice(sts.findIndex((x) => x.id === stmt?.id) + 1)) {
    if (s.type === 'break_statement' || s.type === 'return_statement') return true;
    if (containsContinue(s)) return false;
  }
  return false;
}

/** The message loop a receive belongs to: its innermost loop, or the loop around a retry loop. */
function messageLoopOf(anchor: PyNode, fn: PyFunction, iterates: boolean): PyNode | null {
  let inner = anchor;
  let loop = loopAround(anchor, fn, iterates);
  while (loop && receivesOnce(inner, loop)) {
    inner = loop;
    loop = owningLoop(loop, fn);
  }
  return loop;
}

function confidenceOf(c: Connection): Confidence {
  return c.confidence;
}

/** Policy order: what fails under any policy first, framework-guaranteed last. */
const STRENGTH: Record<Guard['kind'], number> = { none: 0, unbounded: 1, check: 2, polling: 3, framework: 4 };

/**
 * SPEC §3: the guard runs before the receive on every path — so before each receive of the loop.
 * Each receive is judged on its own paths; the loop is as guarded as its least guarded receive,
 * the first among equals, and reports that receive.
 */
function leastGuarded(loop: PyNode, all: FoundReceive[], fn: PyFunction, gctx: GuardContext): { found: FoundReceive; guard: Guard } {
  let worst: { found: FoundReceive; guard: Guard } | null = null;
  for (const found of [...all].sort((a, b) => a.anchor.startIndex - b.anchor.startIndex)) {
    const guaranteed = found.connection.guaranteed;
    const guard: Guard = guaranteed
      ? { ...noGuard(), kind: 'framework', summary: guaranteed, frameworkReason: guaranteed }
      : findGuard(loop, found.anchor, fn, gctx, found.helper, found.localConnection);
    if (!worst || STRENGTH[guard.kind] < STRENGTH[worst.guard.kind]) worst = { found, guard };
    if (guard.kind === 'none') break;
  }
  return worst as { found: FoundReceive; guard: Guard };
}

/** The other files a scope's lookups went into, as a loop's `dependsOn` (nothing when none, or not asked). */
function dependsOn(into: ReadonlySet<string> | null, own: string): { dependsOn?: string[] } {
  const files = into ? [...into].filter((f) => f !== own).sort() : [];
  return files.length > 0 ? { dependsOn: files } : {};
}

export function findMessageLoops(module: PyModule, file: string, opts: LoopOptions): MessageLoop[] {
  const gctx: GuardContext = { index: opts.index, guardHelpers: opts.guardHelpers, pollingHelpers: opts.pollingHelpers ?? [] };
  const out: MessageLoop[] = [];
  const scopeLoops = loopsByScope(module.root, module.source);
  const helpers: HelperMemo = new Map();
  // Diff-aware runs: what each scope's lookups went into (the loops' `dependsOn`).
  const index = opts.dependencies ? opts.index : null;
  try {
    for (const fn of [module.top, ...module.functions]) {
      // Every receive below belongs to a loop of this very scope: none, nothing to find.
      const loops = scopeLoops.get(fn.node.id);
      if (!loops) continue;
      const into = index ? new Set<string>() : null;
      if (index) index.resolvedInto = into;
      const receives = new Map<number, { loop: PyNode; found: FoundReceive[] }>();
      const note = (loop: PyNode, found: FoundReceive) => {
        const prev = receives.get(loop.id);
        if (!prev) receives.set(loop.id, { loop, found: [found] });
        else if (!prev.found.some((f) => f.anchor.id === found.anchor.id)) prev.found.push(found);
      };
      for (const call of findInScope(fn.node, new Set(['call']))) {
        // A call outside every loop's span has no loop around it: no climb to find that out.
        if (!loops.some((l) => l.startIndex <= call.startIndex && call.endIndex <= l.endIndex) || !loopAround(call, fn, true)) continue;
        let found = directReceive(call, fn, opts) ?? receivingHelper(call, fn, opts, helpers);
        if (found?.weak) found = passedByOtherFiles(found, fn, opts);
        if (!found) continue;
        const method = field(field(call, 'function') ?? call, 'attribute')?.text ?? '';
        const loop = messageLoopOf(found.anchor, fn, found.via === null && method.startsWith('iter'));
        if (loop) note(loop, found);
      }
      // `async for message in websocket:` on frameworks whose connections are iterable, and
      // `async for m in Stream(ws)` over a repository class whose `__anext__` receives.
      // A comprehension's clauses iterate as a `for` does (`[m async for m in websocket]`): the
      // message loop is the statement loop around the comprehension, else the comprehension.
      const clauses = loops.filter((l) => COMPREHENSION_TYPES.has(l.type)).flatMap((c) => named(c).filter((k) => k.type === 'for_in_clause'));
      for (const loop of [...findInScope(fn.node, new Set(['for_statement'])), ...clauses]) {
        const right = field(loop, 'right');
        if (!right) continue;
        const isAsync = kids(loop).some((c) => c.type === 'async');
        const owner = loop.type === 'for_statement' ? loop : loopAround(right, fn, true);
        if (!owner) continue;
        const viaIterator = iteratorReceive(isAsync, right, fn, opts);
        if (viaIterator) {
          note(owner, viaIterator);
          continue;
        }
        // `async for message in self._get_websocket():` — a getter, by its return annotation or name.
        if (!['identifier', 'attribute', 'call'].includes(unwrap(right).type)) continue;
        const conn = classifyConnection(right, fn, opts.connectionNames, (c) => resolveRepoCall(c, fn, opts.index));
        // Only the websockets library's (sync) connections are also iterated by a plain `for`.
        const receives = conn && ITERABLE_CONNECTIONS.has(conn.framework) && (isAsync || conn.framework === 'websockets');
        if (conn && receives) {
          const keyword = isAsync ? 'async for' : 'for';
          note(owner, { anchor: right, call: `${keyword} … in ${brief(right)}`, connectionText: right.text, localConnection: right.text, connection: conn, via: null, helper: null });
        }
      }
      for (const { loop, found: all } of receives.values()) {
        const { found, guard } = leastGuarded(loop, all, fn, gctx);
        const firstLine = loop.text.split('\n')[0] ?? '';
        out.push({
          file,
          language: 'python',
          framework: found.connection.framework,
          function: fn.qualifiedName,
          span: spanOf(loop),
          text: firstLine.replace(/\s+/g, ' ').trim(),
          receive: { span: spanOf(found.anchor), call: found.call, connection: found.connectionText, via: found.via, ...(found.inIterator ? { inIterator: true } : {}) },
          guard,
          confidence: confidenceOf(found.connection),
          inAsyncFunction: fn.isAsync,
          ...(found.connection.other ? { otherFramework: found.connection.other } : {}),
          receives: all.map((f) => f.anchor).sort((a, b) => a.startIndex - b.startIndex).map((a) => spanOf(a)),
          // What `fix` would say of it from the tree, with its own check (a finding's `fixable`).
          ...treeFixRefusal(found.anchor, loop),
          ...dependsOn(into, module.absPath),
        });
      }
    }
  } finally {
    if (index) index.resolvedInto = null;
  }
  return out.sort((a, b) => a.span.start.line - b.span.start.line || a.span.start.column - b.span.start.column);
}

