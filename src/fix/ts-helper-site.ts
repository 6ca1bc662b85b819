// Where the helper style's wait function goes in a TS/JS module: after the imports that open the
// file (`import`, `import x = require()`, `const x = require()`, directives), else at the end. A
// function declaration is hoisted, so either place serves every loop of the file.
import type { TS, TsNode, TsSourceFile } from '../languages/typescript/compiler.js';
import type { TextEdit } from './edits.js';

function isRequireCall(ts: TS, e: TsNode | undefined): boolean {
  let x = e;
  while (x && (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x))) x = x.expression;
  return !!x && ts.isCallExpression(x) && ts.isIdentifier(x.expression) && x.expression.text === 'require';
}

function isImportLike(ts: TS, st: TsNode): boolean {
  if (ts.isImportDeclaration(st) || ts.isImportEqualsDeclaration(st)) return true;
  if (ts.isExpressionStatement(st) && ts.isStringLiteral(st.expression)) return true; // 'use strict'
  return ts.isVariableStatement(st) && st.declarationList.declarations.every((d) => isRequireCall(ts, d.initializer));
}

/** The edit that adds `helper` (its text ends with a line ending) to the module. */
export function helperEdit(ts: TS, sf: TsSourceFile, text: string, helper: string, eol: string): TextEdit {
  let last: TsNode | null = null;
  for (const st of sf.statements) {
    if (!isImportLike(ts, st)) break;
    last = st;
  }
  if (!last) {
    const end = text.length;
    if (end === 0) return { start: 0, end: 0, text: helper };
    // A file without a final line ending keeps it that way.
    if (!/(\r\n|\r|\n)$/.test(text)) return { start: end, end, text: eol + eol + helper.slice(0, helper.length - eol.length) };
    return { start: end, end, text: eol + helper };
  }
  // The start of the line after the last import (the file's end when that is its last line).
  const nl = /\r\n|\r|\n/g;
  nl.lastIndex = last.getEnd();
  const m = nl.exec(text);
  const at = m ? m.index + m[0].length : text.length;
  const next = text.slice(at, text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at)).trim();
  const before = m ? eol : eol + eol;
  const after = next === '' || at === text.length ? '' : eol;
  return { start: at, end: at, text: before + helper + after };
}
