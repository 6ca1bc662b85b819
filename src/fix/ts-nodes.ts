// Small structural questions the TS/JS fixer asks of the syntax tree: which statement holds a
// node, whether a statement is an unbraced body, what a `break` there would leave.
import type { TS, TsNode, TsSourceFile } from '../languages/typescript/compiler.js';

/** Block-like parents whose statements a guard can be inserted between. */
export function isStatementList(ts: TS, n: TsNode | undefined): boolean {
  return !!n && (ts.isBlock(n) || ts.isSourceFile(n) || ts.isCaseClause(n) || ts.isDefaultClause(n) || ts.isModuleBlock(n));
}

/** True when `n` is the unbraced body of an `if`/`else` or a loop. */
export function isUnbracedBody(ts: TS, n: TsNode): boolean {
  const p = n.parent;
  if (!p || ts.isBlock(n)) return false;
  if (ts.isIfStatement(p)) return p.thenStatement === n || p.elseStatement === n;
  return ts.isIterationStatement(p, false) && p.statement === n;
}

/** Every node starting at (line, column), 1-based, in pre-order (outermost first): the model points at code by its start. */
function nodesStartingAt(sf: TsSourceFile, line: number, column: number): TsNode[] {
  const pos = sf.getPositionOfLineAndCharacter(line - 1, column - 1);
  const found: TsNode[] = [];
  const visit = (n: TsNode): void => {
    if (n.getStart(sf) === pos) found.push(n);
    if (n.pos <= pos && pos < n.end) n.forEachChild(visit);
  };
  visit(sf);
  return found;
}

/** The outermost statement starting at (line, column) — where the model's loops start. */
export function statementAt(ts: TS, sf: TsSourceFile, line: number, column: number): TsNode | null {
  return nodesStartingAt(sf, line, column).find((n) => ts.isStatement(n)) ?? null;
}

/** The call that starts at (line, column) — a send as the model points at it — or null. */
export function callStartingAt(ts: TS, sf: TsSourceFile, line: number, column: number): TsNode | null {
  return nodesStartingAt(sf, line, column).find((n) => ts.isCallExpression(n)) ?? null;
}

/** The innermost node that starts at (line, column) — the start of a guard or a send. */
export function nodeStartingAt(sf: TsSourceFile, line: number, column: number): TsNode | null {
  return nodesStartingAt(sf, line, column).at(-1) ?? null;
}

/** What neither `return` nor `break` crosses: any function (ts.isFunctionLike) or a class static block. */
function isFunctionOrStaticBlock(ts: TS, n: TsNode): boolean {
  return ts.isFunctionLike(n) || ts.isClassStaticBlockDeclaration(n);
}

export function isInside(inner: TsNode, outer: TsNode): boolean {
  for (let n: TsNode | undefined = inner; n; n = n.parent) if (n === outer) return true;
  return false;
}

/**
 * Why a `break` at `stmt` would not leave `loop` (a function, a `switch` or another loop in
 * between), or null when it leaves exactly that loop. `subject` names `stmt` in the message.
 */
export function breakRefusal(ts: TS, stmt: TsNode, loop: TsNode, subject: string): string | null {
  if (!ts.isIterationStatement(loop, false)) return 'the message loop is a callback (forEach), which a `break` cannot leave';
  for (let n = stmt.parent; n && n !== loop; n = n.parent) {
    if (isFunctionOrStaticBlock(ts, n)) return `${subject} is inside a callback, which a \`break\` cannot leave`;
    if (ts.isCaseClause(n) || ts.isDefaultClause(n)) return `${subject} is inside a \`switch\`, where \`break\` leaves the switch, not the loop`;
    if (ts.isIterationStatement(n, false)) return `${subject} is inside an inner loop`;
  }
  return isInside(stmt, loop.statement) ? null : `${subject} is not in the body of the loop`;
}

/** The function around a node, or null at module top level. */
export function enclosingFunction(ts: TS, node: TsNode): TsNode | null {
  for (let n = node.parent; n; n = n.parent) if (isFunctionOrStaticBlock(ts, n)) return n;
  return null;
}
