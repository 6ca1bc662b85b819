// Cloudflare: where the server end of a WebSocketPair is accepted (`server.accept()`,
// `ctx.acceptWebSocket(server)`, or handed to another accept), and whether an accept precedes a
// point on every path. Used by HG012 (platform.ts) and by sockets kept in a collection
// (collections.ts). The socket resolver is a parameter: sockets.ts asks this module too.
import type { TsNode } from './compiler.js';
import { bareExpression, type TsModule } from './module.js';
import type { SocketInfo } from './sockets.js';

export type Resolve = (m: TsModule, e: TsNode) => SocketInfo | null;

/** The server's own name, or a name bound to it (`const conn = Object.assign(server, { id })`). */
function refersTo(m: TsModule, e: TsNode | undefined, decl: TsNode, resolve: Resolve): boolean {
  return !!e && m.ts.isIdentifier(e) && (m.declarationOf(e.text, e) === decl || resolve(m, e)?.origin === decl);
}

/**
 * Whether `node` is `server.accept()`, `….acceptWebSocket(server…)`, or the socket handed to
 * another accept (`this.connections.accept(conn, tags)`, as partyserver's manager does).
 */
export function isAccept(m: TsModule, node: TsNode, decl: TsNode, resolve: Resolve): boolean {
  const ts = m.ts;
  if (!ts.isCallExpression(node)) return false;
  const callee = ts.isPropertyAccessExpression(node.expression) ? node.expression.name.text : ts.isIdentifier(node.expression) ? node.expression.text : '';
  // `(ws as unknown as { accept(): void }).accept()`: the cast names the same socket.
  if (callee === 'accept' && ts.isPropertyAccessExpression(node.expression) && refersTo(m, bareExpression(ts, node.expression.expression), decl, resolve)) return true;
  return /^accept/.test(callee) && node.arguments.some((a) => refersTo(m, a, decl, resolve));
}

/** `Object.assign(server, …)` names the socket again; it hands it to nobody. */
export function isAlias(m: TsModule, call: TsNode): boolean {
  return m.ts.isCallExpression(call) && m.text(call.expression) === 'Object.assign';
}

/**
 * Whether a resolved socket is open where `at` uses or stores it: a framework-guaranteed one, or a
 * Cloudflare socket an accept() precedes on every path (collections, fields).
 */
export function openAt(m: TsModule, info: SocketInfo | null, at: TsNode, resolve: Resolve): boolean {
  return !!info && (info.kind === 'framework' || (info.kind === 'cf-server' && acceptDominates(m, at, info.origin, resolve)));
}

/** Whether a statement that precedes `use` on every path (up through enclosing blocks and callbacks) accepts. */
export function acceptDominates(m: TsModule, use: TsNode, decl: TsNode, resolve: Resolve): boolean {
  const ts = m.ts;
  let cur = use;
  while (cur.parent) {
    const p: TsNode = cur.parent;
    if (ts.isBlock(p) || ts.isSourceFile(p) || ts.isCaseClause(p)) {
      const list = p.statements as readonly TsNode[];
      for (let i = list.indexOf(cur) - 1; i >= 0; i--) {
        const s = list[i] as TsNode;
        // Only an unconditional statement accepts on every path (`if (flag) server.accept()` does not).
        // `server.accept()`, `conn = manager.accept(conn)`, `const c = await accept(server)`.
        const exprs: TsNode[] = ts.isExpressionStatement(s) ? [s.expression] : ts.isVariableStatement(s) ? s.declarationList.declarations.flatMap((d) => (d.initializer ? [d.initializer] : [])) : [];
        for (let e of exprs) {
          while (ts.isAwaitExpression(e) || ts.isParenthesizedExpression(e)) e = e.expression;
          if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) e = e.right;
          while (ts.isAwaitExpression(e) || ts.isParenthesizedExpression(e)) e = e.expression;
          if (isAccept(m, e, decl, resolve)) return true;
        }
      }
    }
    if (p === m.scopeOf(decl)) break;
    cur = p;
  }
  return false;
}

