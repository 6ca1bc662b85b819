// Which guard runs before a send on a socket that may be CONNECTING (SPEC §3b): statements that
// precede the send on every path (preceding siblings at each block level up to the function),
// gating `if`s and loop conditions. `readyState` tests are evaluated as sets of states in which
// they may / must be true, so a test on one branch or `&&`-ed with an unknown is not a guard.
import type { Clock, Fingerprint, Guard, GuardKind, NameUse, OnTimeout, Placement, SleepKind, Span } from '../../model.js';
import type { TsNode } from './compiler.js';
import { ancestor, bareExpression, descendants, isFunctionLike, promiseParamUses, returnedExpressions, throughReexports, type TsModule } from './module.js';
import { createdCollection, listenerOf, openedByHelper, sameSocket } from './sockets.js';
import { collectionOf } from './collections.js';
import { configuredReceive } from './receives.js';

// ---- readyState conditions -------------------------------------------------------------

/** 0 CONNECTING, 1 OPEN, 2 CLOSING, 3 CLOSED. */
type States = number; // bit set
const ALL = 0b1111;
const bit = (s: number): States => 1 << s;
const CONNECTING = bit(0);
const OPEN = bit(1);
const CLOSED = bit(3);

interface CondValue {
  may: States;
  must: States;
}
const UNKNOWN: CondValue = { may: ALL, must: 0 };

/** A socket matcher: whether an expression is the socket the guard is about. */
export type SocketMatch = (expr: TsNode) => boolean;

function stateValue(m: TsModule, e: TsNode, env: ReadonlyMap<string, number>): number | null {
  const ts = m.ts;
  const name = ts.isPropertyAccessExpression(e) ? e.name.text : ts.isIdentifier(e) ? e.text : null;
  if (name) {
    if (/(^|_)CONNECTING$/.test(name)) return 0;
    if (/(^|_)OPEN$/.test(name)) return 1;
    if (/(^|_)CLOSING$/.test(name)) return 2;
    if (/(^|_)CLOSED$/.test(name)) return 3;
  }
  const v = m.evalNumber(e, env);
  return v !== null && Number.isInteger(v) && v >= 0 && v <= 3 ? v : null;
}

function isReadyState(m: TsModule, e: TsNode, match: SocketMatch): boolean {
  const ts = m.ts;
  let x = e;
  while (ts.isParenthesizedExpression(x) || ts.isNonNullExpression(x)) x = x.expression;
  if (ts.isPropertyAccessExpression(x) && x.name.text === 'readyState') return match(x.expression);
  if (ts.isPropertyAccessExpression(x) && x.questionDotToken === undefined && x.name.text === 'readyState') return match(x.expression);
  return false;
}

function compareSet(op: string, v: number): States {
  let s = 0;
  for (let i = 0; i < 4; i++) {
    const t =
      op === '===' || op === '=='
        ? i === v
        : op === '!==' || op === '!='
          ? i !== v
          : op === '<'
            ? i < v
            : op === '<='
              ? i <= v
              : op === '>'
                ? i > v
                : op === '>='
                  ? i >= v
                  : false;
    if (t) s |= bit(i);
  }
  return s;
}

const FLIP: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=' };

export function evalCondition(m: TsModule, e: TsNode, match: SocketMatch, env: ReadonlyMap<string, number> = new Map(), helpers = true): CondValue {
  const ts = m.ts;
  if (ts.isParenthesizedExpression(e) || ts.isAwaitExpression(e)) return evalCondition(m, e.expression, match, env, helpers);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) {
    const v = evalCondition(m, e.operand, match, env, helpers);
    return { may: ALL & ~v.must, must: ALL & ~v.may };
  }
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.getText(m.sf);
    if (op === '&&' || op === '||') {
      const a = evalCondition(m, e.left, match, env, helpers);
      const b = evalCondition(m, e.right, match, env, helpers);
      return op === '&&' ? { may: a.may & b.may, must: a.must & b.must } : { may: a.may | b.may, must: a.must | b.must };
    }
    if (['===', '==', '!==', '!=', '<', '<=', '>', '>='].includes(op)) {
      if (isReadyState(m, e.left, match)) {
        const v = stateValue(m, e.right, env);
        if (v !== null) {
          const s = compareSet(op, v);
          return { may: s, must: s };
        }
      } else if (isReadyState(m, e.right, match)) {
        const v = stateValue(m, e.left, env);
        if (v !== null) {
          const s = compareSet(FLIP[op] ?? op, v);
          return { may: s, must: s };
        }
      }
    }
    return UNKNOWN;
  }
  // isOpen(ws): a repository helper whose body returns a readyState test.
  if (helpers && ts.isCallExpression(e)) {
    const h = resolveHelper(m, e, match);
    if (h) {
      const ret = descendants(h.module.ts, h.fn).find((n) => h.module.ts.isReturnStatement(n) && n.expression);
      const body = (h.fn as { body?: TsNode }).body;
      const expr = ret && ts.isReturnStatement(ret) ? ret.expression : body && !ts.isBlock(body) ? body : undefined;
      if (expr) return evalCondition(h.module, expr, h.match, h.env, false);
    }
  }
  return UNKNOWN;
}

// ---- exits, logs, clocks, sleeps ------------------------------------------------------------

function lastStatement(m: TsModule, s: TsNode): TsNode | null {
  const ts = m.ts;
  if (ts.isBlock(s)) return s.statements.length ? (s.statements[s.statements.length - 1] as TsNode) : null;
  return s;
}

/** How a branch leaves: return / raise / break / continue, or null when it falls through. */
function exitOf(m: TsModule, s: TsNode | undefined): OnTimeout | null {
  const ts = m.ts;
  if (!s) return null;
  const last = lastStatement(m, s);
  if (!last) return null;
  if (ts.isReturnStatement(last)) return 'return';
  if (ts.isThrowStatement(last)) return 'raise';
  if (ts.isBreakStatement(last)) return 'break';
  if (ts.isContinueStatement(last)) return 'continue';
  // socket.terminate(); return — or process.exit()
  if (ts.isExpressionStatement(last) && ts.isCallExpression(last.expression) && /^process\.exit$/.test(m.text(last.expression.expression))) return 'return';
  if (ts.isIfStatement(last)) {
    const a = exitOf(m, last.thenStatement);
    const b = exitOf(m, last.elseStatement);
    return a && b ? a : null;
  }
  return null;
}

const LOG_METHODS = new Set(['warn', 'warning', 'error', 'info', 'debug', 'log', 'trace', 'fatal']);

function isLogCall(m: TsModule, n: TsNode): boolean {
  const ts = m.ts;
  if (!ts.isCallExpression(n) || !ts.isPropertyAccessExpression(n.expression)) return false;
  if (!LOG_METHODS.has(n.expression.name.text)) return false;
  const recv = m.text(n.expression.expression);
  return /^(this\.)?(console|log|logger|LOGGER|LOG|\w*[lL]ogger|\w*[lL]og)$/.test(recv);
}

function logsIn(m: TsModule, s: TsNode | undefined): boolean {
  if (!s) return false;
  return isLogCall(m, s) || descendants(m.ts, s, true).some((n) => isLogCall(m, n));
}

function clockOf(m: TsModule, n: TsNode): Clock | null {
  const ts = m.ts;
  if (ts.isCallExpression(n)) {
    const t = m.text(n.expression);
    if (t === 'performance.now' || t === 'process.hrtime' || t === 'process.hrtime.bigint' || t === 'process.uptime') return 'monotonic';
    if (t === 'Date.now') return 'wall';
    if (ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'getTime' && ts.isNewExpression(n.expression.expression)) return 'wall';
  }
  if (ts.isNewExpression(n) && m.text(n.expression) === 'Date' && !ts.isPropertyAccessExpression(n.parent)) return 'wall';
  return null;
}

interface SleepInfo {
  call: TsNode;
  interval: TsNode | null;
  kind: SleepKind;
}

const SLEEP_NAME = /^(sleep|delay|wait|pause|setTimeout|timeout|setTimeoutPromise)$/i;

/** An awaited sleep: `await new Promise((r) => setTimeout(r, ms))`, `await sleep(ms)`, `await setTimeout(ms)` (timers/promises). */
function sleepOf(m: TsModule, awaited: TsNode): SleepInfo | null {
  const ts = m.ts;
  let e = awaited;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isNewExpression(e) && m.text(e.expression) === 'Promise') {
    const timer = descendants(ts, e, true).find((n) => ts.isCallExpression(n) && /^(globalThis\.|window\.)?setTimeout$/.test(m.text(n.expression)));
    if (timer && ts.isCallExpression(timer)) return { call: e, interval: timer.arguments[1] ?? null, kind: 'async' };
    return null;
  }
  if (ts.isCallExpression(e)) {
    const callee = ts.isPropertyAccessExpression(e.expression) ? e.expression.name.text : ts.isIdentifier(e.expression) ? e.expression.text : '';
    if (SLEEP_NAME.test(callee)) return { call: e, interval: e.arguments[0] ?? null, kind: 'async' };
  }
  return null;
}

// ---- helpers of the repository -------------------------------------------------------------

interface HelperRef {
  module: TsModule;
  fn: TsNode;
  name: string;
  /** Matches the helper's parameter that receives the socket. */
  match: SocketMatch;
  /** The helper's numeric parameters, from the call's arguments. */
  env: Map<string, number>;
  /** The helper's string parameters, from the call's literal arguments: `waitFor(ws, 'open')`'s event. */
  strings?: Map<string, string>;
}

function functionNamed(m: TsModule, name: string, exportedOnly: boolean): TsNode | null {
  const ts = m.ts;
  for (const d of m.declarations.get(name) ?? []) {
    if (ts.isFunctionDeclaration(d)) return d;
    if (ts.isVariableDeclaration(d) && d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))) return d.initializer;
  }
  // module.exports.waitForOpen = function …  /  exports.waitForOpen = …
  if (exportedOnly) {
    for (const n of descendants(ts, m.sf)) {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && /^(module\.)?exports\.\w+$/.test(m.text(n.left))) {
        if (m.text(n.left).endsWith(`.${name}`) && (ts.isArrowFunction(n.right) || ts.isFunctionExpression(n.right))) return n.right;
      }
    }
  }
  return null;
}

/** An exported function of a repository module, followed through its re-exports: the function and the module that declares it. */
function exportedFunction(m: TsModule, name: string): { module: TsModule; fn: TsNode } | null {
  return throughReexports(m, name, (module, n) => {
    const fn = functionNamed(module, n, true);
    return fn ? { module, fn } : null;
  });
}

/** A call `h(…, ws, …)` to a function of the repository (this file or a relative import) that gets the socket. */
function resolveHelper(m: TsModule, call: TsNode, match: SocketMatch): HelperRef | null {
  const ts = m.ts;
  if (!ts.isCallExpression(call)) return null;
  const idx = call.arguments.findIndex((a) => match(a));
  if (idx < 0) return sameSocketHelper(m, call, match);
  let name: string;
  let target: TsModule | null = m;
  let fn: TsNode | null = null;
  if (ts.isIdentifier(call.expression)) {
    name = call.expression.text;
    const imp = m.imports.get(name);
    if (imp) {
      const from = m.importedModule(imp.module);
      const found = from ? exportedFunction(from, imp.imported === 'default' || imp.imported === '*' ? name : imp.imported) : null;
      if (!found) return null;
      target = found.module;
      fn = found.fn;
    } else fn = functionNamed(m, name, false);
  } else if (ts.isPropertyAccessExpression(call.expression) && ts.isIdentifier(call.expression.expression)) {
    // utils.waitForOpen(ws) with `import * as utils from './utils'` or `const utils = require('./utils')`
    name = call.expression.name.text;
    const imp = m.imports.get(call.expression.expression.text);
    if (!imp) return null;
    const from = m.importedModule(imp.module);
    const found = from ? exportedFunction(from, name) : null;
    if (!found) return null;
    target = found.module;
    fn = found.fn;
  } else return null;
  if (!fn || !target) return null;
  const params = (fn as { parameters?: readonly TsNode[] }).parameters ?? [];
  const p = params[idx];
  if (!p || !ts.isParameter(p) || !ts.isIdentifier(p.name)) return null;
  const pname = p.name.text;
  const tm = target;
  const env = new Map<string, number>();
  const strings = new Map<string, string>();
  params.forEach((q, i) => {
    if (!ts.isParameter(q) || !ts.isIdentifier(q.name)) return;
    const arg = call.arguments[i];
    const v = arg ? m.evalNumber(arg) : tm.evalNumber(q.initializer);
    if (v !== null) env.set(q.name.text, v);
    const text = str(m, arg) ?? str(tm, q.initializer);
    if (text !== null) strings.set(q.name.text, text);
  });
  const pdecl = p;
  const helperMatch: SocketMatch = (e) => {
    let x = e;
    while (tm.ts.isParenthesizedExpression(x) || tm.ts.isNonNullExpression(x)) x = x.expression;
    return tm.ts.isIdentifier(x) && x.text === pname && tm.declarationOf(pname, x) === pdecl;
  };
  return { module: target, fn, name, match: helperMatch, env, strings };
}

/** `await this.connect()` / `await connect()`: a function of this file that waits on the same socket (`this.ws`, a module variable) itself. */
function sameSocketHelper(m: TsModule, call: TsNode, match: SocketMatch): HelperRef | null {
  const ts = m.ts;
  if (!ts.isCallExpression(call)) return null;
  let fn: TsNode | null = null;
  let name = '';
  if (ts.isPropertyAccessExpression(call.expression) && call.expression.expression.kind === ts.SyntaxKind.ThisKeyword) {
    name = `this.${call.expression.name.text}`;
    const cls = ancestor(call, (n) => ts.isClassDeclaration(n) || ts.isClassExpression(n));
    if (cls && (ts.isClassDeclaration(cls) || ts.isClassExpression(cls))) {
      const wanted = call.expression.name.text;
      for (const member of cls.members) {
        if (ts.isMethodDeclaration(member) && member.body && ts.isIdentifier(member.name) && member.name.text === wanted) fn = member;
      }
    }
  } else if (ts.isIdentifier(call.expression) && !m.imports.has(call.expression.text)) {
    name = call.expression.text;
    fn = functionNamed(m, name, false);
  }
  if (!fn) return null;
  // Only when the socket means the same thing inside: `this.x`, or a name declared outside the function.
  const body = fn;
  const helperMatch: SocketMatch = (e) => {
    if (!match(e)) return false;
    if (ts.isIdentifier(e)) {
      const d = m.declarationOf(e.text, e);
      return d !== null && !(d.pos >= body.pos && d.end <= body.end);
    }
    return true;
  };
  const env = new Map<string, number>();
  for (const p of (fn as { parameters?: readonly TsNode[] }).parameters ?? []) {
    if (ts.isParameter(p) && ts.isIdentifier(p.name)) {
      const v = m.evalNumber(p.initializer);
      if (v !== null) env.set(p.name.text, v);
    }
  }
  return { module: m, fn, name, match: helperMatch, env };
}

// ---- guard candidates ------------------------------------------------------------------------

export interface Candidate {
  kind: Exclude<GuardKind, 'none'>;
  node: TsNode;
  module: TsModule;
  summary: string;
  helper: string | null;
  frameworkReason: string | null;
  fingerprint: Fingerprint | null;
  parts: Guard['parts'];
  /** How the wait ends on timeout: `raise` (rejects), `value` (resolves; the caller decides). */
  timeoutPath?: 'raise' | 'value';
  /** A wait loop's: the statement that ends its timeout path (`raise` for a re-check that throws), null when it goes on. */
  timeoutExit?: OnTimeout | null;
  /** The expressions the bound and the interval are read from (a helper's call maps its parameters to the call's arguments). */
  valueNodes?: { timeout: TsNode | null; interval: TsNode | null };
}

export const noParts = (): Guard['parts'] => ({ sleepCall: null, clockCall: null, timeout: null, interval: null, unboundedWait: null });

/** How much a guard of each kind guards: a loop keeps the strongest its search and its callers find. */
export const GUARD_RANK: Readonly<Record<GuardKind, number>> = { none: 0, check: 1, unbounded: 2, polling: 3, framework: 4 };

function fingerprint(partial: Partial<Fingerprint> & { placement: Placement }): Fingerprint {
  return {
    timeoutSeconds: null,
    intervalSeconds: null,
    states: ['readyState'],
    clock: null,
    sleep: null,
    onTimeout: 'none',
    logsOnTimeout: false,
    exitsOnTerminalState: false,
    ...partial,
  };
}

const seconds = (ms: number | null): number | null => (ms === null ? null : Number((ms / 1000).toPrecision(12)));

interface Ctx {
  m: TsModule;
  match: SocketMatch;
  env: Map<string, number>;
  /** A helper's string parameters bound from the call (`eventType` → `'open'`). */
  strings?: ReadonlyMap<string, string>;
  placement: Placement;
  emitter: boolean;
  depth: number;
  /** Validation helpers defined outside the repository (config `guardHelpers`). */
  guardHelpers: readonly string[];
  /** The collection of new sockets the socket is an element of (`for (const ws of sockets)`): waits on all of them count. */
  collection?: { root: TsNode; made: TsNode[] };
}

// Validation helpers outside the repository, recognised by name when the config does not list them:
// checks (`isOpen`), and waits whose result gates the send (`if (!(await waitForOpen(ws))) return`),
// as Python's `HELPER_NAME` takes both. Unresolved in the module, the name is HG010's.
const HELPER_NAME = /^(?:(?:is|ensure|check|assert|validate)\w*(?:open|connected|ready)|(?:wait|await|until)\w*(?:open|connected|connection|ready|handshake))\w*$/i;

/** `!isOpen(ws)` (negated: true when not open) or `isOpen(ws)`: an external helper given the socket. */
function externalHelper(c: Ctx, cond: TsNode, negated: boolean): string | null {
  const { m } = c;
  const ts = m.ts;
  let e = cond;
  let neg = false;
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAwaitExpression(e)) e = e.expression;
    else if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) {
      neg = !neg;
      e = e.operand;
    } else break;
  }
  if (neg !== negated || !ts.isCallExpression(e)) return null;
  const name = ts.isIdentifier(e.expression) ? e.expression.text : ts.isPropertyAccessExpression(e.expression) ? e.expression.name.text : null;
  if (!name) return null;
  // Configured by its name or its dotted path (`wsUtils.usable`): the user's word wins, with or
  // without the socket as an argument (`this.linkOk()`), as for Python.
  if (c.guardHelpers.includes(name) || c.guardHelpers.includes(m.text(e.expression))) return name;
  if (!HELPER_NAME.test(name) || !e.arguments.some((a) => c.match(a))) return null;
  return resolveHelper(m, e, c.match) ? null : name;
}

/** The statement after `stmt` in its block, if any. */
function nextStatement(m: TsModule, stmt: TsNode): TsNode | null {
  const p = stmt.parent;
  const list = p && (m.ts.isBlock(p) || m.ts.isSourceFile(p) || m.ts.isCaseClause(p)) ? (p.statements as readonly TsNode[]) : null;
  if (!list) return null;
  const i = list.indexOf(stmt);
  return (list[i + 1] as TsNode | undefined) ?? null;
}

/** How the statements after a wait end its timeout path: the fingerprint's reading, the log, and the statement that ends it. */
interface TimeoutPath {
  onTimeout: OnTimeout;
  logs: boolean;
  /** How the code there leaves (`raise` for a throwing re-check), or null when it goes on. */
  exit: OnTimeout | null;
}

/**
 * After a wait that can end without OPEN: `if (ws.readyState !== WebSocket.OPEN) { …; break }`
 * re-checks; `if (!opened)` tests the race's value; `if (timedOut)` a flag the bound's branch set
 * (`flags`: its value on the timeout path). A test that holds on the timeout path but does not
 * leave still logs there: the loop goes on (HG006), not silently (HG007).
 */
function recheckAfter(c: Ctx, stmt: TsNode, flags: ReadonlyMap<string, boolean> = new Map(), values: RaceValues = {}): TimeoutPath {
  const { m } = c;
  const next = nextStatement(m, stmt);
  if (next && m.ts.isIfStatement(next)) {
    const v = evalCondition(m, next.expression, c.match, c.env);
    const exit = exitOf(m, next.thenStatement);
    const logs = logsIn(m, next.thenStatement);
    if ((v.must & CONNECTING) !== 0) return exit ? { onTimeout: 'recheck-break', logs, exit } : { onTimeout: 'none', logs, exit: null };
    // `const opened = await Promise.race([...])` then `if (!opened) return`: the race's value says it.
    // With the timer's value known, the test must hold for it (and not for the open wait's, where known).
    const name = declaredName(m, stmt);
    const byValue =
      name !== null &&
      (values.timer
        ? holdsFor(m, next.expression, name, values.timer) === true && (!values.open || holdsFor(m, next.expression, name, values.open) === false)
        : negates(m, next.expression, name));
    if (byValue || flagHolds(m, next.expression, flags)) return { onTimeout: exit ?? 'none', logs, exit };
  }
  return { onTimeout: 'none', logs: false, exit: null };
}

/** Whether a condition on flags (`timedOut`, `!opened`, `timedOut === true`) holds for the flags' values. */
function flagHolds(m: TsModule, cond: TsNode, flags: ReadonlyMap<string, boolean>): boolean {
  const ts = m.ts;
  let e = cond;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isIdentifier(e)) return flags.get(e.text) === true;
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) {
    let x: TsNode = e.operand;
    while (ts.isParenthesizedExpression(x)) x = x.expression;
    return ts.isIdentifier(x) && flags.get(x.text) === false;
  }
  if (ts.isBinaryExpression(e) && ts.isIdentifier(e.left) && flags.has(e.left.text)) {
    const k = e.right.kind;
    const lit = k === ts.SyntaxKind.TrueKeyword ? true : k === ts.SyntaxKind.FalseKeyword ? false : null;
    if (lit === null) return false;
    const op = e.operatorToken.kind;
    const value = flags.get(e.left.text);
    if (op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken) return value === lit;
    if (op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken) return value !== lit;
  }
  return false;
}

/**
 * The flags' values when the bound runs out: what the bound's branch sets, and — for a flag
 * declared with a boolean literal before the wait (`let opened = false`) — that literal, when the
 * wait sets it only in branches that leave and cannot run while CONNECTING
 * (`if (ws.readyState === WebSocket.OPEN) { opened = true; break; }`).
 */
function timeoutFlags(c: Ctx, loop: TsNode, boundBranch: TsNode): Map<string, boolean> {
  const { m } = c;
  const ts = m.ts;
  const flags = flagsSetIn(m, boundBranch);
  const list = loop.parent && (ts.isBlock(loop.parent) || ts.isSourceFile(loop.parent)) ? (loop.parent.statements as readonly TsNode[]) : [];
  for (const st of list.slice(0, list.indexOf(loop))) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (!ts.isIdentifier(d.name) || flags.has(d.name.text) || !d.initializer) continue;
      const k = d.initializer.kind;
      if (k !== ts.SyntaxKind.TrueKeyword && k !== ts.SyntaxKind.FalseKeyword) continue;
      const name = d.name.text;
      const writes = descendants(ts, loop, true).filter((n) => ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left) && n.left.text === name);
      const offPath = writes.every((w) => {
        const branch = ancestor(w, (a) => a.parent !== undefined && ts.isIfStatement(a.parent) && a.parent.thenStatement === a);
        const stmt = branch?.parent;
        if (!branch || !stmt || !ts.isIfStatement(stmt) || !(stmt.pos >= loop.pos && stmt.end <= loop.end) || isFunctionLike(ts, ancestor(w, (a) => isFunctionLike(ts, a) || a === loop) ?? loop)) return false;
        const v = evalCondition(m, stmt.expression, c.match, c.env);
        return (v.may & CONNECTING) === 0 && exitOf(m, branch) !== null;
      });
      if (offPath) flags.set(name, k === ts.SyntaxKind.TrueKeyword);
    }
  }
  return flags;
}

/** `timedOut = true` in the bound's branch before it leaves: the flags and their values on the timeout path. */
function flagsSetIn(m: TsModule, branch: TsNode): Map<string, boolean> {
  const ts = m.ts;
  const out = new Map<string, boolean>();
  const stmts = ts.isBlock(branch) ? (branch.statements as readonly TsNode[]) : [branch];
  for (const s of stmts) {
    if (!ts.isExpressionStatement(s) || !ts.isBinaryExpression(s.expression) || s.expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
    const { left, right } = s.expression;
    if (!ts.isIdentifier(left)) continue;
    if (right.kind === ts.SyntaxKind.TrueKeyword) out.set(left.text, true);
    else if (right.kind === ts.SyntaxKind.FalseKeyword) out.set(left.text, false);
    else out.delete(left.text);
  }
  return out;
}

/** The one name a `const x = …` statement declares, else null. */
function declaredName(m: TsModule, stmt: TsNode): string | null {
  const ts = m.ts;
  if (!ts.isVariableStatement(stmt) || stmt.declarationList.declarations.length !== 1) return null;
  const d = stmt.declarationList.declarations[0];
  return d && ts.isIdentifier(d.name) ? d.name.text : null;
}

/** `!x`, `x === false`, `x !== true` (and the loose forms). */
function negates(m: TsModule, cond: TsNode, name: string): boolean {
  const ts = m.ts;
  let e = cond;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) return ts.isIdentifier(e.operand) && e.operand.text === name;
  if (!ts.isBinaryExpression(e) || !ts.isIdentifier(e.left) || e.left.text !== name) return false;
  const op = e.operatorToken.kind;
  const k = e.right.kind;
  const eq = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
  const ne = op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
  return (eq && k === ts.SyntaxKind.FalseKeyword) || (ne && k === ts.SyntaxKind.TrueKeyword);
}

/** A loop that waits on readyState: its bound, sleep, clock and timeout path. */
function waitLoop(c: Ctx, loop: TsNode): Candidate | null {
  const { m } = c;
  const ts = m.ts;
  if (!(ts.isWhileStatement(loop) || ts.isDoStatement(loop) || ts.isForStatement(loop))) return null;
  const inner = descendants(ts, loop);
  if (!inner.some((n) => isReadyState(m, n, c.match))) return null;
  // A loop that sends is a message loop, not a wait.
  if (inner.some((n) => ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ['send', 'ping'].includes(n.expression.name.text) && c.match(n.expression.expression))) return null;
  const cond = ts.isForStatement(loop) ? loop.condition : loop.expression;
  // Sleep
  let sleep: SleepInfo | null = null;
  for (const n of inner) {
    if (ts.isAwaitExpression(n)) {
      sleep = sleepOf(m, n.expression);
      if (sleep) break;
    }
  }
  let sleepKind: SleepKind | null = sleep?.kind ?? null;
  const atomics = inner.find((n) => ts.isCallExpression(n) && m.text(n.expression) === 'Atomics.wait');
  if (!sleep && (atomics || !inner.some((n) => ts.isAwaitExpression(n)))) sleepKind = 'blocking';
  // Clocks: in the loop, and in the declarations of the names it compares with.
  const clockNames = new Set<string>();
  const clockCalls: { node: TsNode; clock: Clock }[] = [];
  const scope = loop.parent ?? m.sf;
  for (const n of descendants(ts, scope)) {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && descendants(ts, n.initializer, true).concat([n.initializer]).some((x) => clockOf(m, x))) {
      clockNames.add(n.name.text);
    }
  }
  for (const n of inner) {
    const k = clockOf(m, n);
    if (k) clockCalls.push({ node: n, clock: k });
  }
  const isClocky = (e: TsNode): boolean =>
    clockOf(m, e) !== null ||
    (ts.isIdentifier(e) && clockNames.has(e.text)) ||
    descendants(ts, e, true).some((x) => clockOf(m, x) !== null || (ts.isIdentifier(x) && clockNames.has(x.text)));
  // Bound: a comparison of a clock reading with a number, or a counter.
  let timeoutMs: number | null = null;
  let timeoutNode: TsNode | null = null;
  let boundIf: TsNode | null = null;
  let polls: number | null = null;
  const comparisons = [cond, ...inner].filter((n): n is TsNode => !!n && ts.isBinaryExpression(n) && ['<', '<=', '>', '>='].includes(n.operatorToken.getText(m.sf)));
  for (const cmp of comparisons) {
    if (!ts.isBinaryExpression(cmp)) continue;
    const [l, r] = [cmp.left, cmp.right];
    let valueNode: TsNode | null = null;
    if (isClocky(l) && !isClocky(r)) valueNode = r;
    else if (isClocky(r) && !isClocky(l)) valueNode = l;
    else if (isClocky(l) && isClocky(r)) {
      // performance.now() < deadline, deadline = performance.now() + 3000
      for (const side of [l, r]) {
        if (!ts.isIdentifier(side)) continue;
        const init = m.initializerOf(side);
        if (init && ts.isBinaryExpression(init)) {
          valueNode = isClocky(init.left) ? init.right : isClocky(init.right) ? init.left : null;
        }
      }
    }
    if (valueNode !== null) {
      const v = m.evalNumber(valueNode, c.env);
      if (v !== null) {
        timeoutMs = v;
        timeoutNode = valueNode;
        boundIf = ancestor(cmp, (a) => ts.isIfStatement(a) && a.parent !== undefined && descendants(ts, loop).includes(a));
        break;
      }
      timeoutNode = valueNode;
    }
    // Counted polls: i < N with i incremented in the loop.
    if (ts.isIdentifier(l)) {
      const name = l.text;
      const incremented = [...inner, ...(ts.isForStatement(loop) && loop.incrementor ? [loop.incrementor] : [])].some(
        (n) =>
          ((ts.isPostfixUnaryExpression(n) || ts.isPrefixUnaryExpression(n)) && n.operator === ts.SyntaxKind.PlusPlusToken && m.text(n.operand) === name) ||
          (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken && m.text(n.left) === name),
      );
      const n = m.evalNumber(r, c.env);
      if (incremented && n !== null) {
        polls = n;
        timeoutNode = r;
        boundIf = ancestor(cmp, (a) => ts.isIfStatement(a) && descendants(ts, loop).includes(a));
      }
    }
  }
  const intervalMs = sleep?.interval ? m.evalNumber(sleep.interval, c.env) : null;
  if (timeoutMs === null && polls !== null && intervalMs !== null) timeoutMs = polls * intervalMs;
  const bounded = timeoutMs !== null || polls !== null || timeoutNode !== null;
  // Leaves at once on CLOSING/CLOSED: an exiting `if` on CLOSED, or a condition that only holds while CONNECTING.
  let exitsOnTerminal = false;
  if (cond) {
    const v = evalCondition(m, cond, c.match, c.env);
    if ((v.may & CLOSED) === 0 && v.may !== 0) exitsOnTerminal = true;
  }
  for (const n of inner) {
    if (!ts.isIfStatement(n)) continue;
    const v = evalCondition(m, n.expression, c.match, c.env);
    if ((v.must & CLOSED) !== 0 && (v.must & OPEN) === 0 && exitOf(m, n.thenStatement)) exitsOnTerminal = true;
  }
  // Timeout path.
  let onTimeout: OnTimeout = 'none';
  let logs = false;
  let timeoutExit: OnTimeout | null = null;
  if (boundIf && ts.isIfStatement(boundIf)) {
    const exit = exitOf(m, boundIf.thenStatement);
    logs = logsIn(m, boundIf.thenStatement);
    if (exit === 'break') {
      const after = recheckAfter(c, loop, timeoutFlags(c, loop, boundIf.thenStatement));
      onTimeout = after.onTimeout;
      logs ||= after.logs;
      timeoutExit = after.exit;
    } else {
      onTimeout = exit ?? 'none';
      timeoutExit = exit;
    }
  } else {
    const after = recheckAfter(c, loop);
    onTimeout = after.onTimeout;
    logs = after.logs;
    timeoutExit = after.exit;
  }
  const wall = clockCalls.find((x) => x.clock === 'wall');
  const clock: Clock | null = wall ? 'wall' : (clockCalls[0]?.clock ?? (clockNames.size ? 'monotonic' : null));
  const kind = bounded ? 'polling' : 'unbounded';
  const header = cond ? `${m.text(loop).slice(0, m.text(loop).indexOf(')') + 1)}` : m.brief(loop, 60);
  return {
    kind,
    node: loop,
    module: m,
    summary: header.replace(/\s+/g, ' ').slice(0, 80),
    helper: null,
    frameworkReason: null,
    fingerprint:
      kind === 'polling'
        ? fingerprint({
            timeoutSeconds: seconds(timeoutMs),
            intervalSeconds: seconds(intervalMs),
            clock,
            sleep: sleepKind,
            onTimeout,
            logsOnTimeout: logs,
            exitsOnTerminalState: exitsOnTerminal,
            placement: c.placement,
          })
        : null,
    parts: {
      sleepCall: sleep ? m.span(sleep.call) : atomics ? m.span(atomics) : null,
      clockCall: wall ? m.span(wall.node) : clockCalls[0] ? m.span(clockCalls[0].node) : null,
      timeout: timeoutNode ? m.span(timeoutNode) : null,
      interval: sleep?.interval ? m.span(sleep.interval) : null,
      unboundedWait: kind === 'unbounded' ? m.span(loop) : null,
    },
    timeoutPath: 'value',
    timeoutExit,
    valueNodes: { timeout: timeoutNode, interval: sleep?.interval ?? null },
  };
}

function isEventsOnce(m: TsModule, call: TsNode): boolean {
  const ts = m.ts;
  if (!ts.isCallExpression(call)) return false;
  const callee = call.expression;
  if (ts.isIdentifier(callee)) {
    const imp = m.imports.get(callee.text);
    return !!imp && /^(node:)?events$/.test(imp.module) && imp.imported === 'once';
  }
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'once' && ts.isIdentifier(callee.expression)) {
    const imp = m.imports.get(callee.expression.text);
    return !!imp && /^(node:)?events$/.test(imp.module);
  }
  return false;
}

function str(m: TsModule, e: TsNode | undefined): string | null {
  return e && (m.ts.isStringLiteral(e) || m.ts.isNoSubstitutionTemplateLiteral(e)) ? e.text : null;
}

/** An event name: a literal, or a helper's parameter bound to one by the call (`waitFor(ws, 'open')`). */
function eventName(c: Ctx, e: TsNode | undefined): string | null {
  const literal = str(c.m, e);
  if (literal !== null || !e || !c.m.ts.isIdentifier(e)) return literal;
  const d = c.m.declarationOf(e.text, e);
  return d && c.m.ts.isParameter(d) ? (c.strings?.get(e.text) ?? null) : null;
}

/**
 * `new Promise((resolve) => ws.addEventListener('message', (e) => resolve(e)))`: a promise that
 * settles only when a message arrives on the socket (no timer, every use of `resolve` in — or as —
 * a 'message' listener of it). Awaited, it is a receive, as `await once(ws, 'message')` is.
 */
function messageWait(c: Ctx, expr: TsNode): boolean {
  const { m } = c;
  const ts = m.ts;
  let e = expr;
  while (ts.isParenthesizedExpression(e) || ts.isAwaitExpression(e)) e = e.expression;
  const p = promiseParamUses(m, e, 0);
  if (!p) return false;
  const inner = descendants(ts, p.executor, true);
  if (inner.some((n) => ts.isCallExpression(n) && /^(globalThis\.)?setTimeout$/.test(m.text(n.expression)))) return false;
  const handlers: TsNode[] = [];
  for (const n of inner) {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ['on', 'once', 'addEventListener', 'addListener'].includes(n.expression.name.text)) {
      if (eventName(c, n.arguments[0]) === 'message' && c.match(n.expression.expression) && n.arguments[1]) handlers.push(n.arguments[1]);
    } else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left) && n.left.name.text === 'onmessage' && c.match(n.left.expression)) {
      handlers.push(n.right);
    }
  }
  if (handlers.length === 0) return false;
  const uses = p.uses;
  return uses.length > 0 && uses.every((u) => handlers.some((h) => h.pos <= u.pos && u.end <= h.end));
}

/** `await waitFor(ws, 'message')`: a repository helper that returns a message wait on the socket it is given. */
function helperReceives(c: Ctx, call: TsNode): string | null {
  const { m } = c;
  const ts = m.ts;
  if (!ts.isCallExpression(call) || c.depth > 1) return null;
  const h = resolveHelper(m, call, c.match);
  const body = h ? (h.fn as { body?: TsNode }).body : undefined;
  if (!h || !body) return null;
  const hts = h.module.ts;
  const hc: Ctx = { ...c, m: h.module, match: h.match, env: h.env, strings: h.strings, depth: c.depth + 1 };
  const returned = returnedExpressions(hts, body);
  return returned.length > 0 && returned.every((r) => r !== undefined && messageWait(hc, r)) ? h.name : null;
}

/** The ms of an abort signal: `AbortSignal.timeout(ms)`, or a name bound to one. */
function signalTimeout(c: Ctx, e: TsNode | undefined, depth = 0): TsNode | null {
  const { m } = c;
  const ts = m.ts;
  if (!e || depth > 3) return null;
  if (ts.isCallExpression(e) && m.text(e.expression) === 'AbortSignal.timeout') return e.arguments[0] ?? null;
  if (ts.isPropertyAccessExpression(e) && e.name.text === 'signal' && ts.isIdentifier(e.expression)) {
    // controller.signal with setTimeout(() => controller.abort(), ms) in scope
    const name = e.expression.text;
    const timer = descendants(ts, m.sf, true).find(
      (n) => ts.isCallExpression(n) && m.text(n.expression) === 'setTimeout' && n.arguments[0] !== undefined && m.text(n.arguments[0]).includes(`${name}.abort(`),
    );
    return timer && ts.isCallExpression(timer) ? (timer.arguments[1] ?? null) : null;
  }
  if (ts.isIdentifier(e)) {
    const init = m.initializerOf(e);
    if (init) return signalTimeout(c, init, depth + 1);
  }
  if (ts.isCallExpression(e) && m.text(e.expression) === 'AbortSignal.any') {
    const arr = e.arguments[0];
    if (arr && ts.isArrayLiteralExpression(arr)) for (const el of arr.elements) {
      const t = signalTimeout(c, el, depth + 1);
      if (t) return t;
    }
  }
  return null;
}

/** `await once(ws, 'open'[, { signal }])`, an open promise, `Promise.race([...])`, within one expression. */
interface OpenWait {
  kind: 'polling' | 'unbounded';
  node: TsNode;
  timeout: TsNode | null;
  path: 'raise' | 'value';
  /** An `events.once(ws, 'open')` settles it: on an emitter it rejects at once on 'error'. */
  viaOnce?: boolean;
  /** The wait also ends (rejects) when the socket closes or fails: `ws.onclose = () => reject(err)`. */
  endsOnClose?: boolean;
  /** A race's values, where known: the timer's (`sleep(ms).then(() => 'timeout')`) and the open wait's. */
  values?: RaceValues;
}

/** What a race resolves to when its timer wins, and when the open wait does (`undefined` when unknown). */
interface RaceValues {
  timer?: Value;
  open?: Value;
}

/** A literal's value, or OBJECT for something truthy that equals no literal (`once()`'s array). */
const OBJECT = Symbol('object');
type Value = { v: string | number | boolean | null | undefined | typeof OBJECT };

/** The value of a literal expression, or null when it is not one. */
function literalValue(m: TsModule, e: TsNode | undefined): Value | null {
  const ts = m.ts;
  if (e === undefined) return { v: undefined };
  let x = e;
  while (ts.isParenthesizedExpression(x) || ts.isAsExpression(x)) x = x.expression;
  if (ts.isStringLiteral(x) || ts.isNoSubstitutionTemplateLiteral(x)) return { v: x.text };
  if (ts.isNumericLiteral(x)) return { v: Number(x.text) };
  if (x.kind === ts.SyntaxKind.TrueKeyword) return { v: true };
  if (x.kind === ts.SyntaxKind.FalseKeyword) return { v: false };
  if (x.kind === ts.SyntaxKind.NullKeyword) return { v: null };
  if (ts.isIdentifier(x) && x.text === 'undefined') return { v: undefined };
  if (ts.isArrayLiteralExpression(x) || ts.isObjectLiteralExpression(x)) return { v: OBJECT };
  return null;
}

/** What a callback returns: an arrow's expression body, or a block's one `return`. */
function callbackValue(m: TsModule, cb: TsNode | undefined): Value | null {
  const ts = m.ts;
  if (!cb || !(ts.isArrowFunction(cb) || ts.isFunctionExpression(cb))) return null;
  if (!ts.isBlock(cb.body)) return literalValue(m, cb.body);
  const rets = descendants(ts, cb.body).filter((n) => ts.isReturnStatement(n));
  const throws = descendants(ts, cb.body).some((n) => ts.isThrowStatement(n));
  const only = rets[0];
  if (throws || rets.length !== 1 || !only || !ts.isReturnStatement(only)) return rets.length === 0 && !throws ? { v: undefined } : null;
  return literalValue(m, only.expression);
}

/**
 * The value a race element settles with: `x.then(cb)` what `cb` returns; `once(…)` an array;
 * `new Promise((resolve) => setTimeout(() => resolve(v), ms))` / `setTimeout(resolve, ms, v)` that
 * `v`; timers/promises' `setTimeout(ms, v)` its `v`. Null when unknown.
 */
function settledValue(m: TsModule, el: TsNode): Value | null {
  const ts = m.ts;
  let e = el;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isIdentifier(e)) e = m.initializerOf(e) ?? e;
  if (isEventsOnce(m, e)) return { v: OBJECT };
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)) {
    const method = e.expression.name.text;
    if (method === 'then') return callbackValue(m, e.arguments[0]);
    if (method === 'finally') return settledValue(m, e.expression.expression);
    return null;
  }
  const p = promiseParamUses(m, e, 0);
  if (p) {
    let value: Value | null = null;
    for (const u of p.uses) {
      const parent = u.parent;
      let v: Value | null = null;
      if (parent && ts.isCallExpression(parent) && parent.expression === u) v = literalValue(m, parent.arguments[0]);
      else if (parent && ts.isCallExpression(parent) && parent.arguments[0] === u && /^(globalThis\.)?setTimeout$/.test(m.text(parent.expression))) v = literalValue(m, parent.arguments[2]);
      if (v === null || (value !== null && !Object.is(value.v, v.v))) return null;
      value = v;
    }
    return value;
  }
  if (ts.isCallExpression(e) && ts.isIdentifier(e.expression)) {
    const imp = m.imports.get(e.expression.text);
    if (imp && /^(node:)?timers\/promises$/.test(imp.module) && imp.imported === 'setTimeout') return literalValue(m, e.arguments[1]);
  }
  return null;
}

/** Whether `cond` holds when `name` holds `value`: `!r`, `r`, `r === 'timeout'`, `'timeout' !== r`; null when the test says otherwise. */
function holdsFor(m: TsModule, cond: TsNode, name: string, value: Value): boolean | null {
  const ts = m.ts;
  const truthy = (v: Value['v']): boolean => v === OBJECT || !!v;
  let e = cond;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  const isName = (x: TsNode): boolean => ts.isIdentifier(x) && x.text === name;
  if (isName(e)) return truthy(value.v);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = holdsFor(m, e.operand, name, value);
    return inner === null ? null : !inner;
  }
  if (!ts.isBinaryExpression(e)) return null;
  const other = isName(e.left) ? e.right : isName(e.right) ? e.left : null;
  const lit = other ? literalValue(m, other) : null;
  if (!lit || lit.v === OBJECT) return null;
  const op = e.operatorToken.kind;
  const strict = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken;
  // `[] == false` holds: an object's loose equality is not decided here.
  if (value.v === OBJECT && !strict) return null;
  const eq = value.v !== OBJECT && (strict ? value.v === lit.v : value.v == lit.v);
  if (op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken) return eq;
  if (op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken) return !eq;
  return null;
}

/**
 * Whether `within` calls or hands on the reject function of `new Promise((resolve, reject) => …)`,
 * whatever its name: `(_, fail) => setTimeout(() => fail(err), ms)` rejects as `reject` does.
 */
function usesRejecter(m: TsModule, promise: TsNode, within: TsNode): boolean {
  const ts = m.ts;
  let e = promise;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return (promiseParamUses(m, e, 1, within)?.uses.length ?? 0) > 0;
}

/** The function a name is declared as: `function onClose() {…}`, `const onClose = () => {…}`. */
function namedFunction(m: TsModule, id: TsNode): TsNode | null {
  const ts = m.ts;
  if (!ts.isIdentifier(id)) return null;
  const d = m.declarationOf(id.text, id);
  if (d && ts.isFunctionDeclaration(d)) return d;
  const init = m.initializerOf(id);
  return init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) ? init : null;
}

function openWait(c: Ctx, expr: TsNode): OpenWait | null {
  const { m } = c;
  const ts = m.ts;
  let e = expr;
  // `once(ws, 'open').then(() => true)`: the chain settles when the wait does; a `.catch` turns
  // the rejection into a value, read afterwards like a timer's.
  let caught = false;
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAwaitExpression(e)) e = e.expression;
    else if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && ['then', 'catch', 'finally'].includes(e.expression.name.text)) {
      caught ||= e.expression.name.text === 'catch';
      e = e.expression.expression;
    } else break;
  }
  if (isEventsOnce(m, e) && ts.isCallExpression(e) && e.arguments[0] && c.match(e.arguments[0]) && str(m, e.arguments[1]) === 'open') {
    const opts = e.arguments[2];
    let timeout: TsNode | null = null;
    if (opts && ts.isObjectLiteralExpression(opts)) {
      for (const p of opts.properties) {
        if (ts.isPropertyAssignment(p) && m.text(p.name) === 'signal') timeout = signalTimeout(c, p.initializer);
        if (ts.isShorthandPropertyAssignment(p) && p.name.text === 'signal') timeout = signalTimeout(c, p.name);
      }
    }
    return timeout ? { kind: 'polling', node: e, timeout, path: caught ? 'value' : 'raise', viaOnce: true } : { kind: 'unbounded', node: e, timeout: null, path: 'raise', viaOnce: true };
  }
  if (ts.isNewExpression(e) && m.text(e.expression) === 'Promise') {
    const inner = descendants(ts, e, true);
    const listens = inner.some((n) => {
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ['on', 'once', 'addEventListener', 'addListener'].includes(n.expression.name.text)) {
        return eventName(c, n.arguments[0]) === 'open' && c.match(n.expression.expression);
      }
      return ts.isBinaryExpression(n) && ts.isPropertyAccessExpression(n.left) && n.left.name.text === 'onopen' && c.match(n.left.expression);
    });
    if (!listens) return null;
    // A connection that fails fires 'error' and 'close': a promise that rejects then stops waiting.
    const endsOnClose = inner.some((n) => {
      let handler: TsNode | undefined;
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ['on', 'once', 'addEventListener', 'addListener'].includes(n.expression.name.text)) {
        const event = eventName(c, n.arguments[0]);
        if ((event === 'close' || event === 'error') && c.match(n.expression.expression)) handler = n.arguments[1];
      } else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left)) {
        if ((n.left.name.text === 'onclose' || n.left.name.text === 'onerror') && c.match(n.left.expression)) handler = n.right;
      }
      // A named listener (`ws.on('close', onClose)`): the function the name is declared as.
      if (handler && ts.isIdentifier(handler)) handler = namedFunction(m, handler) ?? handler;
      return handler !== undefined && (/\breject\b|\bthrow\b/.test(m.text(handler)) || usesRejecter(m, e, handler));
    });
    const timer = inner.find((n) => ts.isCallExpression(n) && /^(globalThis\.)?setTimeout$/.test(m.text(n.expression)));
    if (timer && ts.isCallExpression(timer)) {
      const callback = timer.arguments[0];
      const rejects = callback !== undefined && (/reject|throw/.test(m.text(callback)) || usesRejecter(m, e, callback));
      return { kind: 'polling', node: e, timeout: timer.arguments[1] ?? null, path: rejects ? 'raise' : 'value', endsOnClose };
    }
    return { kind: 'unbounded', node: e, timeout: null, path: 'raise', endsOnClose };
  }
  if (c.collection && ts.isCallExpression(e) && m.text(e.expression) === 'Promise.all' && e.arguments[0]) {
    const w = collectionWait(c, c.collection, bareExpression(ts, e.arguments[0]));
    if (w) return { ...w, node: e };
  }
  if (ts.isCallExpression(e) && m.text(e.expression) === 'Promise.race' && e.arguments[0] && ts.isArrayLiteralExpression(e.arguments[0])) {
    const els = e.arguments[0].elements;
    let open = false;
    let viaOnce = false;
    let endsOnClose = false;
    let timeout: TsNode | null = null;
    let path: 'raise' | 'value' = 'raise';
    let timerValue: Value | null = null;
    let openValue: Value | null = null;
    for (const el of els) {
      const w = openWait(c, el);
      if (w) {
        open = true;
        openValue = settledValue(m, el);
        viaOnce ||= w.viaOnce === true;
        endsOnClose ||= w.endsOnClose === true;
        if (w.kind === 'polling') timeout = w.timeout;
        continue;
      }
      let x = el;
      while (ts.isParenthesizedExpression(x)) x = x.expression;
      // `const timer = new Promise(…setTimeout…)` raced by name.
      if (ts.isIdentifier(x)) x = m.initializerOf(x) ?? x;
      // `sleep(ms).then(() => { throw … })`: the chain settles when the timer does; what its
      // callbacks do (throw, or return a value) is the timeout path.
      const chain = x;
      while (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression) && ['then', 'catch', 'finally'].includes(x.expression.name.text)) {
        x = x.expression.expression;
        while (ts.isParenthesizedExpression(x)) x = x.expression;
      }
      const sl = sleepOf(m, x);
      if (sl) {
        timeout = sl.interval;
        path = /reject|throw|abort/i.test(m.text(chain)) || usesRejecter(m, x, x) ? 'raise' : 'value';
        timerValue = settledValue(m, el);
      } else if (ts.isCallExpression(x) && /timeout|deadline/i.test(m.text(x.expression))) {
        timeout = x.arguments[0] ?? null;
      }
    }
    if (!open) return null;
    const values: RaceValues = { ...(timerValue ? { timer: timerValue } : {}), ...(openValue ? { open: openValue } : {}) };
    return timeout ? { kind: 'polling', node: e, timeout, path, viaOnce, endsOnClose, values } : { kind: 'unbounded', node: e, timeout: null, path: 'raise', viaOnce, endsOnClose };
  }
  if (ts.isCallExpression(e)) return timeoutWrapper(c, e);
  return null;
}

/**
 * `Promise.all(…)`'s argument as a wait for every socket of a collection the function made:
 * `sockets.map((s) => once(s, 'open'))`, or `[once(ws.a, 'open'), once(ws.b, 'open')]` naming every
 * member of `const ws = { a: new WebSocket(…), b: … }` (each by its key or index). Polling when
 * every wait is bounded, else unbounded.
 */
function collectionWait(c: Ctx, coll: { root: TsNode; made: TsNode[] }, arg: TsNode): OpenWait | null {
  const { m } = c;
  const ts = m.ts;
  const sameRoot = (x: TsNode): boolean => {
    const made = createdCollection(m, x);
    return made !== null && sameSocket(m, made.root, coll.root);
  };
  const waits: OpenWait[] = [];
  if (ts.isCallExpression(arg) && ts.isPropertyAccessExpression(arg.expression) && arg.expression.name.text === 'map' && sameRoot(arg.expression.expression)) {
    const fn = arg.arguments[0];
    if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return null;
    const param = fn.parameters[0];
    if (!param || !ts.isIdentifier(param.name)) return null;
    const body = fn.body;
    const only = ts.isBlock(body) && body.statements.length === 1 ? body.statements[0] : undefined;
    const expr = !ts.isBlock(body) ? body : only && ts.isReturnStatement(only) ? only.expression : undefined;
    const w = expr ? openWait({ ...c, collection: undefined, match: (x) => sameSocket(m, x, param.name) }, expr) : null;
    if (!w) return null;
    waits.push(w);
  } else if (ts.isArrayLiteralExpression(arg)) {
    // The key of each member the collection was made with: a property name, or an array index.
    const keys = coll.made.map((n, i) => (n.parent && ts.isPropertyAssignment(n.parent) ? m.text(n.parent.name).replace(/^['"]|['"]$/g, '') : String(i)));
    const seen = new Set<string>();
    const memberKey = (x0: TsNode): string | null => {
      const x = bareExpression(ts, x0);
      if (ts.isPropertyAccessExpression(x) && sameSocket(m, x.expression, coll.root)) return x.name.text;
      if (ts.isElementAccessExpression(x) && sameSocket(m, x.expression, coll.root) && (ts.isStringLiteral(x.argumentExpression) || ts.isNumericLiteral(x.argumentExpression))) return x.argumentExpression.text;
      return null;
    };
    for (const el of arg.elements) {
      let key: string | null = null;
      const w = openWait({ ...c, collection: undefined, match: (x) => (key = memberKey(x)) !== null }, el);
      if (!w || key === null) return null;
      seen.add(key);
      waits.push(w);
    }
    if (!keys.every((k) => seen.has(k))) return null;
  } else return null;
  const first = waits[0];
  if (!first) return null;
  const viaOnce = waits.every((w) => w.viaOnce === true);
  const endsOnClose = waits.every((w) => w.endsOnClose === true);
  return waits.every((w) => w.kind === 'polling')
    ? { kind: 'polling', node: arg, timeout: first.timeout, path: first.path, viaOnce, endsOnClose }
    : { kind: 'unbounded', node: arg, timeout: null, path: 'raise', viaOnce, endsOnClose };
}

/** The function of the repository (this file or a relative import) a call names by an identifier, or `ns.name`. */
function repositoryFunction(m: TsModule, call: TsNode): { module: TsModule; fn: TsNode } | null {
  const ts = m.ts;
  if (!ts.isCallExpression(call)) return null;
  const callee = call.expression;
  if (ts.isIdentifier(callee)) {
    const imp = m.imports.get(callee.text);
    if (!imp) {
      const fn = functionNamed(m, callee.text, false);
      return fn ? { module: m, fn } : null;
    }
    const target = m.importedModule(imp.module);
    return target ? exportedFunction(target, imp.imported === 'default' || imp.imported === '*' ? callee.text : imp.imported) : null;
  }
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)) {
    const imp = m.imports.get(callee.expression.text);
    const target = imp ? m.importedModule(imp.module) : null;
    return target ? exportedFunction(target, callee.name.text) : null;
  }
  return null;
}

/**
 * `await withTimeout(openPromise, 5000)`: a repository helper that races its promise parameter
 * against a timer (SPEC §3b) bounds the open wait handed to it. The bound is the call's argument
 * when the timer's delay is a parameter, else the helper's constant.
 */
function timeoutWrapper(c: Ctx, call: TsNode): OpenWait | null {
  const { m } = c;
  const ts = m.ts;
  if (!ts.isCallExpression(call) || c.depth > 1) return null;
  const i = call.arguments.findIndex((a) => openWait(c, a) !== null);
  const arg = call.arguments[i];
  if (!arg) return null;
  const inner = openWait(c, arg);
  if (!inner || inner.kind !== 'unbounded') return null;
  const h = repositoryFunction(m, call);
  if (!h) return null;
  const hts = h.module.ts;
  const params = (h.fn as { parameters?: readonly TsNode[] }).parameters ?? [];
  const param = params[i];
  if (!param || !hts.isParameter(param) || !hts.isIdentifier(param.name)) return null;
  const isParam = (x: TsNode, p: TsNode): boolean => hts.isIdentifier(x) && h.module.declarationOf(x.text, x) === p;
  for (const n of descendants(hts, h.fn)) {
    if (!hts.isCallExpression(n) || h.module.text(n.expression) !== 'Promise.race') continue;
    const list = n.arguments[0];
    if (!list || !hts.isArrayLiteralExpression(list)) continue;
    if (!list.elements.some((el) => isParam(el, param))) continue;
    for (const el of list.elements) {
      const sl = sleepOf(h.module, el);
      if (!sl) continue;
      const delay = sl.interval;
      const j = delay ? params.findIndex((p) => isParam(delay, p)) : -1;
      // The bound as the caller sees it: its argument, or a constant of the helper (same file only).
      const timeout = j >= 0 ? (call.arguments[j] ?? null) : h.module === m ? delay : null;
      if (timeout === null) return null;
      const raises = /reject|throw|abort/i.test(h.module.text(el)) || usesRejecter(h.module, el, el);
      return { kind: 'polling', node: call, timeout, path: raises ? 'raise' : 'value', viaOnce: inner.viaOnce === true, endsOnClose: inner.endsOnClose === true };
    }
  }
  return null;
}

/** The try whose block holds `node` (within `stop`), for the timeout path of a rejecting wait. */
function enclosingTry(m: TsModule, node: TsNode, stop: TsNode | null): TsNode | null {
  let p: TsNode | undefined = node.parent;
  while (p && p !== stop && !isFunctionLike(m.ts, p)) {
    if (m.ts.isBlock(p) && p.parent && m.ts.isTryStatement(p.parent) && p.parent.tryBlock === p) return p.parent;
    p = p.parent;
  }
  return null;
}

function timeoutPathOf(c: Ctx, stmt: TsNode, path: 'raise' | 'value', stop: TsNode | null, values?: RaceValues): { onTimeout: OnTimeout; logs: boolean } {
  const { m } = c;
  if (path === 'value') return recheckAfter(c, stmt, new Map(), values);
  const t = enclosingTry(m, stmt, stop);
  if (t && m.ts.isTryStatement(t) && t.catchClause) {
    return { onTimeout: exitOf(m, t.catchClause.block) ?? 'none', logs: logsIn(m, t.catchClause.block) };
  }
  return { onTimeout: 'raise', logs: false };
}

/** Statements that are guards: an exiting readyState check, a wait loop, an open wait, a helper call, a receive. */
function classifyStatement(c: Ctx, stmt: TsNode, stop: TsNode | null): Candidate | null {
  const { m } = c;
  const ts = m.ts;
  // if (ws.readyState !== WebSocket.OPEN) return;
  if (ts.isIfStatement(stmt)) {
    const v = evalCondition(m, stmt.expression, c.match, c.env);
    const exit = exitOf(m, stmt.thenStatement);
    if ((v.must & CONNECTING) !== 0 && exit) {
      const h = helperCandidate(c, stmt.expression, stmt, stop);
      if (h) return h;
      return check(c, stmt, `if (${m.brief(stmt.expression, 60)}) ${exit}`);
    }
    const h = helperCandidate(c, stmt.expression, stmt, stop);
    if (h) return h;
    const x = exit ? externalHelper(c, stmt.expression, true) : null;
    if (x) return { ...check(c, stmt, `if (${m.brief(stmt.expression, 60)}) ${exit}`), helper: x };
  }
  const wait = waitLoop(c, stmt);
  if (wait) return wait;
  if (ts.isTryStatement(stmt)) {
    const stmts = stmt.tryBlock.statements;
    for (let i = stmts.length - 1; i >= 0; i--) {
      const r = classifyStatement(c, stmts[i] as TsNode, stop);
      if (r) return r;
    }
    return null;
  }
  if (ts.isBlock(stmt) || ts.isLabeledStatement(stmt) || isFunctionLike(ts, stmt) || ts.isClassDeclaration(stmt)) return null;
  if (ts.isIfStatement(stmt) || ts.isWhileStatement(stmt) || ts.isForStatement(stmt) || ts.isForOfStatement(stmt) || ts.isDoStatement(stmt) || ts.isSwitchStatement(stmt)) return null;
  // Expressions of the statement (not nested functions).
  const exprs = [stmt, ...descendants(ts, stmt)];
  // After a receive on the same socket: `await once(ws, 'message')`.
  for (const n of exprs) {
    const configured = ts.isAwaitExpression(n) ? configuredReceive(m, n.expression) : null;
    const onceMessage = ts.isAwaitExpression(n) && isEventsOnce(m, n.expression) && ts.isCallExpression(n.expression) && n.expression.arguments[0] && c.match(n.expression.arguments[0]) && str(m, n.expression.arguments[1]) === 'message';
    const viaHelper = ts.isAwaitExpression(n) && !onceMessage ? helperReceives(c, n.expression) : null;
    if (onceMessage || (configured && c.match(configured)) || viaHelper || (ts.isAwaitExpression(n) && messageWait(c, n.expression))) {
      return { kind: 'framework', node: stmt, module: m, summary: m.brief(n), helper: viaHelper, frameworkReason: 'after a receive on the same socket', fingerprint: null, parts: noParts() };
    }
  }
  // `this.ws = await openSocket(url)`: a helper that resolves with the socket only once it opened
  // (sockets.ts `openedByHelper`, as for `const ws = await openSocket(url)`).
  for (const n of exprs) {
    if (!ts.isBinaryExpression(n) || n.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !c.match(n.left)) continue;
    const opened = c.depth === 0 ? openedByHelper(m, bareExpression(ts, n.right), n) : null;
    if (opened) return { kind: 'framework', node: stmt, module: m, summary: m.brief(n), helper: null, frameworkReason: opened.reason, fingerprint: null, parts: noParts() };
  }
  for (const n of exprs) {
    if (!ts.isAwaitExpression(n)) continue;
    const w = openWait(c, n.expression);
    if (w) {
      const timeoutMs = w.timeout ? m.evalNumber(w.timeout, c.env) : null;
      const path = timeoutPathOf(c, stmt, w.path, stop, w.values);
      return {
        kind: w.kind,
        node: stmt,
        module: m,
        summary: m.brief(n, 80),
        helper: null,
        frameworkReason: null,
        fingerprint:
          w.kind === 'polling'
            ? fingerprint({
                timeoutSeconds: seconds(timeoutMs),
                clock: 'monotonic',
                onTimeout: path.onTimeout,
                logsOnTimeout: path.logs,
                // events.once rejects on a ws socket's 'error'; an EventTarget's open wait runs to the bound.
                exitsOnTerminalState: (c.emitter && w.viaOnce === true) || w.endsOnClose === true,
                placement: c.placement,
              })
            : null,
        parts: { ...noParts(), timeout: w.timeout ? m.span(w.timeout) : null, unboundedWait: w.kind === 'unbounded' ? m.span(n) : null },
        timeoutPath: w.path,
        valueNodes: { timeout: w.timeout, interval: null },
      };
    }
  }
  for (const n of exprs) {
    if (ts.isCallExpression(n)) {
      const h = helperCandidate(c, n, stmt, stop);
      if (h) return h;
    }
  }
  return null;
}

function check(c: Ctx, node: TsNode, summary: string): Candidate {
  return { kind: 'check', node, module: c.m, summary, helper: null, frameworkReason: null, fingerprint: null, parts: noParts() };
}

/** A call to a repository helper whose body waits for open (or checks readyState). */
function helperCandidate(c: Ctx, expr: TsNode, stmt: TsNode, stop: TsNode | null): Candidate | null {
  const { m } = c;
  const ts = m.ts;
  if (c.depth > 1) return null;
  let e = expr;
  while (ts.isParenthesizedExpression(e) || ts.isAwaitExpression(e) || (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken)) {
    e = ts.isPrefixUnaryExpression(e) ? e.operand : e.expression;
  }
  if (!ts.isCallExpression(e)) return null;
  const h = resolveHelper(m, e, c.match);
  if (!h) return null;
  const hc: Ctx = { m: h.module, match: h.match, env: h.env, strings: h.strings, placement: c.placement, emitter: c.emitter, depth: c.depth + 1, guardHelpers: c.guardHelpers };
  let found: Candidate | null = null;
  const body = (h.fn as { body?: TsNode }).body;
  if (!body) return null;
  const stmts = h.module.ts.isBlock(body) ? descendants(h.module.ts, body).filter((n) => h.module.ts.isStatement(n) || h.module.ts.isReturnStatement(n)) : [body];
  for (const s of stmts) {
    const r = classifyStatement(hc, s, h.fn);
    if (r && r.kind !== 'check' && r.kind !== 'framework') {
      found = r;
      break;
    }
    if (!r) {
      // return new Promise(…) / return once(ws, 'open', …) / an arrow's expression body
      const ret = h.module.ts.isReturnStatement(s) ? s.expression : h.module.ts.isStatement(s) ? undefined : s;
      const w = ret ? openWait(hc, ret) : null;
      if (w) {
        const ms = w.timeout ? h.module.evalNumber(w.timeout, h.env) : null;
        found = {
          kind: w.kind,
          node: s,
          module: h.module,
          summary: h.module.brief(ret as TsNode),
          helper: null,
          frameworkReason: null,
          fingerprint: w.kind === 'polling' ? fingerprint({ timeoutSeconds: seconds(ms), clock: 'monotonic', onTimeout: 'raise', exitsOnTerminalState: (c.emitter && w.viaOnce === true) || w.endsOnClose === true, placement: c.placement }) : null,
          parts: noParts(),
          timeoutPath: w.path,
          valueNodes: { timeout: w.timeout, interval: null },
        };
        break;
      }
    }
  }
  const callText = m.brief(e, 80);
  if (!found) {
    // A helper that returns a readyState test gates the send: `if (!isOpen(ws)) return`.
    if (ts.isIfStatement(stmt)) {
      const v = evalCondition(m, stmt.expression, c.match, c.env);
      if ((v.must & CONNECTING) !== 0 && exitOf(m, stmt.thenStatement)) return { ...check(c, stmt, `if (${m.brief(stmt.expression, 60)})`), helper: h.name };
    }
    return null;
  }
  // What the caller does with the result decides the timeout path.
  let onTimeout: OnTimeout = found.fingerprint?.onTimeout ?? 'none';
  let logs = found.fingerprint?.logsOnTimeout ?? false;
  if (ts.isIfStatement(stmt) && stmt.expression.pos <= e.pos && e.end <= stmt.expression.end) {
    const exit = exitOf(m, stmt.thenStatement);
    if (exit) onTimeout = exit;
    logs ||= logsIn(m, stmt.thenStatement);
  } else if (found.fingerprint && (onTimeout === 'raise' || found.timeoutPath === 'raise')) {
    const t = timeoutPathOf(c, stmt, 'raise', stop);
    if (found.fingerprint.onTimeout === 'raise' || found.timeoutPath === 'raise') {
      onTimeout = t.onTimeout;
      logs ||= t.logs;
    }
  } else if (found.fingerprint && (onTimeout === 'return' || onTimeout === 'break' || onTimeout === 'none' || (onTimeout === 'recheck-break' && found.timeoutExit !== 'raise'))) {
    // The helper returned (a value) on timeout — also from its own re-check — and the caller goes on.
    const after = recheckAfter(c, stmt);
    onTimeout = after.onTimeout;
    logs ||= after.logs;
  }
  return {
    ...found,
    node: stmt,
    module: m,
    summary: callText,
    helper: h.name,
    fingerprint: found.fingerprint ? { ...found.fingerprint, onTimeout, logsOnTimeout: logs, placement: c.placement } : null,
    parts: {
      ...found.parts,
      unboundedWait: found.kind === 'unbounded' ? m.span(e) : null,
      timeout: valueSpan(m, e, h, found.valueNodes?.timeout ?? null, found.module === m ? found.parts.timeout : null),
      interval: valueSpan(m, e, h, found.valueNodes?.interval ?? null, found.module === m ? found.parts.interval : null),
      sleepCall: found.module === m ? found.parts.sleepCall : null,
      clockCall: found.module === m ? found.parts.clockCall : null,
    },
  };
}

/**
 * Where a helper guard's value is written, as its caller sees it (HG008 reports there): the call's
 * argument for the helper's parameter the value is read from, else that parameter's default (in
 * this file), else the expression itself (in this file), else nothing (the call's line).
 */
function valueSpan(m: TsModule, call: TsNode, h: HelperRef, node: TsNode | null, own: Span | null): Span | null {
  if (!node || !m.ts.isCallExpression(call)) return own;
  const hm = h.module;
  const hts = hm.ts;
  const params = (h.fn as { parameters?: readonly TsNode[] }).parameters ?? [];
  for (const id of [node, ...descendants(hts, node, true)]) {
    if (!hts.isIdentifier(id)) continue;
    const d = hm.declarationOf(id.text, id);
    const i = d ? params.indexOf(d) : -1;
    if (i < 0 || !d || !hts.isParameter(d)) continue;
    const arg = call.arguments[i];
    if (arg) return m.span(arg);
    return hm === m && d.initializer ? m.span(d.initializer) : null;
  }
  return own;
}

// ---- the climb -----------------------------------------------------------------------------

const RANK: Record<Candidate['kind'], number> = { framework: 4, polling: 3, unbounded: 2, check: 1 };

export interface GuardSearch {
  m: TsModule;
  /** The use (a send) the guard must precede. */
  use: TsNode;
  /** The message loop (a statement, or a `forEach` call). */
  loop: TsNode;
  /** The `forEach` callback when the loop is one. */
  callback: TsNode | null;
  socket: TsNode;
  emitter: boolean;
  guardHelpers: readonly string[];
}

const GLOBALS = new Set([
  'console', 'performance', 'setTimeout', 'clearTimeout', 'setInterval', 'Promise', 'AbortSignal', 'AbortController', 'Date', 'WebSocket', 'process',
  'Math', 'Number', 'Error', 'undefined', 'globalThis', 'Atomics', 'Deno', 'Bun', 'JSON', 'String', 'Boolean', 'Object', 'Array', 'window', 'self',
  'require', 'module', 'exports', 'arguments', 'NaN', 'Infinity', 'Symbol', 'TypeError', 'DOMException', 'queueMicrotask', 'Buffer',
  // The rest of the ECMAScript globals and the web/Node ones a timeout path builds or calls
  // (`return new Response('…', { status: 503 })` in a Worker).
  'Response', 'Request', 'Headers', 'URL', 'URLSearchParams', 'fetch', 'Event', 'EventTarget', 'CloseEvent', 'MessageEvent', 'ErrorEvent',
  'TextEncoder', 'TextDecoder', 'Blob', 'FormData', 'ReadableStream', 'WritableStream', 'structuredClone', 'crypto', 'navigator', 'location',
  'document', 'global', '__dirname', '__filename', 'clearInterval', 'setImmediate', 'clearImmediate', 'WebSocketPair',
  'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'RegExp', 'BigInt', 'Reflect', 'Proxy', 'Intl', 'parseInt', 'parseFloat', 'isNaN', 'isFinite',
  'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError', 'ArrayBuffer', 'DataView', 'Uint8Array',
]);

function unboundNames(m: TsModule, node: TsNode): NameUse[] {
  const ts = m.ts;
  const out: NameUse[] = [];
  for (const n of [node, ...descendants(ts, node, true)]) {
    if (!ts.isIdentifier(n)) continue;
    const p = n.parent;
    if (p && ts.isPropertyAccessExpression(p) && p.name === n) continue;
    if (p && (ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p)) && p.name === n) continue;
    if (p && (ts.isParameter(p) || ts.isVariableDeclaration(p) || ts.isBindingElement(p) || ts.isFunctionDeclaration(p) || ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p))) continue;
    if (p && (ts.isTypeReferenceNode(p) || ts.isQualifiedName(p))) continue;
    if (GLOBALS.has(n.text) || m.declarations.has(n.text)) continue;
    if (out.some((u) => u.name === n.text)) continue;
    out.push({ name: n.text, position: m.position(n.getStart(m.sf)) });
  }
  return out;
}

function toGuard(c: Candidate | null, extraUnbound: NameUse[]): Guard {
  if (!c) {
    return { kind: 'none', span: null, fingerprint: null, summary: 'no guard', helper: null, frameworkReason: null, parts: noParts(), unboundNames: [] };
  }
  const span: Span = c.module.span(c.node);
  return {
    kind: c.kind,
    span,
    fingerprint: c.fingerprint,
    summary: c.summary,
    helper: c.helper,
    frameworkReason: c.frameworkReason,
    parts: c.parts,
    unboundNames: c.kind === 'framework' ? [] : guardNames(c, extraUnbound),
  };
}

/** The names the guard needs that nothing binds: the wait's, its fallback's, and the caller's extra ones. */
function guardNames(c: Candidate, extraUnbound: NameUse[]): NameUse[] {
  const own = unboundNames(c.module, c.node);
  const seen = new Set(own.map((u) => u.name));
  return [...own, ...fallbackNames(c).filter((u) => !seen.has(u.name)), ...extraUnbound];
}

/**
 * The names a polling wait's fallback needs: the re-check right after the wait
 * (`if (ws.readyState !== WebSocket.OPEN) { logger.warn(…); return; }`) runs exactly when the bound
 * ran out, so an unbound logger there throws then (SPEC §4 HG010 names the logger).
 */
function fallbackNames(c: Candidate): NameUse[] {
  if (c.kind !== 'polling') return [];
  const ts = c.module.ts;
  const next = nextStatement(c.module, c.node);
  if (!next || !ts.isIfStatement(next)) return [];
  return unboundNames(c.module, next.thenStatement);
}

/** Evidence the socket is open where it is used: an 'open'/'message' handler, a receive loop around it. */
export function openEvidence(m: TsModule, use: TsNode, socket: TsNode): string | null {
  const ts = m.ts;
  let p: TsNode | undefined = use.parent;
  while (p) {
    if (isFunctionLike(ts, p)) {
      const l = listenerOf(m, p);
      if (l && sameSocket(m, l.socket, socket)) {
        if (l.event === 'open') return "inside the socket's 'open' handler";
        if (l.event === 'message') return 'after a receive on the same socket';
      }
    }
    if (ts.isForOfStatement(p) && p.awaitModifier && isReceiveIterable(m, p.expression, socket)) return 'after a receive on the same socket';
    if (ts.isForOfStatement(p) && p.awaitModifier && p.statement.pos <= use.pos && sameReceive(m, p.expression, socket)) return 'after a receive on the same socket';
    p = p.parent;
  }
  return null;
}

/** A configured receive (`for await (const msg of messages(ws))`) on the socket. */
function sameReceive(m: TsModule, e: TsNode, socket: TsNode): boolean {
  const s = configuredReceive(m, e);
  return s !== null && sameSocket(m, s, socket);
}

/** `on(ws, 'message')` from events. */
export function isReceiveIterable(m: TsModule, e: TsNode, socket: TsNode | null): boolean {
  const ts = m.ts;
  if (!ts.isCallExpression(e)) return false;
  const callee = e.expression;
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  const imp = ts.isIdentifier(callee) ? m.imports.get(callee.text) : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) ? m.imports.get(callee.expression.text) : undefined;
  if (name !== 'on' || !imp || !/^(node:)?events$/.test(imp.module)) return false;
  if (str(m, e.arguments[1]) !== 'message') return false;
  return socket === null || (e.arguments[0] !== undefined && sameSocket(m, e.arguments[0], socket));
}

/**
 * Whether code under `root` (not in nested functions, which run at another time) may put another
 * socket in the name: `ws = new WebSocket(url)`, `this.ws = connect()`, `ws ??= …`. Clearing it
 * (`ws = null`) makes no CONNECTING socket.
 */
function reassigns(m: TsModule, root: TsNode, match: SocketMatch): boolean {
  const ts = m.ts;
  const kinds = [ts.SyntaxKind.EqualsToken, ts.SyntaxKind.QuestionQuestionEqualsToken, ts.SyntaxKind.BarBarEqualsToken, ts.SyntaxKind.AmpersandAmpersandEqualsToken];
  return descendants(ts, root).some((n) => {
    if (!ts.isBinaryExpression(n) || !kinds.includes(n.operatorToken.kind) || !match(n.left)) return false;
    const r = bareExpression(ts, n.right);
    const cleared = r.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(r) && r.text === 'undefined') || ts.isVoidExpression(r);
    return !cleared;
  });
}

export function findGuard(s: GuardSearch): Guard {
  const { m } = s;
  const ts = m.ts;
  const match: SocketMatch = (e) => sameSocket(m, e, s.socket);
  // An element of a collection of new sockets: a wait for all of them is a wait for it.
  const bare = bareExpression(ts, s.socket);
  const decl = ts.isIdentifier(bare) ? m.declarationOf(bare.text, bare) : null;
  const coll = decl ? collectionOf(m, decl) : null;
  const collection = (coll ? createdCollection(m, coll) : null) ?? undefined;
  const c: Ctx = { m, match, env: new Map(), placement: 'per-message', emitter: s.emitter, depth: 0, guardHelpers: s.guardHelpers, ...(collection ? { collection } : {}) };
  let best: Candidate | null = null;
  // Once the name may hold another socket (`ws = new WebSocket(url)` between a guard and the send,
  // or later in a loop around the send, so in the iteration before), what the guards above said
  // of the old socket no longer holds: the new one may be CONNECTING (SPEC §3b).
  let stale = false;
  const consider = (cand: Candidate | null): void => {
    if (!stale && cand && (!best || RANK[cand.kind] > RANK[best.kind])) best = cand;
  };
  let cur: TsNode = s.use;
  while (cur.parent) {
    const p: TsNode = cur.parent;
    if (cur === s.loop) c.placement = 'before-loop';
    if (ts.isBlock(p) || ts.isSourceFile(p) || ts.isCaseClause(p) || ts.isDefaultClause(p) || ts.isModuleBlock(p)) {
      const list = p.statements as readonly TsNode[];
      for (let i = list.indexOf(cur) - 1; i >= 0; i--) {
        const stmt = list[i] as TsNode;
        consider(classifyStatement(c, stmt, null));
        if (reassigns(m, stmt, match)) stale = true;
      }
    } else if (ts.isIfStatement(p) && cur !== p.expression) {
      const v = evalCondition(m, p.expression, match);
      const gated = cur === p.thenStatement ? (v.may & CONNECTING) === 0 : (v.must & CONNECTING) !== 0;
      if (gated) {
        const h = helperCandidate(c, p.expression, p, null);
        consider(h ?? check(c, p, `if (${m.brief(p.expression, 60)})`));
      } else if (cur === p.thenStatement) {
        const x = externalHelper(c, p.expression, false);
        if (x) consider({ ...check(c, p, `if (${m.brief(p.expression, 60)})`), helper: x });
      }
    } else if ((ts.isWhileStatement(p) || ts.isDoStatement(p)) && cur === p.statement) {
      const v = evalCondition(m, p.expression, match);
      if ((v.may & CONNECTING) === 0) consider(check(c, p, `while (${m.brief(p.expression, 60)})`));
    } else if (ts.isForStatement(p) && cur === p.statement && p.condition) {
      const v = evalCondition(m, p.condition, match);
      if ((v.may & CONNECTING) === 0) consider(check(c, p, `for (…; ${m.brief(p.condition, 60)}; …)`));
    } else if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken && cur === p.right) {
      const v = evalCondition(m, p.left, match);
      if ((v.may & CONNECTING) === 0) consider(check(c, p, m.brief(p.left, 60)));
    } else if (ts.isConditionalExpression(p) && cur === p.whenTrue) {
      const v = evalCondition(m, p.condition, match);
      if ((v.may & CONNECTING) === 0) consider(check(c, p, m.brief(p.condition, 60)));
    }
    // A loop around the send runs its whole body before the next iteration's send.
    if (ts.isIterationStatement(p, false) && cur !== (p as { expression?: TsNode }).expression && reassigns(m, p, match)) stale = true;
    if (isFunctionLike(ts, p)) {
      if (p === s.callback) {
        if (reassigns(m, p, match)) stale = true;
        cur = s.loop;
        c.placement = 'before-loop';
        continue;
      }
      break;
    }
    cur = p;
  }
  const chosen = best as Candidate | null;
  if (!chosen) {
    // A configured or conventionally named validation helper outside the repository.
    return toGuard(null, []);
  }
  return toGuard(chosen, []);
}
