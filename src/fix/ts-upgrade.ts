// `fix --upgrade` for TS/JS: the region of an existing guard to replace with the target block —
// the setup declarations right above it that only it uses, the wait itself, and the re-check
// right after it that leaves (`if (ws.readyState !== WebSocket.OPEN) { …; return }`).
import type { MessageLoop } from '../model.js';
import type { TS, TsNode, TsSourceFile } from '../languages/typescript/compiler.js';
import { helperGuardRefusal } from './refusals.js';
import { lineEndAfterBreak, lineStart } from './text-style.js';
import { breakRefusal, enclosingFunction, isInside, isStatementList, nodeStartingAt, statementAt } from './ts-nodes.js';

export interface TsRegion {
  start: number;
  end: number;
  indent: string;
  leave: 'return' | 'break';
}

function exits(ts: TS, s: TsNode): boolean {
  const last = ts.isBlock(s) ? s.statements[s.statements.length - 1] : s;
  return !!last && (ts.isReturnStatement(last) || ts.isBreakStatement(last) || ts.isThrowStatement(last) || ts.isContinueStatement(last));
}

/** Names a statement declares (`const start = …`, `const ok = await …`). */
function declaredNames(ts: TS, s: TsNode): string[] {
  if (!ts.isVariableStatement(s)) return [];
  return s.declarationList.declarations.flatMap((d) => (ts.isIdentifier(d.name) ? [d.name.text] : [d.name.getText()]));
}

const word = (name: string): RegExp => new RegExp(`(?<![\\w$])${name.replace(/[$]/g, '\\$')}(?![\\w$])`);

export function upgradeRegion(ts: TS, sf: TsSourceFile, text: string, loop: MessageLoop): TsRegion | string {
  const helper = helperGuardRefusal(loop);
  if (helper) return helper;
  const span = loop.guard.span;
  const node = span ? nodeStartingAt(sf, span.start.line, span.start.column) : null;
  const loopStmt = statementAt(ts, sf, loop.span.start.line, loop.span.start.column);
  const send = nodeStartingAt(sf, loop.receive.span.start.line, loop.receive.span.start.column);
  if (!node || !loopStmt || !send) return 'could not locate the polling guard';
  let stmt: TsNode = node;
  while (stmt.parent && !isStatementList(ts, stmt.parent)) stmt = stmt.parent;
  // `try { await once(ws, 'open', { signal }) } catch { … }`: the whole try is the guard.
  const tryStmt = stmt.parent?.parent;
  if (tryStmt && ts.isTryStatement(tryStmt) && tryStmt.tryBlock === stmt.parent && tryStmt.tryBlock.statements.length === 1 && !tryStmt.finallyBlock) stmt = tryStmt;
  const list = stmt.parent;
  if (!list || !isStatementList(ts, list) || isInside(send, stmt)) return 'the guard is part of a larger statement (a loop condition or an expression); rewrite it by hand';
  const siblings = (list as TsNode & { statements: readonly TsNode[] }).statements;
  const at = siblings.indexOf(stmt);
  let last = at;
  const next = siblings[at + 1];
  if (next && ts.isIfStatement(next) && !next.elseStatement && /\breadyState\b/.test(next.expression.getText(sf)) && exits(ts, next.thenStatement) && !isInside(send, next)) last = at + 1;
  const after = text.slice((siblings[last] as TsNode).end, list.end);
  const usedAfter = (s: TsNode): string | undefined => declaredNames(ts, s).find((n) => word(n).test(after));
  // Setup: declarations right above that the wait uses and nothing after it (the socket is not one).
  let first = at;
  for (let i = at - 1; i >= 0; i--) {
    const s = siblings[i] as TsNode;
    const names = declaredNames(ts, s);
    if (names.length === 0 || !names.every((n) => word(n).test(stmt.getText(sf))) || usedAfter(s)) break;
    first = i;
  }
  const region = siblings.slice(first, last + 1);
  for (const s of region) {
    const n = usedAfter(s);
    if (n) return `\`${n}\` is used after the guard; rewrite it by hand`;
  }
  const firstNode = region[0] as TsNode;
  const lastNode = region[region.length - 1] as TsNode;
  const start = lineStart(text, firstNode.getStart(sf));
  const indent = text.slice(start, firstNode.getStart(sf));
  const end = lineEndAfterBreak(text, lastNode.end);
  if (indent.trim() !== '' || text.slice(lastNode.end, end).trim() !== '') return 'the guard shares its lines with other code';
  let leave: 'return' | 'break';
  if (isInside(stmt, loopStmt)) {
    const refusal = breakRefusal(ts, stmt, loopStmt, 'the guard');
    if (refusal) return refusal;
    leave = 'break';
  } else if (enclosingFunction(ts, stmt)) leave = 'return';
  else return 'the guard is before a top-level loop, where neither `return` nor `break` can leave; move it into the loop';
  return { start, end, indent, leave };
}
