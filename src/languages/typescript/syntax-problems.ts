// The syntax row's TS/JS problems: the compiler's syntactic diagnostics (SPEC §5), except legacy
// octal forms where JavaScript allows them. The compiler reports `0777`, `"\012"`, `08` and `"\8"`
// in every file, but a JavaScript script runs them (Node, browsers: sloppy mode); they are errors
// only in strict code — a module, a class body, code under "use strict" — and in templates
// (BrowserQuest's vendored r.js has `fs.mkdirSync(dir, 0777)`).
//
// One problem per file, the first diagnostic, as ESLint reports one parse error per file: the
// parser recovers and goes on, and what it reports after a first error is mostly that error's
// consequences (bokeh's docs had 24 broken files and 77 diagnostics; an unclosed `(` alone gives
// several). Each problem is one HG011 finding, and the syntax row counts findings, so the row, the
// findings and the summary's error count agree; the problem's message says how many more the
// compiler reported after it (tsc lists them all).
import type { SyntaxProblem } from '../../model.js';
import type { TS, TsNode, TsSourceFile } from './compiler.js';
import { positionIn } from './module.js';

/** Octal literal, octal escape, `\8`/`\9` escape, decimal with a leading zero. */
const SLOPPY_MODE_ONLY = new Set([1121, 1487, 1488, 1489]);

interface Diagnostic {
  start?: number;
  code: number;
  messageText: string | { messageText: string };
}

export function syntaxProblems(ts: TS, sf: TsSourceFile): SyntaxProblem[] {
  let diags = (sf as unknown as { parseDiagnostics?: Diagnostic[] }).parseDiagnostics ?? [];
  if (diags.some((d) => SLOPPY_MODE_ONLY.has(d.code)) && isSloppyScript(ts, sf)) {
    diags = diags.filter((d) => !(SLOPPY_MODE_ONLY.has(d.code) && d.start !== undefined && sloppyAt(ts, sf, d.start)));
  }
  if (diags.length === 0) return [];
  const first = diags.reduce((a, b) => ((b.start ?? 0) < (a.start ?? 0) ? b : a));
  const more = diags.length - 1;
  const text = typeof first.messageText === 'string' ? first.messageText : first.messageText.messageText;
  return [
    {
      position: positionIn(sf, first.start ?? 0),
      message: `TS${first.code}: ${text}${more ? ` (and ${more} more diagnostics after it in this file, which may follow from this one)` : ''}`,
    },
  ];
}

/** A JavaScript file that is a script (no import/export, not .mjs) with no "use strict" of its own. */
function isSloppyScript(ts: TS, sf: TsSourceFile): boolean {
  return /\.(?:js|cjs|jsx)$/i.test(sf.fileName) && !ts.isExternalModule(sf) && !hasUseStrict(ts, sf.statements);
}

/** Whether a directive prologue (the leading string statements) holds "use strict", written without escapes. */
function hasUseStrict(ts: TS, statements: readonly TsNode[]): boolean {
  for (const s of statements) {
    if (!ts.isExpressionStatement(s) || !ts.isStringLiteral(s.expression)) return false;
    const raw = s.expression.getText();
    if (raw === '"use strict"' || raw === "'use strict'") return true;
  }
  return false;
}

/** Whether the code at `pos` is sloppy: not in a class, a template, or a function under "use strict". */
function sloppyAt(ts: TS, sf: TsSourceFile, pos: number): boolean {
  // Down from the file to the innermost node holding `pos` (iterative: trees may be deep).
  let cur: TsNode = sf;
  for (;;) {
    let next: TsNode | undefined;
    cur.forEachChild((c) => {
      if (next === undefined && c.pos <= pos && pos < c.end) next = c;
    });
    if (next === undefined) return true;
    const n: TsNode = next;
    if (ts.isClassLike(n) || ts.isTemplateLiteral(n) || ts.isTemplateSpan(n) || ts.isTaggedTemplateExpression(n)) return false;
    if (ts.isFunctionLike(n)) {
      const body = (n as { body?: TsNode }).body;
      if (body !== undefined && ts.isBlock(body) && hasUseStrict(ts, body.statements)) return false;
    }
    cur = n;
  }
}
