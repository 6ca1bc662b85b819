// Platform problems that belong to no message loop (SPEC §3b):
// HG012 — Cloudflare: the server end of a WebSocketPair used with no dominating accept();
// HG013 — Deno: waiting for open, or sending, in the Deno.upgradeWebSocket handler before the response is returned.
import type { FrontEndIssue } from '../../model.js';
import type { TsNode } from './compiler.js';
import { ancestor, descendants, isFunctionLike, type TsModule } from './module.js';
import { denoSocketOf, FETCH_UPGRADE_SOCKET, isDenoUpgrade, resolveSocket } from './sockets.js';
import { acceptDominates, isAccept, isAlias } from './cf-accept.js';

/**
 * Calls that need no accept: attachments, and listeners (the runtime delivers events only once
 * the socket is accepted — hono registers them first).
 */
const NOT_USES = new Set(['serializeAttachment', 'deserializeAttachment', 'addEventListener', 'removeEventListener']);

/** A use inside a function nested in the one that declares the socket runs later (a callback, a getter). */
function deferred(m: TsModule, use: TsNode, decl: TsNode): boolean {
  const fn = (n: TsNode): TsNode | null => ancestor(n, (a) => isFunctionLike(m.ts, a));
  return fn(use) !== fn(decl);
}

function cloudflare(m: TsModule): FrontEndIssue[] {
  const ts = m.ts;
  const out: FrontEndIssue[] = [];
  if (!m.source.includes('WebSocketPair')) return out;
  // handedOff: given to a function that may accept it (where this file cannot see): never "never accepted".
  const servers = new Map<TsNode, { name: string; uses: TsNode[]; accepted: boolean; handedOff: boolean; fetched: boolean }>();
  const stack: TsNode[] = [m.sf];
  const ids: TsNode[] = [];
  while (stack.length) {
    const n = stack.pop() as TsNode;
    if (ts.isIdentifier(n)) ids.push(n);
    n.forEachChild((c) => {
      stack.push(c);
    });
  }
  for (const id of ids) {
    if (!ts.isIdentifier(id)) continue;
    const p = id.parent;
    if (!p || (ts.isBindingElement(p) && p.name === id) || (ts.isPropertyAccessExpression(p) && p.name === id)) continue;
    const info = resolveSocket(m, id);
    if (!info || info.kind !== 'cf-server') continue;
    const decl = info.origin;
    const entry = servers.get(decl) ?? { name: id.text, uses: [], accepted: false, handedOff: false, fetched: info.reason === FETCH_UPGRADE_SOCKET };
    // Named in messages by its own name, not an alias's (`conn = Object.assign(server, …)`).
    if (m.declarationOf(id.text, id) === decl) entry.name = id.text;
    servers.set(decl, entry);
    if (ts.isPropertyAccessExpression(p) && p.expression === id && p.parent && ts.isCallExpression(p.parent)) {
      if (p.name.text === 'accept') entry.accepted = true;
      else if (!NOT_USES.has(p.name.text) && !deferred(m, p, decl)) entry.uses.push(p.parent);
    } else if (ts.isCallExpression(p) && isAccept(m, p, decl, resolveSocket)) entry.accepted = true;
    else if (ts.isCallExpression(p) && p.arguments.some((a) => a === id) && !isAlias(m, p)) entry.handedOff = true;
  }
  for (const [decl, s] of servers) {
    const uses = s.uses.sort((a, b) => a.pos - b.pos);
    const bad = uses.filter((u) => !acceptDominates(m, u, decl, resolveSocket));
    // The first use before accept(), and the first in each other loop: a message loop whose own
    // sends run before accept() fails on its own finding (one suppressed earlier use leaves it).
    const loopOf = (u: TsNode): TsNode | null => ancestor(u, (a) => ts.isIterationStatement(a, false) || isFunctionLike(ts, a));
    const seen = new Set<TsNode | null>();
    for (const use of bad) {
      const loop = loopOf(use);
      const key = loop && ts.isIterationStatement(loop, false) ? loop : null;
      if (seen.size > 0 && (key === null || seen.has(key))) continue;
      seen.add(key);
      out.push({
        ruleId: 'HG012',
        span: m.span(use),
        message: s.fetched
          ? `the WebSocket \`${s.name}\` of a fetch() Upgrade response is used (\`${m.brief(use, 50)}\`) before \`${s.name}.accept()\`; call \`${s.name}.accept()\` first`
          : `the server end \`${s.name}\` of a WebSocketPair is used (\`${m.brief(use, 50)}\`) before \`${s.name}.accept()\`; call \`${s.name}.accept()\` (or \`ctx.acceptWebSocket(${s.name})\`) first`,
      });
    }
    if (bad.length > 0) continue;
    if (!s.accepted && !s.handedOff) {
      out.push({ ruleId: 'HG012', span: m.span(decl), message: `the server end \`${s.name}\` of a WebSocketPair is never accepted; call \`${s.name}.accept()\` (or \`ctx.acceptWebSocket(${s.name})\`) before returning the 101 response` });
    }
  }
  return out;
}

function deno(m: TsModule): FrontEndIssue[] {
  const ts = m.ts;
  const out: FrontEndIssue[] = [];
  if (!m.source.includes('upgradeWebSocket')) return out;
  for (const call of descendants(ts, m.sf, true)) {
    if (!isDenoUpgrade(m, call)) continue;
    const fn = ancestor(call, (n) => isFunctionLike(ts, n));
    const decl = call.parent;
    if (!fn || !decl || !ts.isVariableDeclaration(decl)) continue;
    const body = descendants(ts, fn);
    const returned = body.find((n) => ts.isReturnStatement(n) && n.pos > call.pos);
    const before = (n: TsNode): boolean => n.pos > call.end && (!returned || n.pos < returned.pos);
    // The socket: `const { socket, response } = …`, `const up = …; up.socket`, or a `const` bound to either (`const ws = up.socket`).
    const isSocket = (e: TsNode): boolean => denoSocketOf(m, e) === call;
    for (const n of body) {
      if (!before(n)) continue;
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'send' && isSocket(n.expression.expression)) {
        out.push({ ruleId: 'HG013', span: m.span(n), message: `\`${m.brief(n, 50)}\` runs in the Deno.upgradeWebSocket handler before the response is returned: the socket is CONNECTING until then, so send throws; send from \`socket.onopen\`` });
      }
      if (ts.isAwaitExpression(n)) {
        if (waitsForOpen(m, n, isSocket)) {
          out.push({ ruleId: 'HG013', span: m.span(n), message: `\`${m.brief(n, 50)}\` waits for the socket to open inside the Deno.upgradeWebSocket handler, but it opens only after the response is returned: a deadlock; return \`response\` and work in \`socket.onopen\`` });
        }
      }
    }
  }
  return out;
}

/** An awaited open wait on the socket: `once(socket, 'open')`, a promise on `onopen`/'open', or a helper given the socket. */
function waitsForOpen(m: TsModule, awaitNode: TsNode, isSocket: (e: TsNode) => boolean): boolean {
  const ts = m.ts;
  const inner = [awaitNode, ...descendants(ts, awaitNode, true)];
  return inner.some((n) => {
    if (ts.isCallExpression(n)) {
      const arg0 = n.arguments[0];
      const a1 = n.arguments[1];
      if (arg0 && isSocket(arg0) && a1 && ts.isStringLiteral(a1) && a1.text === 'open') return true; // once(socket, 'open')
      if (ts.isPropertyAccessExpression(n.expression) && isSocket(n.expression.expression) && arg0 && ts.isStringLiteral(arg0) && arg0.text === 'open') return true; // socket.addEventListener('open', …)
      // waitForOpen(socket): a helper handed the socket, by its name
      if (arg0 && isSocket(arg0) && /open|ready|connect/i.test(m.text(n.expression))) return true;
    }
    if (ts.isBinaryExpression(n) && ts.isPropertyAccessExpression(n.left) && n.left.name.text === 'onopen' && isSocket(n.left.expression)) return true;
    return false;
  });
}

export function findPlatformIssues(m: TsModule): FrontEndIssue[] {
  return [...cloudflare(m), ...deno(m)].sort((a, b) => a.span.start.line - b.span.start.line);
}
