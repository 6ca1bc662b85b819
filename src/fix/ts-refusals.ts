// Loops the TS/JS fixer leaves alone because a readyState wait there would change what the code
// does instead of making it safe. Each answer is the reason `fix` prints for the loop.
import type { FixRefusal, FrontEndIssue, MessageLoop, Position, Span } from '../model.js';
import type { TS, TsNode, TsSourceFile } from '../languages/typescript/compiler.js';
import { descendants } from '../languages/typescript/module.js';
import { callStartingAt, enclosingFunction, statementAt } from './ts-nodes.js';
import { beforeLoopSite } from './ts-sites.js';

const before = (a: Position, b: Position): boolean => a.line < b.line || (a.line === b.line && a.column <= b.column);
const within = (p: Position, s: Span): boolean => before(s.start, p) && before(p, s.end);

/**
 * `this.ws?.send(m)`: the socket may be null or undefined there, and then the loop is a no-op. The
 * guard reads `this.ws.readyState`, which would throw; one that skipped a missing socket would
 * still turn the no-op into a wait. Neither is the code's meaning.
 */
export function optionalChainRefusal(ts: TS, sf: TsSourceFile, loop: MessageLoop): string | null {
  const { receive } = loop;
  const call = callStartingAt(ts, sf, receive.span.start.line, receive.span.start.column);
  const optional = receive.call.includes('?.') || receive.connection.includes('?.') || (call !== null && ts.isOptionalChain(call));
  return optional ? `the send \`${receive.call}\` is optional-chained: where \`${receive.connection.replace(/\?$/, '')}\` is null or undefined the loop does nothing, and a guard reading its readyState would throw; guard it by hand` : null;
}

/**
 * HG013: a Deno.upgradeWebSocket socket stays CONNECTING until the handler returns its `response`,
 * so a wait before that return can only time out (and its `return;` would leave the handler
 * without the response). HG012: a Cloudflare server end needs `accept()`, not a wait.
 */
export function openBeforeResponseRefusal(loop: MessageLoop, issues: readonly FrontEndIssue[]): string | null {
  const spans = [loop.span, ...(loop.guard.span ? [loop.guard.span] : [])];
  const hit = issues.find((i) => (i.ruleId === 'HG013' || i.ruleId === 'HG012') && spans.some((s) => within(i.span.start, s)));
  if (hit?.ruleId === 'HG012') {
    // A WebSocketPair's server end is not CONNECTING: it is not accepted. No wait opens it.
    return `HG012 (line ${hit.span.start.line}): the server end is used before \`accept()\`, which no wait replaces; call \`server.accept()\` (or \`ctx.acceptWebSocket(server)\`) before it`;
  }
  return hit ? `HG013 (line ${hit.span.start.line}): the socket opens only after the upgrade handler returns its response, so a wait here would never see it open; send from \`socket.onopen\` (or after the response is returned) instead` : null;
}

/** The first `return <value>` of a function's own body (not of functions nested in it). */
function valueReturn(ts: TS, fn: TsNode): TsNode | null {
  return descendants(ts, fn).find((n) => ts.isReturnStatement(n) && n.expression !== undefined) ?? null;
}

/**
 * A guard that leaves with a bare `return;` in a TS function that returns a value: the function
 * would return undefined on timeout, which its type does not say — an annotated type rejects it
 * (often only under the caller's tsconfig), an inferred one widens for every caller, in other
 * files too. Refused unless the annotated return type admits undefined. In JS that timeout path
 * returning undefined is the codemod's documented behaviour (test/typescript-e2e-ws.test.ts:
 * `sendAll` returns its socket, and undefined once the bound runs out), so it is not refused.
 */
export function valueReturnRefusal(ts: TS, sf: TsSourceFile, at: TsNode, loop: MessageLoop): string | null {
  if (!/\.[cm]?tsx?$/i.test(sf.fileName)) return null;
  const fn = enclosingFunction(ts, at);
  const ret = fn ? valueReturn(ts, fn) : null;
  if (!fn || !ret) return null;
  const declared = ts.isFunctionLike(fn) ? fn.type : undefined;
  if (declared && /\b(?:void|undefined|any|unknown)\b/.test(declared.getText(sf))) return null;
  const line = sf.getLineAndCharacterOfPosition(ret.getStart(sf)).line + 1;
  return `${loop.function} returns a value (line ${line}): the guard's \`return;\` on timeout would make it return undefined, which its return type does not include; guard it by hand`;
}

/** Whether `name` is declared anywhere inside `n` (a loop variable, a `const` in its body, a callback's parameter). */
function declaresInside(ts: TS, n: TsNode, name: string): boolean {
  return descendants(ts, n, true).some((c) => (ts.isVariableDeclaration(c) || ts.isParameter(c) || ts.isBindingElement(c)) && ts.isIdentifier(c.name) && c.name.text === name);
}

/**
 * A guard placed before the loop statement reads the socket there: one the loop itself declares
 * (`for (const ws of sockets)`, `const ws = new WebSocket(url)` in its body) is not in scope, or is
 * another binding of the same name. Said here, per loop, rather than by the re-scan refusing the file.
 */
export function scopeRefusal(ts: TS, loop: MessageLoop, stmt: TsNode): string | null {
  const root = /^[\w$]+/.exec(loop.receive.connection)?.[0];
  if (!root || root === 'this' || !declaresInside(ts, stmt, root)) return null;
  return `the socket \`${root}\` is declared inside the loop, so a guard before the loop cannot read it; guard it by hand inside the loop`;
}

/** The block reads and re-checks the socket by its text: a computed expression is not repeated. */
export function plainSocketRefusal(loop: MessageLoop): string | null {
  return /^[\w$.!?#]+$/.test(loop.receive.connection) ? null : `the connection \`${loop.receive.connection}\` is not a plain name or property`;
}

/**
 * What the front end can tell of `fix`'s verdict on a loop that may fail the policy, from the
 * syntax tree alone, with the planner's own checks (typescript.ts planWith, in its order): an
 * optional-chained send, HG012/HG013, a socket that is no plain name; then, for a loop inside a
 * function under the default placement (before the loop statement, leaving with `return`), a site
 * that is no statement list, a socket declared inside the loop, and a function that returns a value
 * (`unlessGroupThrows`: a group whose guards throw on timeout writes no `return;`). A loop at module
 * top level (ES module detection, the group's `onTimeout`) and an unbounded wait the block would
 * replace are left to the planner, as are `--placement`, the group's target and the type check.
 */
export function scriptFixRefusal(ts: TS, sf: TsSourceFile, loop: MessageLoop, issues: readonly FrontEndIssue[]): FixRefusal | null {
  const unsafe = optionalChainRefusal(ts, sf, loop) ?? openBeforeResponseRefusal(loop, issues) ?? plainSocketRefusal(loop);
  if (unsafe) return { reason: unsafe, unlessGroupThrows: false };
  const loopStmt = statementAt(ts, sf, loop.span.start.line, loop.span.start.column);
  if (!loopStmt || enclosingFunction(ts, loopStmt) === null || !loop.inAsyncFunction) return null;
  const site = beforeLoopSite(ts, loopStmt);
  if (typeof site === 'string') return { reason: site, unlessGroupThrows: false };
  if (loop.guard.kind === 'unbounded' && !loop.guard.helper) return null;
  const scope = scopeRefusal(ts, loop, site.stmt);
  if (scope) return { reason: scope, unlessGroupThrows: false };
  const value = valueReturnRefusal(ts, sf, loopStmt, loop);
  return value ? { reason: value, unlessGroupThrows: true } : null;
}
