// A light token stream of a Python file, for HG011's cheap path (`syntax-triggers.ts`): words,
// numbers, strings (f-string fields nested as PEP 701 allows), operators, brackets with their
// depth and partner, and logical line ends. The layout scan (`tokenizer.ts`) reads the text once
// and records the stream here as it goes. It never decides anything itself: where it cannot
// read the text with certainty there is no stream and the full check runs.

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

/** The operator at i: the longest of OPERATORS that starts there, or the one character. */
export function operatorAt(text: string, i: number): string {
  const longer = OPERATORS_BY_START.get(text.charCodeAt(i));
  if (longer) for (const o of longer) if (text.startsWith(o, i)) return o;
  return text[i] as string;
}

const OPENING: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/**
 * The token stream of one text, filled in reading order. Once something in the text is not
 * Python the stream can read (a stray backslash, a control character, a backtick, unbalanced
 * brackets, a string running past the end), it is unreadable and `finish` gives null.
 */
export class TokenRecorder {
  // Typed arrays grown by doubling: a file has ~1 token per 6 characters, and 8 million
  // pushes onto six plain arrays cost more than the scan itself.
  private capacity: number;
  private kind: Uint8Array;
  private start: Int32Array;
  private end: Int32Array;
  private depth: Int32Array;
  private partner: Int32Array;
  private readonly texts: string[] = [];
  private count = 0;
  /** The open brackets' token indices, innermost last. */
  private readonly open: number[] = [];
  private readable = true;

  constructor(private readonly text: string) {
    this.capacity = (text.length >> 2) + 16;
    this.kind = new Uint8Array(this.capacity);
    this.start = new Int32Array(this.capacity);
    this.end = new Int32Array(this.capacity);
    this.depth = new Int32Array(this.capacity);
    this.partner = new Int32Array(this.capacity);
  }

  private grow(): void {
    this.capacity *= 2;
    const more = <T extends Uint8Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(this.capacity);
      b.set(a);
      return b;
    };
    this.kind = more(this.kind, (k) => new Uint8Array(k));
    this.start = more(this.start, (k) => new Int32Array(k));
    this.end = more(this.end, (k) => new Int32Array(k));
    this.depth = more(this.depth, (k) => new Int32Array(k));
    this.partner = more(this.partner, (k) => new Int32Array(k));
  }

  private push(kind: number, from: number, to: number, value: string): void {
    if (this.count === this.capacity) this.grow();
    const c = this.count;
    this.kind[c] = kind;
    this.start[c] = from;
    this.end[c] = to;
    this.depth[c] = this.open.length;
    this.partner[c] = -1;
    this.texts.push(value);
    this.count++;
  }

  /** A name or keyword: `value` is its text (the layout scan has sliced it already). */
  word(from: number, to: number, value: string): void {
    this.push(WORD, from, to, value);
  }

  number(from: number, to: number): void {
    this.push(NUM, from, to, this.text.slice(from, to));
  }

  /** A string literal from its prefix (or quote) at `from` to the index after its closing quote. */
  string(from: number, to: number, prefix: string): void {
    if (to > this.text.length) this.readable = false;
    else this.push(STR, from, to, prefix);
  }

  openBracket(at: number): void {
    this.push(OPEN, at, at + 1, this.text[at] as string);
    this.open.push(this.count - 1);
  }

  closeBracket(at: number): void {
    const bracket = this.text[at] as string;
    const o = this.open.pop();
    if (o === undefined || this.texts[o] !== OPENING[bracket]) {
      this.readable = false;
      return;
    }
    this.push(CLOSE, at, at + 1, bracket);
    this.partner[o] = this.count - 1;
    this.partner[this.count - 1] = o;
  }

  /** Any other character outside strings and comments, `op` as `operatorAt` reads it there. */
  operator(at: number, op: string): void {
    const code = op.charCodeAt(0);
    // A backslash that continues no line, a control character, a backtick (Python 2's `x` is a string to tree-sitter).
    // Nothing above 0x7f arrives here: the layout scan reads it as a word or stops at it.
    if (code === 92 || code === 96 || code < 0x20) this.readable = false;
    else this.push(OP, at, at + op.length, op);
  }

  /** A newline the scan reads (blank and comment lines at a logical line's start need not be told). */
  newline(at: number): void {
    if (this.open.length === 0 && this.count > 0 && this.kind[this.count - 1] !== END) this.push(END, at, at, '');
  }

  finish(): Tokens | null {
    if (!this.readable || this.open.length > 0) return null;
    const n = this.text.length;
    this.push(END, n, n, '');
    const c = this.count;
    return { kind: this.kind.subarray(0, c), start: this.start.subarray(0, c), end: this.end.subarray(0, c), depth: this.depth.subarray(0, c), text: this.texts, partner: this.partner.subarray(0, c) };
  }
}
