// Where a failing TS/JS loop's guard goes. In an async function: before the loop statement, and
// the guard returns. At module top level (ES modules only, see ts-esm.ts): before the send, inside
// the loop, before the body's statement that holds the send (so every send of the iteration is
// guarded), and the guard breaks — `return` is not allowed there. `--placement per-message` puts a
// function's guard there too (it returns); `--placement before-loop` is refused at the top level,
// where nothing could leave the module. A statement that is the unbraced body of an
// `if`/`else`/loop is wrapped in braces so the guard has a block to go in.
import type { MessageLoop } from '../model.js';
import type { TS, TsNode, TsSourceFile } from '../languages/typescript/compiler.js';
import { enclosingFunction, isInside, isStatementList, isUnbracedBody, nodeStartingAt, statementAt } from './ts-nodes.js';
import { topLevelAwaitRefusal } from './ts-esm.js';
import type { TsTarget } from './ts-target.js';

export interface TsSite {
  /** The guard goes right before this statement. */
  stmt: TsNode;
  /** The statement is an unbraced body: it gets braces, the guard goes first inside them. */
  wrap: boolean;
  leave: 'return' | 'break';
}

export interface SiteContext {
  ts: TS;
  sf: TsSourceFile;
  absPath: string;
  target: TsTarget;
  /** `--placement`, or null for the default above. */
  placement: 'per-message' | 'before-loop' | null;
}

/** A labeled loop moves with its label. */
function withLabels(ts: TS, n: TsNode): TsNode {
  let s = n;
  while (s.parent && ts.isLabeledStatement(s.parent)) s = s.parent;
  return s;
}

function placed(ts: TS, stmt: TsNode, leave: 'return' | 'break'): TsSite | string {
  if (isStatementList(ts, stmt.parent)) return { stmt, wrap: false, leave };
  if (isUnbracedBody(ts, stmt)) return { stmt, wrap: true, leave };
  return 'the statement to guard is neither in a block nor the body of an if/else or a loop';
}

/** The statement of the loop body that holds the send (every send of the iteration comes after it). */
function sendStatement(c: SiteContext, loop: MessageLoop, loopStmt: TsNode, where: string): TsNode | string {
  const { ts, sf } = c;
  if (!ts.isIterationStatement(loopStmt, false)) return `${where}: the message loop is a callback (forEach), which a \`${where === 'top-level loop' ? 'break' : 'return'}\` cannot leave`;
  const send = nodeStartingAt(sf, loop.receive.span.start.line, loop.receive.span.start.column);
  const body = loopStmt.statement;
  if (!send || !isInside(send, body)) return `${where}: the send is not in the body of the loop`;
  let stmt: TsNode = send;
  if (!ts.isBlock(body)) stmt = body;
  else while (stmt.parent && stmt.parent !== body) stmt = stmt.parent;
  return stmt;
}

/** The default site of a loop inside a function: before the loop statement (with its labels), leaving with `return`. */
export function beforeLoopSite(ts: TS, loopStmt: TsNode): TsSite | string {
  return placed(ts, withLabels(ts, loopStmt), 'return');
}

export function insertSite(c: SiteContext, loop: MessageLoop): TsSite | string {
  const { ts, sf } = c;
  const found = statementAt(ts, sf, loop.span.start.line, loop.span.start.column);
  if (!found) return 'could not locate the loop in the file';
  const loopStmt = found;
  if (enclosingFunction(ts, loopStmt) !== null) {
    if (!loop.inAsyncFunction) return 'the loop is not inside an async function (the guard awaits)';
    if (c.placement !== 'per-message') return beforeLoopSite(ts, loopStmt);
    const stmt = sendStatement(c, loop, loopStmt, 'per-message');
    return typeof stmt === 'string' ? stmt : placed(ts, stmt, 'return');
  }
  if (c.placement === 'before-loop') return 'top-level loop: a guard before it could not leave the module (`return` is not allowed there); use --placement per-message';
  const esm = topLevelAwaitRefusal(ts, sf, c.absPath);
  if (esm) return esm;
  if (c.target.onTimeout === 'return') return "top-level loop: the group's guards return on timeout, which a top-level guard cannot; run fix --upgrade (the canonical block breaks)";
  const stmt = sendStatement(c, loop, loopStmt, 'top-level loop');
  return typeof stmt === 'string' ? stmt : placed(ts, stmt, 'break');
}
