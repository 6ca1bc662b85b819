// A light token stream of a Python file, for HG011's cheap path (`syntax-triggers.ts`): words,
// numbers, strings (read by the layout tokenizer, f-string fields nested as PEP 701 allows),
// operators, brackets with their depth and partner, and logical line ends. It never decides
// anything itself: where it cannot read the text with certainty it returns null and the full
// check runs.
import { isWordPart, isWordStart, stringEnd } from './tokenizer.js';

export const WORD = 1;
export const NUM = 2;
export const STR = 3;
export const OP = 4;
export const OPEN = 5;
export const CLOSE = 6;
/** The end of a logical line (a newline outside brackets, and the end of the file). */
export const END = 7;

export interface Tokens {
  kind: number[];
  start: number[];
  end: number[];
  /** Bracket depth the token stands at (a bracket: the depth outside it). */
  depth: number[];
  /** Words, operators and brackets: their text; strings: their prefix; numbers: their text. */
  text: string[];
  /** Brackets: the index of the partner bracket. */
  partner: number[];
}

// Longest first: `**=` before `**` before `*`.
const OPERATORS = ['**=', '//=', '>>=', '<<=', '...', '->', ':=', '==', '!=', '<=', '>=', '<>', '**', '//', '<<', '>>', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@='];
/** The characters a longer operator can start with. */
const OPERATOR_STARTS = new Set(OPERATORS.map((o) => o.charCodeAt(0)));
const STRING_PREFIX = /^[rRbBuUfF]{1,2}$/;

const isAsciiWordPart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * The end of a one-line string without f-string fields, the common case, read here without the
 * layout tokenizer; null for anything else (triple quotes, a line break, the end of the text).
 */
function plainStringEnd(text: string, k: number): number | null {
  const q = text.charCodeAt(k);
  if (text.charCodeAt(k + 1) === q && text.charCodeAt(k + 2) === q) return null;
  for (let i = k + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === q) return i + 1;
    if (c === 10 || c === 13) return null;
    if (c === 92) i++;
  }
  return null;
}

export function scanTokens(text: string): Tokens | null {
  const t: Tokens = { kind: [], start: [], end: [], depth: [], text: [], partner: [] };
  const open: number[] = [];
  const push = (kind: number, start: number, end: number, value: string): void => {
    t.kind.push(kind);
    t.start.push(start);
    t.end.push(end);
    t.depth.push(open.length);
    t.text.push(value);
    t.partner.push(-1);
  };
  const isNewline = (k: number): boolean => {
    const c = text.charCodeAt(k);
    return c === 10 || c === 13;
  };
  const pastNewline = (k: number): number => (text.charCodeAt(k) === 13 && text.charCodeAt(k + 1) === 10 ? k + 2 : k + 1);
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < n) {
    const code = text.charCodeAt(i);
    if (code === 32 || code === 9 || code === 12) i++;
    else if (code === 10 || code === 13) {
      if (open.length === 0 && t.kind.length > 0 && t.kind[t.kind.length - 1] !== END) push(END, i, i, '');
      i = pastNewline(i);
    } else if (code === 92) {
      // A backslash continues the line; anywhere else it is not Python.
      if (i + 1 < n && !isNewline(i + 1)) return null;
      i = i + 1 < n ? pastNewline(i + 1) : i + 1;
    } else if (code === 35) {
      while (i < n && !isNewline(i)) i++;
    } else if (code === 34 || code === 39) {
      const end = plainStringEnd(text, i) ?? stringEnd(text, i, '');
      if (end === null) return null;
      push(STR, i, end, '');
      i = end;
    } else if (code < 0x80 ? (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 : isWordStart(code, text, i)) {
      const start = i;
      while (i < n) {
        const k = text.charCodeAt(i);
        if (k < 0x80 ? !isAsciiWordPart(k) : !isWordPart(k, text, i)) break;
        i += k >= 0xd800 && k < 0xdc00 ? 2 : 1;
      }
      const word = text.slice(start, i);
      const next = text.charCodeAt(i);
      if ((next === 34 || next === 39) && i - start <= 2 && STRING_PREFIX.test(word)) {
        const end = (/f/i.test(word) ? null : plainStringEnd(text, i)) ?? stringEnd(text, i, word);
        if (end === null) return null;
        push(STR, start, end, word);
        i = end;
      } else push(WORD, start, i, word);
    } else if (isDigit(code) || (code === 46 && isDigit(text.charCodeAt(i + 1)))) {
      // As the layout tokenizer reads a number: greedy, so a malformed literal stays one token.
      const start = i;
      while (i < n && (isWordPart(text.charCodeAt(i), text, i) || text.charCodeAt(i) === 46)) {
        const e = text.charCodeAt(i);
        i++;
        if ((e === 101 || e === 69) && (text.charCodeAt(i) === 43 || text.charCodeAt(i) === 45)) i++;
      }
      push(NUM, start, i, text.slice(start, i));
    } else if (code === 40 || code === 91 || code === 123) {
      push(OPEN, i, i + 1, text[i] as string);
      open.push(t.kind.length - 1);
      i++;
    } else if (code === 41 || code === 93 || code === 125) {
      const o = open.pop();
      if (o === undefined || t.text[o] !== (code === 41 ? '(' : code === 93 ? '[' : '{')) return null;
      push(CLOSE, i, i + 1, text[i] as string);
      t.partner[o] = t.kind.length - 1;
      t.partner[t.kind.length - 1] = o;
      i++;
    } else if (code > 0x7f || code < 0x20 || code === 96) return null; // `x` (Python 2) is a string to tree-sitter
    else {
      const op = (OPERATOR_STARTS.has(code) ? OPERATORS.find((o) => text.startsWith(o, i)) : undefined) ?? (text[i] as string);
      push(OP, i, i + op.length, op);
      i += op.length;
    }
  }
  if (open.length > 0) return null;
  push(END, n, n, '');
  return t;
}
