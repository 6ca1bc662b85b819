// A loop's socket that the function around it is given (a parameter) or shares with the code
// around it (a captured name, `this.ws`) is as guarded as the calls of that function leave it
// (SPEC §3b): `await open(ws, 5000); await this.#runWS(ws)` guards the loop in `#runWS` with the
// caller's wait, and a socket every call passes open (a server's, `await connect(url)`'s) is open.
// Only calls this file makes are seen (`sockets.ts callsOf`: functions by name, instance methods by
// `this.m(…)`); a function handed on as a value may run with anything, and so has no caller guard.
import type { Guard } from '../../model.js';
import type { TsNode } from './compiler.js';
import { findGuard, GUARD_RANK, noParts, openEvidence } from './guards.js';
import { bareExpression, descendants, isFunctionLike, type TsModule } from './module.js';
import { callsOf, sameSocket, valueSocket } from './sockets.js';

/** How many functions up the calls are followed (`run` → `#runWS` → its `sendTask` closure). */
const MAX_DEPTH = 3;

export interface CallerSearch {
  emitter: boolean;
  guardHelpers: readonly string[];
}

function openGuard(m: TsModule, at: TsNode, reason: string): Guard {
  return {
    kind: 'framework',
    span: m.span(at),
    fingerprint: null,
    summary: reason,
    helper: null,
    frameworkReason: reason,
    parts: noParts(),
    unboundNames: [],
  };
}

/** Whether code in `fn` (nested functions too: they may run in between) may put another socket in the name. */
function writes(m: TsModule, fn: TsNode, socket: TsNode): boolean {
  const ts = m.ts;
  return descendants(ts, fn, true).some(
    (n) =>
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      n.operatorToken.kind <= ts.SyntaxKind.LastAssignment &&
      sameSocket(m, n.left, socket),
  );
}

/**
 * What the calls of `fn` guard `socket` (an expression inside it) with: the least guarded call's
 * guard — none < check < unbounded < polling < framework, the first call in the text among equals —,
 * or null when a call cannot be read (a function handed on, an argument missing or spread, a
 * socket the caller cannot place), when `fn` itself may put another socket in the name, or when
 * nothing calls it in this file.
 */
export function callerGuard(m: TsModule, fn: TsNode, socket: TsNode, s: CallerSearch, depth = 0): Guard | null {
  const ts = m.ts;
  if (depth >= MAX_DEPTH || !isFunctionLike(ts, fn)) return null;
  const sock = bareExpression(ts, socket);
  let index = -1;
  if (ts.isIdentifier(sock)) {
    const d = m.declarationOf(sock.text, sock);
    if (!d) return null;
    const params = (fn as { parameters?: readonly TsNode[] }).parameters ?? [];
    index = params.indexOf(d);
    if (index >= 0 && (params.slice(0, index + 1) as { dotDotDotToken?: TsNode }[]).some((p) => p.dotDotDotToken)) return null;
    // A name of the function's own (a local, a parameter other than by position): not the caller's.
    if (index < 0 && d.pos >= fn.pos && d.end <= fn.end) return null;
  } else if (!(ts.isPropertyAccessExpression(sock) && sock.expression.kind === ts.SyntaxKind.ThisKeyword)) {
    return null;
  }
  if (writes(m, fn, sock)) return null;
  const calls = callsOf(m, fn);
  if (!calls) return null;
  let least: Guard | null = null;
  for (const call of calls) {
    // A call inside the function itself passes on what it was given.
    if (call.pos >= fn.pos && call.end <= fn.end) continue;
    const args = (call as { arguments?: readonly TsNode[] }).arguments ?? [];
    let arg: TsNode = sock;
    if (index >= 0) {
      if (args.slice(0, index + 1).some((a) => ts.isSpreadElement(a))) return null;
      const a = args[index];
      if (!a) return null;
      arg = a;
      const info = valueSocket(m, a);
      if (!info) return null;
      if (info.kind === 'framework') {
        const g = openGuard(m, call, `${info.reason}, passed by the call at line ${m.span(call).start.line}`);
        least ??= g;
        continue;
      }
      if (info.kind !== 'client') return null;
    }
    const evidence = openEvidence(m, call, arg);
    let g: Guard = evidence
      ? openGuard(m, call, `${evidence} (the call at line ${m.span(call).start.line})`)
      : findGuard({ m, use: call, loop: call, callback: null, socket: arg, emitter: s.emitter, guardHelpers: s.guardHelpers });
    if (GUARD_RANK[g.kind] < GUARD_RANK.polling) {
      const outer = enclosingFunction(m, call);
      const up = outer ? callerGuard(m, outer, arg, s, depth + 1) : null;
      if (up && GUARD_RANK[up.kind] > GUARD_RANK[g.kind]) g = up;
    }
    if (!least || GUARD_RANK[g.kind] < GUARD_RANK[least.kind]) least = g;
  }
  return least;
}

function enclosingFunction(m: TsModule, node: TsNode): TsNode | null {
  let p = node.parent;
  while (p && !isFunctionLike(m.ts, p)) p = p.parent;
  return p ?? null;
}
