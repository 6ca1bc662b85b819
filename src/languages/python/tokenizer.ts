// HG011, line structure: what CPython's tokenizer checks and tree-sitter's scanner lets through —
// inconsistent tabs and spaces (TabError), a dedent to a column no enclosing block uses, an indent
// where no block starts, a block header with no indented block, and characters that cannot stand
// in code (U+00A0, U+200B, …). A light tokenizer: it knows strings (f-strings nested as PEP 701
// reads them; the version rules for f-strings are `fstrings.ts`'s), comments, brackets and
// backslash continuations, which is all the line structure depends on. The same reading gives
// the cheap path its token stream (`token-scan.ts`), so each file is tokenized once.
import type { SyntaxProblem } from '../../model.js';
import { lineStartsOf, pointAt } from './text-points.js';
import { operatorAt, TokenRecorder, type Tokens } from './token-scan.js';

const TAB_SIZE = 8;
const MAX_INDENT = 100;

/** Tokens that need something after them: a logical line cannot end with one (tree-sitter lets the
 * next line complete it). */
const DANGLING = new Set(['->', '+', '-', '*', '/', '%', '@', '&', '|', '^', '~', '<', '>', '=', '.', ':=', '!', 'and', 'or', 'not', 'in', 'is', 'if', 'else', 'lambda']);

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const FF = 12;
const HASH = 35;
const BACKSLASH = 92;
const DQUOTE = 34;
const SQUOTE = 39;
const DOT = 46;
const COLON = 58;
const LBRACE = 123;
const RBRACE = 125;
/** The longest word the layout scan ever compares `last` with (`import`, `lambda`); longer words are NAME. */
const LONGEST_NOTABLE_WORD = 6;
const NAME = '<name>';
/** The operators the line checks read whole; any other is read as its characters. */
const WHOLE_OPERATORS = new Set([':=', '...', '->']);

// Character codes, not one-character strings: the text scans read every character of every file.
const ID_START = /[\p{ID_Start}_]/u;
const ID_CONTINUE = /[\p{ID_Continue}]/u;

/** ASCII first (almost every character), Unicode's classes for the rest. */
function isWordStart(code: number, text: string, i: number): boolean {
  if (code < 0x80) return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95;
  return ID_START.test(String.fromCodePoint(text.codePointAt(i) as number));
}

function isWordPart(code: number, text: string, i: number): boolean {
  if (code < 0x80) return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || (code >= 48 && code <= 57);
  return ID_CONTINUE.test(String.fromCodePoint(text.codePointAt(i) as number));
}

const isDigit = (code: number): boolean => code >= 48 && code <= 57;

/** A number starts here: a digit, or a dot before one (`.5`). */
function isNumberStart(code: number, text: string, i: number): boolean {
  return isDigit(code) || (code === DOT && isDigit(text.charCodeAt(i + 1)));
}

/** The end of the word starting at i (a surrogate pair is one character). */
function wordEnd(text: string, i: number): number {
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (!isWordPart(code, text, i)) break;
    i += code >= 0xd800 && code < 0xdc00 ? 2 : 1;
  }
  return i;
}

/** The end of the number starting at i, read greedily (word characters, dots, an exponent's sign): a malformed literal stays one token. */
function numberEnd(text: string, i: number): number {
  while (i < text.length) {
    const e = text.charCodeAt(i);
    if (!(isWordPart(e, text, i) || e === DOT)) break;
    i++;
    if ((e === 101 || e === 69) && (text.charCodeAt(i) === 43 || text.charCodeAt(i) === 45)) i++;
  }
  return i;
}

/** The word from `start` to `end` is a string's prefix: one or two of `rbuft` (any case) right before a quote. */
function isStringPrefix(text: string, start: number, end: number): boolean {
  const next = text.charCodeAt(end);
  return (next === DQUOTE || next === SQUOTE) && end - start <= 2 && /^[rRbBuUfFtT]{1,2}$/.test(text.slice(start, end));
}

/** Whether the character at k ends a line (\n or \r). */
function isNewlineAt(text: string, k: number): boolean {
  const c = text.charCodeAt(k);
  return c === LF || c === CR;
}

/** Past the newline at k (\n, \r\n or \r). */
function pastNewline(text: string, k: number): number {
  return text.charCodeAt(k) === CR && text.charCodeAt(k + 1) === LF ? k + 2 : k + 1;
}

class Layout {
  private i = 0;
  problem: SyntaxProblem | null = null;

  constructor(
    private readonly text: string,
    /** Where the tokens go, when they are wanted. */
    private readonly tokens: TokenRecorder | null,
  ) {}

  private fail(index: number, message: string): void {
    if (this.problem) return;
    // Only a problem needs line numbers: they are counted then.
    const { row, column } = pointAt(lineStartsOf(this.text), index);
    this.problem = { position: { line: row + 1, column: column + 1 }, message: `syntax error: ${message}` };
  }

  run(): void {
    const { text } = this;
    const n = text.length;
    const indents = [0];
    const alts = [0];
    let depth = 0;
    let atLineStart = true;
    let headerEnded = false; // the previous logical line ended with ':'
    // The last token of the current logical line: an operator, a bracket, 'string', 'number', a
    // word — only words that can matter (DANGLING's, `import`) are spelt out, others are NAME.
    let last = '';
    let lastAt = 0;
    let beforeLast = '';
    if (text.charCodeAt(0) === 0xfeff) this.i = 1;
    while (this.i < n && !this.problem) {
      if (atLineStart) {
        let col = 0;
        let alt = 0;
        let k = this.i;
        for (; k < n; k++) {
          const c = text.charCodeAt(k);
          if (c === SPACE) {
            col++;
            alt++;
          } else if (c === TAB) {
            col = (Math.floor(col / TAB_SIZE) + 1) * TAB_SIZE;
            alt++;
          } else if (c === FF) col = alt = 0;
          else break;
        }
        if (k >= n) break;
        if (text.charCodeAt(k) === HASH || isNewlineAt(text, k)) {
          while (k < n && !isNewlineAt(text, k)) k++;
          this.i = k < n ? pastNewline(text, k) : k;
          continue;
        }
        const top = indents.length - 1;
        if (col === indents[top]) {
          if (alt !== alts[top]) return this.fail(k, 'inconsistent use of tabs and spaces in indentation (TabError)');
          if (headerEnded) return this.fail(k, 'expected an indented block (IndentationError)');
        } else if (col > (indents[top] as number)) {
          if (indents.length >= MAX_INDENT) return this.fail(k, 'too many levels of indentation');
          if (alt <= (alts[top] as number)) return this.fail(k, 'inconsistent use of tabs and spaces in indentation (TabError)');
          if (!headerEnded) return this.fail(k, 'unexpected indent (IndentationError)');
          indents.push(col);
          alts.push(alt);
        } else {
          while (indents.length > 1 && col < (indents[indents.length - 1] as number)) {
            indents.pop();
            alts.pop();
          }
          if (col !== indents[indents.length - 1]) {
            return this.fail(k, 'unindent does not match any outer indentation level (IndentationError)');
          }
          if (alt !== alts[alts.length - 1]) return this.fail(k, 'inconsistent use of tabs and spaces in indentation (TabError)');
          if (headerEnded) return this.fail(k, 'expected an indented block (IndentationError)');
        }
        atLineStart = false;
        headerEnded = false;
        last = '';
        this.i = k;
      }
      const c = text.charCodeAt(this.i);
      const newline = c === LF || c === CR;
      if (c !== SPACE && c !== TAB && c !== FF && c !== HASH && !newline && !(c === BACKSLASH && isNewlineAt(text, this.i + 1))) {
        beforeLast = last;
        lastAt = this.i;
      }
      if (c === HASH) {
        while (this.i < n && !isNewlineAt(text, this.i)) this.i++;
      } else if (newline) {
        this.tokens?.newline(this.i);
        this.i = pastNewline(text, this.i);
        if (depth === 0) {
          atLineStart = true;
          headerEnded = last === ':';
          // `from m import *` is the one line that may end with an operator character.
          if (DANGLING.has(last) && !(last === '*' && beforeLast === 'import')) {
            return this.fail(lastAt, `invalid syntax: the line ends with \`${last}\``);
          }
        }
      } else if (c === BACKSLASH && (isNewlineAt(text, this.i + 1) || this.i + 1 >= n)) {
        if (this.i + 1 >= n || pastNewline(text, this.i + 1) >= n) {
          return this.fail(this.i, 'unexpected end of file after a line continuation `\\`');
        }
        this.i = pastNewline(text, this.i + 1);
      } else if (c === SPACE || c === TAB || c === FF) {
        this.i++;
      } else if (c === DQUOTE || c === SQUOTE) {
        const start = this.i;
        this.i = this.string(start, '');
        this.tokens?.string(start, this.i, '');
        last = 'string';
      } else if (isWordStart(c, text, this.i)) {
        const start = this.i;
        this.i = wordEnd(text, start);
        if (isStringPrefix(text, start, this.i)) {
          const prefix = text.slice(start, this.i);
          this.i = this.string(this.i, prefix);
          this.tokens?.string(start, this.i, prefix);
          last = 'string';
        } else if (this.tokens) {
          const word = text.slice(start, this.i);
          this.tokens.word(start, this.i, word);
          last = word.length <= LONGEST_NOTABLE_WORD ? word : NAME;
        } else {
          last = this.i - start <= LONGEST_NOTABLE_WORD ? text.slice(start, this.i) : NAME;
        }
      } else if (isNumberStart(c, text, this.i)) {
        const start = this.i;
        this.i = numberEnd(text, start);
        this.tokens?.number(start, this.i);
        last = 'number';
      } else if (c === 40 || c === 91 || c === 123) {
        this.tokens?.openBracket(this.i);
        depth++;
        last = text[this.i] as string;
        this.i++;
      } else if (c === 41 || c === 93 || c === 125) {
        this.tokens?.closeBracket(this.i);
        depth = Math.max(0, depth - 1);
        last = text[this.i] as string;
        this.i++;
      } else if (c > 0x7f) {
        const cp = text.codePointAt(this.i) as number;
        const hex = cp.toString(16).toUpperCase().padStart(4, '0');
        const printable = /[\p{L}\p{N}\p{P}\p{S}]/u.test(String.fromCodePoint(cp));
        return this.fail(this.i, printable ? `invalid character '${String.fromCodePoint(cp)}' (U+${hex})` : `invalid non-printable character U+${hex}`);
      } else {
        const op = operatorAt(text, this.i);
        this.tokens?.operator(this.i, op);
        // The line checks read an operator as its characters, but for `:=` (an operator, not the
        // end of a header), `...` (a value, not a dot) and `->`: a longer one ends in its last two.
        if (op.length === 1 || WHOLE_OPERATORS.has(op)) last = op;
        else {
          beforeLast = op[op.length - 2] as string;
          last = op[op.length - 1] as string;
          lastAt = this.i + op.length - 1;
        }
        this.i += op.length;
      }
    }
    if (!this.problem && !atLineStart && depth === 0 && last === ':') this.fail(n, 'expected an indented block (IndentationError)');
    else if (!this.problem && atLineStart && headerEnded) this.fail(n, 'expected an indented block (IndentationError)');
  }

  /** From the opening quote at k; returns the index after the closing quote (or where it gave up). */
  private string(k: number, prefix: string): number {
    const { text } = this;
    const n = text.length;
    const q = text.charCodeAt(k);
    const triple = text.charCodeAt(k + 1) === q && text.charCodeAt(k + 2) === q;
    const formatted = /[ft]/i.test(prefix);
    let i = k + (triple ? 3 : 1);
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === BACKSLASH) {
        // A backslash never takes an f-string's brace with it: `\{x}`, raw `\{{`.
        const c1 = text.charCodeAt(i + 1);
        if (formatted && (c1 === LBRACE || c1 === RBRACE)) i++;
        else i += c1 === LF || c1 === CR ? pastNewline(text, i + 1) - i : 2;
        continue;
      }
      if (c === q && (!triple || (text.charCodeAt(i + 1) === q && text.charCodeAt(i + 2) === q))) return i + (triple ? 3 : 1);
      if (!triple && (c === LF || c === CR)) {
        this.fail(k, 'unterminated string literal');
        return i;
      }
      if (formatted && c === LBRACE) {
        if (text.charCodeAt(i + 1) === LBRACE) i += 2;
        else i = this.field(i + 1);
        continue;
      }
      i++;
    }
    return i;
  }

  /** A replacement field of an f-string, from after its `{`; returns the index after its `}`. */
  private field(k: number): number {
    const { text } = this;
    const n = text.length;
    let depth = 0;
    let i = k;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === DQUOTE || c === SQUOTE) {
        const word = /[rRbBuUfF]{1,2}$/.exec(text.slice(Math.max(k, i - 2), i))?.[0] ?? '';
        i = this.string(i, word);
      } else if (c === HASH) {
        while (i < n && !isNewlineAt(text, i)) i++;
      } else if (c === 40 || c === 91 || c === LBRACE) {
        depth++;
        i++;
      } else if (c === 41 || c === 93) {
        depth = Math.max(0, depth - 1);
        i++;
      } else if (c === RBRACE) {
        if (depth === 0) return i + 1;
        depth--;
        i++;
      } else if (c === COLON && depth === 0) {
        return this.formatSpec(i + 1);
      } else i++;
    }
    return i;
  }

  /** A format spec, from after its `:`; nested fields inside; returns the index after the field's `}`. */
  private formatSpec(k: number): number {
    const { text } = this;
    const n = text.length;
    let i = k;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === LBRACE) i = this.field(i + 1);
      else if (c === RBRACE) return i + 1;
      else if (c === DQUOTE || c === SQUOTE || c === LF || c === CR) return i; // the enclosing string decides
      else i++;
    }
    return i;
  }
}

/**
 * The first line-structure problem of a text, if any (CPython stops at its first), and, when
 * asked for, its token stream — null when there is a problem or the stream cannot read the text.
 */
export function scanLayout(text: string, withTokens: boolean): { problems: SyntaxProblem[]; tokens: Tokens | null } {
  const recorder = withTokens ? new TokenRecorder(text) : null;
  const layout = new Layout(text, recorder);
  layout.run();
  if (layout.problem) return { problems: [layout.problem], tokens: null };
  return { problems: [], tokens: recorder ? recorder.finish() : null };
}
