// The TS/JS front end's entry (SPEC §3b): one file's source → its message loops (loops that send on
// a socket that may be CONNECTING, or use an open one), HG012/HG013 issues, suppressions and the
// compiler's syntactic diagnostics. Syntax-only: imports and provenance stand in for types.
import type { Confidence, FileAnalysis, FrontEndIssue, LanguageId, MessageLoop, RuleId, Suppression } from '../../model.js';
import { withLazyLines } from '../../engine/lazy-lines.js';
import { scriptFixRefusal } from '../../fix/ts-refusals.js';
import { parseSuppression } from '../../engine/suppression-syntax.js';
import { parseSource, type TS, type TsNode } from './compiler.js';
import { callerGuard } from './caller-guards.js';
import { findGuard, GUARD_RANK, isReceiveIterable, noParts, openEvidence } from './guards.js';
import { ancestor, calledFunction, isFunctionLike, type TsModule, type TsProject } from './module.js';
import { findPlatformIssues } from './platform.js';
import { needsScriptAnalysis } from './prefilter.js';
import { configuredReceive } from './receives.js';
import { syntaxProblems } from './syntax-problems.js';
import { globalFramework, resolveSocket, type SocketInfo } from './sockets.js';

export interface TsAnalysisOptions {
  project: TsProject;
  guardHelpers?: readonly string[];
  /** false (`--no-prefilter`): every file analysed in full, not only those prefilter.ts lets through. */
  prefilter?: boolean;
  /** Diff-aware runs: note on each loop the other files its guard was resolved through (`dependsOn`). */
  dependencies?: boolean;
}

const SEND_METHODS = new Set(['send', 'ping', 'pong']);

interface Use {
  call: TsNode;
  /** The socket expression (`ws`, `this.socket`). */
  socket: TsNode;
  info: SocketInfo | null;
  kind: 'send' | 'receive';
  /** For WebSocketStream readers/writers and receive iterables: why it is open. */
  frameworkReason: string | null;
  /** Set when the send happens in a repository function the loop calls: that function, and the send inside it. */
  via?: { name: string; inner: TsNode; innerSocket: TsNode; fn: TsNode };
}

/** Sends one level down: a loop calling a function of this file that sends, outside any loop of its own (SPEC §3). */
function viaUses(m: TsModule, direct: readonly Use[]): Use[] {
  const ts = m.ts;
  const out: Use[] = [];
  const sendsIn = new Map<TsNode, Use | null>();
  const firstSend = (fn: TsNode): Use | null => {
    if (sendsIn.has(fn)) return sendsIn.get(fn) ?? null;
    const found =
      direct.find((u) => u.kind === 'send' && !u.via && enclosingFunction(m, u.call) === fn && owningLoop(m, u.call) === null) ?? null;
    sendsIn.set(fn, found);
    return found;
  };
  const stack: TsNode[] = [m.sf];
  while (stack.length) {
    const n = stack.pop() as TsNode;
    n.forEachChild((c) => {
      stack.push(c);
    });
    if (!ts.isCallExpression(n) || owningLoop(m, n) === null) continue;
    const target = calledFunction(m, n);
    if (!target || target.fn === enclosingFunction(m, n)) continue;
    const inner = firstSend(target.fn);
    // A client socket's send needs a guard; an open one's makes the loop a (framework) message loop.
    if (!inner || !inner.info || (inner.info.kind !== 'client' && inner.info.kind !== 'framework')) continue;
    // The socket as the caller sees it: the argument for a parameter, else the same expression.
    let socket: TsNode = inner.socket;
    let info: SocketInfo | null = inner.info;
    if (ts.isIdentifier(inner.socket)) {
      const d = m.declarationOf(inner.socket.text, inner.socket);
      const params = (target.fn as { parameters?: readonly TsNode[] }).parameters ?? [];
      const idx = d ? params.indexOf(d) : -1;
      if (idx >= 0) {
        const arg = n.arguments[idx];
        if (!arg) continue;
        socket = arg;
        info = resolveSocket(m, arg) ?? info;
      }
    }
    out.push({ call: n, socket, info, kind: 'send', frameworkReason: null, via: { name: target.name, inner: inner.call, innerSocket: inner.socket, fn: target.fn } });
  }
  return out;
}

export function languageOfFile(file: string): LanguageId {
  return /\.(?:[cm]?ts|tsx)$/i.test(file) ? 'typescript' : 'javascript';
}

function isLoop(m: TsModule, n: TsNode): boolean {
  const ts = m.ts;
  return ts.isWhileStatement(n) || ts.isDoStatement(n) || ts.isForStatement(n) || ts.isForOfStatement(n) || ts.isForInStatement(n) || isForEach(m, n);
}

/** `xs.forEach((x) => …)`: the callback is the loop body. */
function isForEach(m: TsModule, n: TsNode): boolean {
  const ts = m.ts;
  return ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'forEach' && n.arguments.length >= 1 && isFunctionLike(ts, n.arguments[0] as TsNode);
}

/** The innermost loop a node runs in, within its function (a `forEach` callback is a loop body). */
function owningLoop(m: TsModule, node: TsNode): TsNode | null {
  const ts = m.ts;
  let cur = node;
  let p = node.parent;
  while (p) {
    if (isFunctionLike(ts, p)) {
      const call = p.parent;
      if (call && isForEach(m, call) && (call as unknown as { arguments: readonly TsNode[] }).arguments[0] === p) return call;
      return null;
    }
    if (isLoop(m, p)) {
      // A call in a for…of's iterable runs once, for the loop around it.
      const iterable = ts.isForOfStatement(p) || ts.isForInStatement(p) ? p.expression : null;
      if (cur !== iterable) return p;
    }
    cur = p;
    p = p.parent;
  }
  return null;
}

/** The dotted qualified name of the function around a node (`Client.connect`, `main.<callback>`). */
function qualifiedName(m: TsModule, node: TsNode): string {
  const ts = m.ts;
  const parts: string[] = [];
  let p: TsNode | undefined = node.parent;
  while (p) {
    if (isFunctionLike(ts, p)) {
      let name: string | null = null;
      const fn = p as { name?: TsNode };
      if (fn.name && (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name) || ts.isStringLiteral(fn.name))) name = fn.name.text;
      else if (ts.isConstructorDeclaration(p)) name = 'constructor';
      else if (p.parent && ts.isVariableDeclaration(p.parent) && ts.isIdentifier(p.parent.name)) name = p.parent.name.text;
      else if (p.parent && ts.isPropertyAssignment(p.parent)) name = m.text(p.parent.name);
      else if (p.parent && ts.isPropertyDeclaration(p.parent)) name = m.text(p.parent.name);
      parts.unshift(name ?? '<callback>');
    } else if ((ts.isClassDeclaration(p) || ts.isClassExpression(p)) && p.name) {
      parts.unshift(p.name.text);
    }
    p = p.parent;
  }
  return parts.length ? parts.join('.') : '<module>';
}

function enclosingFunction(m: TsModule, node: TsNode): TsNode | null {
  return ancestor(node, (n) => isFunctionLike(m.ts, n));
}

function isAsync(m: TsModule, node: TsNode, esm: boolean): boolean {
  const fn = enclosingFunction(m, node);
  if (!fn) return esm; // top-level await in an ES module
  return (m.ts.getCombinedModifierFlags(fn as never) & m.ts.ModifierFlags.Async) !== 0;
}

/** WebSocketStream's readable/writable are only reachable after `await wss.opened`. */
function streamReason(m: TsModule, receiver: TsNode): string | null {
  const ts = m.ts;
  if (!ts.isIdentifier(receiver) || !m.source.includes('WebSocketStream')) return null;
  const init = m.initializerOf(receiver);
  if (!init || !/\b(writable|readable)\.get(Writer|Reader)\(\s*\)$/.test(m.text(init))) return null;
  // Only a stream that came out of `wss.opened`: a CompressionStream's or a fetch body's
  // `readable` has the same shape and is no socket.
  const stream = ts.isCallExpression(init) && ts.isPropertyAccessExpression(init.expression) ? init.expression.expression : null;
  if (!stream || !fromOpened(m, stream, 0)) return null;
  return 'WebSocketStream readable/writable (only reachable after `await wss.opened`)';
}

/** Whether an expression reads `….opened` (WebSocketStream's promise), directly or through the names it is bound from. */
function fromOpened(m: TsModule, e: TsNode, depth: number): boolean {
  const ts = m.ts;
  if (depth > 4) return false;
  if (/\.opened\b/.test(m.text(e))) return true;
  let target: TsNode = e;
  while (ts.isPropertyAccessExpression(target) || ts.isParenthesizedExpression(target) || ts.isAwaitExpression(target)) target = target.expression;
  if (!ts.isIdentifier(target)) return false;
  // `const { readable } = await wss.opened`: the initializer is the destructured one's.
  const init = m.initializerOf(target);
  return init !== null && fromOpened(m, init, depth + 1);
}

/** Sends and receives on WebSocket-like connections, in source order. */
function findUses(m: TsModule): Use[] {
  const ts = m.ts;
  const out: Use[] = [];
  const stack: TsNode[] = [m.sf];
  const all: TsNode[] = [];
  while (stack.length) {
    const n = stack.pop() as TsNode;
    all.push(n);
    const kids: TsNode[] = [];
    n.forEachChild((c) => {
      kids.push(c);
    });
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i] as TsNode);
  }
  for (const n of all) {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
      const method = n.expression.name.text;
      const recv = n.expression.expression;
      if (SEND_METHODS.has(method)) {
        const info = resolveSocket(m, recv);
        if (info) out.push({ call: n, socket: recv, info, kind: 'send', frameworkReason: null });
      } else if (method === 'write' || method === 'read') {
        const why = streamReason(m, recv);
        if (why) out.push({ call: n, socket: recv, info: null, kind: method === 'write' ? 'send' : 'receive', frameworkReason: why });
      }
    }
    // Configured receives (`receiveMethods`): `ws.nextMessage()`, `nextMessage(ws)`.
    const received = configuredReceive(m, n);
    if (received) {
      const info = resolveSocket(m, received);
      if (info) out.push({ call: n, socket: received, info, kind: 'receive', frameworkReason: null });
      continue;
    }
    // for await (const [data] of on(ws, 'message')) / await once(ws, 'message')
    if (ts.isCallExpression(n) && n.arguments.length >= 2 && n.arguments[0] !== undefined) {
      const sock = n.arguments[0];
      if (isReceiveIterable(m, n, null) || isOnceMessage(m, n)) {
        const info = resolveSocket(m, sock);
        if (info) out.push({ call: n, socket: sock, info, kind: 'receive', frameworkReason: null });
      }
    }
  }
  return out;
}

function isOnceMessage(m: TsModule, n: TsNode): boolean {
  const ts = m.ts;
  if (!ts.isCallExpression(n)) return false;
  const callee = n.expression;
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  const root = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) ? callee.expression.text : '';
  const imp = m.imports.get(root);
  const arg = n.arguments[1];
  return name === 'once' && !!imp && /^(node:)?events$/.test(imp.module) && !!arg && ts.isStringLiteral(arg) && arg.text === 'message';
}

/** The loop a receive iterable drives: `for await (… of on(ws, 'message'))` is itself the loop. */
function loopOfUse(m: TsModule, u: Use): TsNode | null {
  const ts = m.ts;
  const p = u.call.parent;
  if (u.kind === 'receive' && p && ts.isForOfStatement(p) && p.expression === u.call) return p;
  return owningLoop(m, u.call);
}

function findSuppressions(m: TsModule, file: string): Suppression[] {
  const out: Suppression[] = [];
  if (!m.source.includes('handshake-guard:')) return out;
  const ts = m.ts;
  // Comments as the scanner sees them, so that a string holding the text is never one.
  const seen = new Set<number>();
  const visit = (pos: number): void => {
    for (const ranges of [ts.getLeadingCommentRanges(m.source, pos), ts.getTrailingCommentRanges(m.source, pos)]) {
      for (const r of ranges ?? []) {
        if (seen.has(r.pos)) continue;
        seen.add(r.pos);
        const text = m.source.slice(r.pos, r.end);
        const s = parseSuppression(text);
        if (s) out.push({ file, line: m.position(r.pos).line, rules: s.rules as RuleId[], reason: s.reason, used: false });
      }
    }
  };
  const stack: TsNode[] = [m.sf];
  while (stack.length) {
    const n = stack.pop() as TsNode;
    visit(n.pos);
    visit(n.end);
    n.forEachChild((c) => {
      stack.push(c);
    });
  }
  return out.sort((a, b) => a.line - b.line);
}

/** A file the prefilter lets through for its syntax only: parsed (the depth limit applies), nothing else. */
function syntaxOnly(ts: TS, file: string, absPath: string, source: string): FileAnalysis {
  const sf = parseSource(ts, absPath, source);
  const analysis: FileAnalysis = { file, absPath, language: languageOfFile(file), skipped: null, syntax: syntaxProblems(ts, sf), loops: [], issues: [], suppressions: [], lines: [] };
  return withLazyLines(analysis, source);
}

/** The other files a loop's guard search went into, as its `dependsOn` (nothing when none, or not asked). */
function dependsOn(into: ReadonlySet<string> | null, own: string): { dependsOn?: string[] } {
  const files = into ? [...into].filter((f) => f !== own).sort() : [];
  return files.length > 0 ? { dependsOn: files } : {};
}

export function analyzeTypeScript(file: string, absPath: string, source: string, opts: TsAnalysisOptions): FileAnalysis {
  if (opts.prefilter !== false && !needsScriptAnalysis(source, opts.project.names.receiveMethods)) return syntaxOnly(opts.project.ts, file, absPath, source);
  const m = opts.project.module(absPath, source) as TsModule;
  const ts = m.ts;
  const language = languageOfFile(file);
  const esm = /\.m[jt]s$/i.test(file) || m.sf.statements.some((s) => ts.isImportDeclaration(s) || ts.isExportDeclaration(s) || ts.isExportAssignment(s));
  // A declaration file is ambient: no statement runs, so no loop can send (Cloudflare's generated
  // worker-configuration.d.ts is 0.5–2 MB of types). It is still parsed for the syntax row.
  const ambient = /\.d\.[cm]?ts$/i.test(file);
  const direct = ambient ? [] : findUses(m);
  const uses = [...direct, ...viaUses(m, direct)];
  const byLoop = new Map<TsNode, Use[]>();
  for (const u of uses) {
    const loop = loopOfUse(m, u);
    if (!loop) continue;
    const list = byLoop.get(loop);
    if (list) list.push(u);
    else byLoop.set(loop, [u]);
  }
  const issues: FrontEndIssue[] = ambient ? [] : findPlatformIssues(m);
  // A Cloudflare server end used before accept() (HG012), a Deno socket used before the upgrade
  // response (HG013): not open there, whatever else the loop shows (a receive before it can only wait).
  const platformAt = new Map(issues.filter((i) => i.ruleId === 'HG012' || i.ruleId === 'HG013').map((i) => [`${i.span.start.line}:${i.span.start.column}`, i.ruleId]));
  const platformRule = (u: Use): string | undefined => platformAt.get(`${m.span(u.call).start.line}:${m.span(u.call).start.column}`);
  const loops: MessageLoop[] = [];
  for (const [loop, list] of byLoop) {
    const ordered = [...list].sort((a, b) => a.call.getStart(m.sf) - b.call.getStart(m.sf));
    // Sends on a socket that may be CONNECTING, with no sign it opened, need a guard.
    const risky = ordered.find((u) => u.kind === 'send' && u.info?.kind === 'client' && openEvidence(m, u.call, u.socket) === null);
    const early = risky ? undefined : ordered.find((u) => platformRule(u) !== undefined);
    const use = risky ?? early ?? ordered[0];
    if (!use) continue;
    const callback = isForEach(m, loop) ? ((loop as unknown as { arguments: readonly TsNode[] }).arguments[0] as TsNode) : null;
    let guard;
    const into = opts.dependencies === true ? new Set<string>() : null;
    if (risky) {
      opts.project.resolvedInto = into;
      const emitter = risky.info?.emitter ?? false;
      const guardHelpers = opts.guardHelpers ?? [];
      guard = findGuard({ m, use: risky.call, loop, callback, socket: risky.socket, emitter, guardHelpers });
      if (risky.via) {
        // The send helper's own guard, before its send, runs at every call (SPEC §3: a repository
        // function the loop calls, one level deep): the call site is guarded as the send inside is.
        const inside = findGuard({ m, use: risky.via.inner, loop: risky.via.fn, callback: null, socket: risky.via.innerSocket, emitter, guardHelpers });
        if (GUARD_RANK[inside.kind] > GUARD_RANK[guard.kind]) guard = { ...inside, helper: inside.helper ?? risky.via.name };
      }
      // A socket the function is given, or shares with its callers: what their calls leave it.
      const fn = GUARD_RANK[guard.kind] < GUARD_RANK.polling ? enclosingFunction(m, loop) : null;
      const outer = fn ? callerGuard(m, fn, risky.socket, { emitter, guardHelpers }) : null;
      if (outer && GUARD_RANK[outer.kind] > GUARD_RANK[guard.kind]) guard = outer;
      opts.project.resolvedInto = null;
    } else if (early) {
      // HG012/HG013 report it (the specific rule): the loop has no guard.
      const rule = platformRule(early);
      guard = {
        kind: 'none' as const,
        span: null,
        fingerprint: null,
        summary: rule === 'HG012' ? `${m.brief(use.socket, 40)} used before accept() (HG012)` : `${m.brief(use.socket, 40)} used before the upgrade response is returned (HG013)`,
        helper: null,
        frameworkReason: null,
        parts: noParts(),
        unboundNames: [],
      };
    } else {
      const reason =
        use.frameworkReason ??
        (use.info?.kind === 'framework' ? use.info.reason : null) ??
        (use.info?.kind === 'cf-server' ? `${use.info.reason}: open once accepted (HG012 checks accept())` : null) ??
        (ordered.every((u) => u.kind === 'receive') ? 'receive-only loop: receiving waits for open' : openEvidence(m, use.call, use.socket)) ??
        'open by construction';
      guard = {
        kind: 'framework' as const,
        span: m.span(loop),
        fingerprint: null,
        summary: reason,
        helper: null,
        frameworkReason: reason,
        parts: noParts(),
        unboundNames: [],
      };
    }
    // A send is named by its callee (`ws.send`); a receive by the whole call (`on(ws, 'message')`).
    const sendCall = use.via?.inner ?? use.call;
    const callee = ts.isCallExpression(sendCall) && use.kind === 'send' ? sendCall.expression : sendCall;
    const confidence: Confidence = language === 'javascript' || use.info?.byName ? 'low' : use.info?.typed === false ? 'medium' : 'high';
    const stmt = ts.isCallExpression(loop) && loop.parent && ts.isExpressionStatement(loop.parent) ? loop.parent : loop;
    const model: MessageLoop = {
      file,
      language,
      // The socket's origin; a WebSocketStream's reader/writer has no SocketInfo: it is the global.
      framework: use.info?.framework ?? (use.frameworkReason ? globalFramework(m) : 'unknown'),
      function: qualifiedName(m, loop),
      span: m.span(stmt),
      text: (m.text(stmt).split(/\r?\n/)[0] ?? '').replace(/\s+/g, ' ').trim(),
      receive: { span: m.span(use.call), call: m.brief(callee, 60), connection: m.brief(use.socket, 60), via: use.via?.name ?? null },
      guard,
      confidence,
      // Where the guard would go: before a `forEach`, in the function around it.
      inAsyncFunction: isAsync(m, callback ? loop : use.call, esm),
      ...dependsOn(into, absPath),
    };
    // What `fix` would say of it, with the fixer's own checks, while the tree is at hand (a finding's `fixable`).
    const refusal = guard.kind !== 'framework' && guard.kind !== 'polling' ? scriptFixRefusal(ts, m.sf, model, issues) : null;
    if (refusal) model.fixRefusal = refusal;
    loops.push(model);
  }
  loops.sort((a, b) => a.span.start.line - b.span.start.line || a.span.start.column - b.span.start.column);
  const analysis: FileAnalysis = {
    file,
    absPath,
    language,
    skipped: null,
    syntax: syntaxProblems(ts, m.sf),
    loops,
    issues,
    suppressions: findSuppressions(m, file),
    lines: [],
  };
  // Lines split when a report needs them (a code frame); the getter holds the text, not the tree.
  return withLazyLines(analysis, source);
}
