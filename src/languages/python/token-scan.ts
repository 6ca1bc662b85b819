// A light token stream of a Python file, for HG011's cheap path (`syntax-triggers.ts`): words,
// numbers, strings (read by the layout tokenizer, f-string fields nested as PEP 701 allows),
// operators, brackets with their depth and partner, and logical line ends. It never decides
// anything itself: where it cannot read the text with certainty it returns null and the full
// check runs.
import { isNewlineAt, isNumberStart, isStringPrefix, isWordStart, numberEnd, pastNewline, stringEnd, wordEnd } from './tokenizer.js';

export const WORD = 1;
export const NUM = 2;
export const STR = 3;
export const OP = 4;
export const OPEN = 5;
export const CLOSE = 6;
/** The end of a logical line (a newline outside brackets, and the end of the file). */
export const END = 7;

/** Parallel arrays, one entry per token, exactly as long as the stream (reads past its end give undefined). */
export interface Tokens {
  kind: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  /** Bracket depth the token stands at (a bracket: the depth outside it). */
  depth: Int32Array;
  /** Words, operators and brackets: their text; strings: their prefix; numbers: their text. */
  text: string[];
  /** Brackets: the index of the partner bracket. */
  partner: Int32Array;
}

// Longest first: `**=` before `**` before `*`.
const OPERATORS = ['**=', '//=', '>>=', '<<=', '...', '->', ':=', '==', '!=', '<=', '>=', '<>', '**', '//', '<<', '>>', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@='];
/** The longer operators by their first character, longest first (`.` and `=` are common: most match none). */
const OPERATORS_BY_START = new Map<number, string[]>();
for (const o of OPERATORS) OPERATORS_BY_START.set(o.charCodeAt(0), [...(OPERATORS_BY_START.get(o.charCodeAt(0)) ?? []), o]);

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
  // Typed arrays grown by doubling: a file has ~1 token per 6 characters, and 8 million
  // pushes onto six plain arrays cost more than the scan itself.
  let capacity = (text.length >> 2) + 16;
  let kind = new Uint8Array(capacity);
  let start = new Int32Array(capacity);
  let end = new Int32Array(capacity);
  let depth = new Int32Array(capacity);
  let partner = new Int32Array(capacity);
  const texts: string[] = [];
  let count = 0;
  const open: number[] = [];
  const grow = (): void => {
    capacity *= 2;
    const more = <T extends Uint8Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    kind = more(kind, (k) => new Uint8Array(k));
    start = more(start, (k) => new Int32Array(k));
    end = more(end, (k) => new Int32Array(k));
    depth = more(depth, (k) => new Int32Array(k));
    partner = more(partner, (k) => new Int32Array(k));
  };
  const push = (k: number, from: number, to: number, value: string): void => {
    if (count === capacity) grow();
    kind[count] = k;
    start[count] = from;
    end[count] = to;
    depth[count] = open.length;
    partner[count] = -1;
    texts.push(value);
    count++;
  };
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < n) {
    const code = text.charCodeAt(i);
    if (code === 32 || code === 9 || code === 12) i++;
    else if (code === 10 || code === 13) {
      if (open.length === 0 && count > 0 && kind[count - 1] !== END) push(END, i, i, '');
      i = pastNewline(text, i);
    } else if (code === 92) {
      // A backslash continues the line; anywhere else it is not Python.
      if (i + 1 < n && !isNewlineAt(text, i + 1)) return null;
      i = i + 1 < n ? pastNewline(text, i + 1) : i + 1;
    } else if (code === 35) {
      while (i < n && !isNewlineAt(text, i)) i++;
    } else if (code === 34 || code === 39) {
      const end = plainStringEnd(text, i) ?? stringEnd(text, i, '');
      if (end === null) return null;
      push(STR, i, end, '');
      i = end;
    } else if (isWordStart(code, text, i)) {
      const start = i;
      i = wordEnd(text, start);
      const word = text.slice(start, i);
      if (isStringPrefix(text, start, i)) {
        const end = (/f/i.test(word) ? null : plainStringEnd(text, i)) ?? stringEnd(text, i, word);
        if (end === null) return null;
        push(STR, start, end, word);
        i = end;
      } else push(WORD, start, i, word);
    } else if (isNumberStart(code, text, i)) {
      // As the layout tokenizer reads a number: a malformed literal stays one token.
      const start = i;
      i = numberEnd(text, start);
      push(NUM, start, i, text.slice(start, i));
    } else if (code === 40 || code === 91 || code === 123) {
      push(OPEN, i, i + 1, text[i] as string);
      open.push(count - 1);
      i++;
    } else if (code === 41 || code === 93 || code === 125) {
      const o = open.pop();
      if (o === undefined || texts[o] !== (code === 41 ? '(' : code === 93 ? '[' : '{')) return null;
      push(CLOSE, i, i + 1, text[i] as string);
      partner[o] = count - 1;
      partner[count - 1] = o;
      i++;
    } else if (code > 0x7f || code < 0x20 || code === 96) return null; // `x` (Python 2) is a string to tree-sitter
    else {
      const op = OPERATORS_BY_START.get(code)?.find((o) => text.startsWith(o, i)) ?? (text[i] as string);
      push(OP, i, i + op.length, op);
      i += op.length;
    }
  }
  if (open.length > 0) return null;
  push(END, n, n, '');
  return { kind: kind.subarray(0, count), start: start.subarray(0, count), end: end.subarray(0, count), depth: depth.subarray(0, count), text: texts, partner: partner.subarray(0, count) };
}
