// HG011, f-strings. tree-sitter parses f-strings as PEP 701 (Python 3.12) does; older Pythons
// read an f-string as one string token first — it ends at the first matching quote, and a line
// break ends a single-quoted one — and then scan it for `{…}` fields with rules of their own (no
// backslash or `#` inside a field, at most two levels of nested format specs). For targets below
// 3.12 this module repeats that scan, a port of CPython 3.11's `Parser/string_parser.c`, and hands
// each field's expression back (`recheck`) to be parsed and checked as `(expression)` — which is
// what CPython compiles. For 3.12 and later the tree is checked as it stands.
import type { Position } from '../../model.js';
import { kids, named, type PyNode } from './nodes.js';
import { escapeProblem, positionIn, stringShape } from './strings.js';
import { reportError, requireVersion, type SyntaxContext } from './version-syntax.js';

/** Checks the field expression node.text[from, to), which starts at `at`, as CPython compiles it. */
export type Recheck = (node: PyNode, from: number, to: number, at: Position) => void;

const MAX_PAREN_DEPTH = 200; // CPython's MAXLEVEL

class FStringError {
  constructor(
    readonly index: number,
    readonly message: string,
    /** Set when the construct is valid from this Python 3 minor version on. */
    readonly since: number | null = null,
  ) {}
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\f' || c === '\r' || c === '\v';

/** One f-string token as CPython 3.11 reads it: text[start, end) is its body. */
class Scanner311 {
  private s: number;

  constructor(
    private readonly text: string,
    start: number,
    private readonly end: number,
    private readonly raw: boolean,
    private readonly literal: (from: number, to: number) => void,
    private readonly expression: (from: number, to: number) => void,
    private readonly selfDocumenting: (index: number) => void,
  ) {
    this.s = start;
  }

  run(): void {
    this.parse(0);
    if (this.s < this.end) throw new FStringError(this.s, 'f-string: unexpected end of string');
  }

  private parse(level: number): void {
    for (;;) {
      if (this.findLiteral(level)) continue;
      if (this.s >= this.end || this.text[this.s] === '}') break;
      this.findExpression(level);
    }
    if (level !== 0 && this.text[this.s] !== '}') throw new FStringError(this.s, "f-string: expecting '}'");
  }

  /** True when the literal stopped at a doubled brace and scanning goes on. */
  private findLiteral(level: number): boolean {
    const { text, end } = this;
    let s = this.s;
    const start = s;
    while (s < end) {
      let ch = text[s++];
      if (!this.raw && ch === '\\' && s < end) {
        ch = text[s++];
        if (ch === 'N') {
          if (s < end && text[s++] === '{') while (s < end && text[s++] !== '}');
          continue;
        }
      }
      if (ch === '{' || ch === '}') {
        if (level === 0) {
          if (s < end && text[s] === ch) {
            this.literal(start, s);
            this.s = s + 1;
            return true;
          }
          if (ch === '}') throw new FStringError(s - 1, "f-string: single '}' is not allowed");
        }
        s--;
        break;
      }
    }
    this.literal(start, s);
    this.s = s;
    return false;
  }

  private findExpression(level: number): void {
    const { text, end } = this;
    if (level >= 2) throw new FStringError(this.s, 'f-string: expressions nested too deeply');
    let s = this.s + 1;
    const start = s;
    let quote = '';
    let triple = false;
    const parens: string[] = [];
    for (; s < end; s++) {
      const ch = text[s] as string;
      if (ch === '\\') throw new FStringError(s, 'backslash inside {…} of an f-string', 12);
      if (quote) {
        if (ch === quote) {
          if (!triple) quote = '';
          else if (s + 2 < end && text[s + 1] === ch && text[s + 2] === ch) {
            s += 2;
            quote = '';
          }
        }
        continue;
      }
      if (ch === "'" || ch === '"') {
        triple = s + 2 < end && text[s + 1] === ch && text[s + 2] === ch;
        if (triple) s += 2;
        quote = ch;
      } else if (ch === '[' || ch === '(' || ch === '{') {
        if (parens.length >= MAX_PAREN_DEPTH) throw new FStringError(s, 'f-string: too many nested parenthesis');
        parens.push(ch);
      } else if (ch === '#') {
        throw new FStringError(s, 'comment inside {…} of an f-string', 12);
      } else if (parens.length === 0 && '!:}=<>'.includes(ch)) {
        const next = text[s + 1];
        if (s + 1 < end && next === '=' && '!=<>'.includes(ch)) {
          s++;
          continue;
        }
        if (ch === '<' || ch === '>') continue;
        break;
      } else if (ch === ']' || ch === ')' || ch === '}') {
        const opening = parens.pop();
        if (opening === undefined) throw new FStringError(s, `f-string: unmatched '${ch}'`);
        if ({ '(': ')', '[': ']', '{': '}' }[opening] !== ch) {
          throw new FStringError(s, `f-string: closing parenthesis '${ch}' does not match opening parenthesis '${opening}'`);
        }
      }
    }
    const exprEnd = s;
    if (quote) throw new FStringError(s, 'f-string: unterminated string');
    if (parens.length > 0) throw new FStringError(s, `f-string: unmatched '${parens.at(-1)}'`);
    if (s >= end) throw new FStringError(s, "f-string: expecting '}'");
    let blank = true;
    for (let i = start; i < exprEnd && blank; i++) blank = text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\f';
    if (blank) {
      const at = text[exprEnd] as string;
      throw new FStringError(start, '!:='.includes(at) ? `f-string: expression required before '${at}'` : 'f-string: empty expression not allowed');
    }
    this.expression(start, exprEnd);
    if (text[s] === '=') {
      this.selfDocumenting(s);
      s++;
      while (s < end && isSpace(text[s])) s++;
      if (s >= end) throw new FStringError(s, "f-string: expecting '}'");
    }
    if (text[s] === '!') {
      s++;
      if (s >= end) throw new FStringError(s, "f-string: expecting '}'");
      const conversion = text[s++] as string;
      if (!'sra'.includes(conversion)) throw new FStringError(s - 1, "f-string: invalid conversion character: expected 's', 'r', or 'a'");
    }
    if (s >= end) throw new FStringError(s, "f-string: expecting '}'");
    if (text[s] === ':') {
      s++;
      if (s >= end) throw new FStringError(s, "f-string: expecting '}'");
      this.s = s;
      this.parse(level + 1);
      s = this.s;
    }
    if (s >= end || text[s] !== '}') throw new FStringError(s, "f-string: expecting '}'");
    this.s = s + 1;
  }
}

/** Where CPython before 3.12 ends the string token, when that is before tree-sitter's end. */
function tokenEnd311(text: string, bodyStart: number, bodyEnd: number, quote: string): { index: number; newline: boolean } | null {
  for (let i = bodyStart; i < bodyEnd; i++) {
    const ch = text[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (quote.length === 3 ? text.startsWith(quote, i) : ch === quote) return { index: i, newline: false };
    if (quote.length === 1 && (ch === '\n' || ch === '\r')) return { index: i, newline: true };
  }
  return null;
}

/** An f-string for a target below 3.12: CPython 3.11's reading of it. */
export function checkFString311(ctx: SyntaxContext, node: PyNode, recheck: Recheck): void {
  const text = node.text;
  const shape = stringShape(text);
  if (!shape) return;
  const early = tokenEnd311(text, shape.bodyStart, shape.bodyEnd, shape.quote);
  const end = early ? early.index : shape.bodyEnd;
  const at = (index: number): Position => positionIn(ctx, node, text, index);
  const scanner = new Scanner311(
    text,
    shape.bodyStart,
    end,
    shape.raw,
    (from, to) => {
      if (shape.raw) return;
      const bad = escapeProblem(text, from, to, false);
      if (bad) throw new FStringError(bad.index, bad.message);
    },
    (from, to) => recheck(node, from, to, at(from)),
    (index) => requireVersion(ctx, at(index), 'self-documenting f-string `{x=}`', 8),
  );
  try {
    scanner.run();
    if (early) {
      // The token ended in a literal part: tree-sitter would not have parsed on; still an error.
      reportError(ctx, at(early.index), early.newline ? 'unterminated string literal' : 'f-string: unexpected end of string');
    }
  } catch (e) {
    if (!(e instanceof FStringError)) throw e;
    if (early && e.index >= end) {
      const construct = early.newline
        ? 'line break inside {…} of a single-quoted f-string'
        : `f-string reuses its quote ${shape.quote} inside {…}`;
      requireVersion(ctx, at(early.index), construct, 12);
    } else if (e.since !== null) requireVersion(ctx, at(e.index), e.message, e.since);
    else reportError(ctx, at(e.index), e.message);
  }
}

const CONVERSIONS = new Set(['!s', '!r', '!a']);

/** An f-string for 3.12 and later: tree-sitter's PEP 701 tree, plus what its grammar lets through. */
export function checkFString312(ctx: SyntaxContext, node: PyNode): void {
  const text = node.text;
  const shape = stringShape(text);
  if (!shape) return;
  if (!shape.raw) {
    for (const part of kids(node)) {
      if (part.type !== 'string_content') continue;
      const bad = escapeProblem(part.text, 0, part.text.length, false);
      if (bad) reportError(ctx, positionIn(ctx, part, part.text, bad.index), bad.message);
    }
  }
}

/** One `{…}` of an f-string for 3.12 and later (also nested ones in format specs). */
export function checkInterpolation312(ctx: SyntaxContext, node: PyNode): void {
  for (const c of named(node)) {
    if (c.type === 'type_conversion' && !CONVERSIONS.has(c.text)) {
      reportError(ctx, ctx.at(c), "f-string: invalid conversion character: expected 's', 'r', or 'a'");
    }
  }
  if (node.type !== 'format_expression') return;
  let specs = 0;
  for (let a = node.parent; a && a.type !== 'string'; a = a.parent) if (a.type === 'format_specifier') specs++;
  if (specs >= 2) reportError(ctx, ctx.at(node), 'f-string: expressions nested too deeply');
}

export function isFString(node: PyNode): boolean {
  const start = node.firstChild;
  return start?.type === 'string_start' && /[ft]/i.test(start.text);
}

