// HG011, line structure: what CPython's tokenizer checks and tree-sitter's scanner lets through —
// inconsistent tabs and spaces (TabError), a dedent to a column no enclosing block uses, an indent
// where no block starts, a block header with no indented block, and characters that cannot stand
// in code (U+00A0, U+200B, …). A light tokenizer: it knows strings (f-strings nested as PEP 701
// reads them; the version rules for f-strings are `fstrings.ts`'s), comments, brackets and
// backslash continuations, which is all the line structure depends on.
import type { SyntaxProblem } from '../../model.js';

const TAB_SIZE = 8;
const MAX_INDENT = 100;

/** Tokens that need something after them: a logical line cannot end with one (tree-sitter lets the
 * next line complete it). */
const DANGLING = new Set(['->', '+', '-', '*', '/', '%', '@', '&', '|', '^', '~', '<', '>', '=', '.', ':=', '!', 'and', 'or', 'not', 'in', 'is', 'if', 'else', 'lambda']);

const ID_START = /[\p{ID_Start}_]/u;
const ID_CONTINUE = /[\p{ID_Continue}]/u;

/** ASCII first (almost every character), Unicode's classes for the rest. */
export function isWordStart(code: number, text: string, i: number): boolean {
  if (code < 0x80) return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95;
  return ID_START.test(String.fromCodePoint(text.codePointAt(i) as number));
}

export function isWordPart(code: number, text: string, i: number): boolean {
  if (code < 0x80) return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || (code >= 48 && code <= 57);
  return ID_CONTINUE.test(String.fromCodePoint(text.codePointAt(i) as number));
}

const isDigit = (code: number): boolean => code >= 48 && code <= 57;

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 10 || (c === 13 && text.charCodeAt(k + 1) !== 10)) starts.push(k + 1);
  }
  return starts;
}

class Layout {
  private i = 0;
  private lineStarts: number[] | null = null;
  problem: SyntaxProblem | null = null;

  constructor(private readonly text: string) {}

  private fail(index: number, message: string): void {
    if (this.problem) return;
    // Only a problem needs line numbers: they are counted then.
    const starts = (this.lineStarts ??= lineStartsOf(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= index) lo = mid;
      else hi = mid - 1;
    }
    this.problem = { position: { line: lo + 1, column: index - (starts[lo] as number) + 1 }, message: `syntax error: ${message}` };
  }

  private isNewline(k: number): boolean {
    const c = this.text[k];
    return c === '\n' || c === '\r';
  }

  /** Past the newline at k (\n, \r\n or \r). */
  private skipNewline(k: number): number {
    return this.text[k] === '\r' && this.text[k + 1] === '\n' ? k + 2 : k + 1;
  }

  run(): void {
    const { text } = this;
    const indents = [0];
    const alts = [0];
    let depth = 0;
    let atLineStart = true;
    let headerEnded = false; // the previous logical line ended with ':'
    let last = ''; // the last token of the current logical line
    let lastAt = 0;
    let beforeLast = '';
    if (text.charCodeAt(0) === 0xfeff) this.i = 1;
    while (this.i < text.length && !this.problem) {
      if (atLineStart) {
        let col = 0;
        let alt = 0;
        let k = this.i;
        for (; k < text.length; k++) {
          const c = text[k];
          if (c === ' ') {
            col++;
            alt++;
          } else if (c === '\t') {
            col = (Math.floor(col / TAB_SIZE) + 1) * TAB_SIZE;
            alt++;
          } else if (c === '\f') col = alt = 0;
          else break;
        }
        if (k >= text.length) break;
        if (text[k] === '#' || this.isNewline(k)) {
          while (k < text.length && !this.isNewline(k)) k++;
          this.i = k < text.length ? this.skipNewline(k) : k;
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
      const c = text[this.i] as string;
      if (c !== ' ' && c !== '\t' && c !== '\f' && c !== '#' && !this.isNewline(this.i) && !(c === '\\' && this.isNewline(this.i + 1))) {
        beforeLast = last;
        lastAt = this.i;
      }
      if (c === '#') {
        while (this.i < text.length && !this.isNewline(this.i)) this.i++;
      } else if (this.isNewline(this.i)) {
        this.i = this.skipNewline(this.i);
        if (depth === 0) {
          atLineStart = true;
          headerEnded = last === ':';
          // `from m import *` is the one line that may end with an operator character.
          if (DANGLING.has(last) && !(last === '*' && beforeLast === 'import')) {
            return this.fail(lastAt, `invalid syntax: the line ends with \`${last}\``);
          }
        }
      } else if (c === '\\' && (this.isNewline(this.i + 1) || this.i + 1 >= text.length)) {
        if (this.i + 1 >= text.length || this.skipNewline(this.i + 1) >= text.length) {
          return this.fail(this.i, 'unexpected end of file after a line continuation `\\`');
        }
        this.i = this.skipNewline(this.i + 1);
      } else if (c === ' ' || c === '\t' || c === '\f') {
        this.i++;
      } else if (c === '"' || c === "'") {
        this.i = this.string(this.i, '');
        last = 'string';
      } else if (isWordStart(text.charCodeAt(this.i), text, this.i)) {
        const start = this.i;
        while (this.i < text.length) {
          const code = text.charCodeAt(this.i);
          if (!isWordPart(code, text, this.i)) break;
          this.i += code >= 0xd800 && code < 0xdc00 ? 2 : 1;
        }
        const word = text.slice(start, this.i);
        if ((text[this.i] === '"' || text[this.i] === "'") && /^[rRbBuUfF]{1,2}$/.test(word)) {
          this.i = this.string(this.i, word);
          last = 'string';
        } else last = word;
      } else if (isDigit(text.charCodeAt(this.i)) || (c === '.' && isDigit(text.charCodeAt(this.i + 1)))) {
        while (this.i < text.length && (isWordPart(text.charCodeAt(this.i), text, this.i) || text[this.i] === '.')) {
          const e = text[this.i] as string;
          this.i++;
          if ((e === 'e' || e === 'E') && (text[this.i] === '+' || text[this.i] === '-')) this.i++;
        }
        last = 'number';
      } else if (c === '(' || c === '[' || c === '{') {
        depth++;
        this.i++;
        last = c;
      } else if (c === ')' || c === ']' || c === '}') {
        depth = Math.max(0, depth - 1);
        this.i++;
        last = c;
      } else if (c.charCodeAt(0) > 0x7f) {
        const cp = text.codePointAt(this.i) as number;
        const hex = cp.toString(16).toUpperCase().padStart(4, '0');
        const printable = /[\p{L}\p{N}\p{P}\p{S}]/u.test(String.fromCodePoint(cp));
        return this.fail(this.i, printable ? `invalid character '${String.fromCodePoint(cp)}' (U+${hex})` : `invalid non-printable character U+${hex}`);
      } else {
        // `:=` is an operator, not the end of a header; `...` is a value, not a dot.
        last = c === ':' && text[this.i + 1] === '=' ? ':=' : text.startsWith('...', this.i) ? '...' : text.startsWith('->', this.i) ? '->' : c;
        this.i += last.length;
      }
    }
    if (!this.problem && !atLineStart && depth === 0 && last === ':') this.fail(text.length, 'expected an indented block (IndentationError)');
    else if (!this.problem && atLineStart && headerEnded) this.fail(text.length, 'expected an indented block (IndentationError)');
  }

  /** From the opening quote at k; returns the index after the closing quote (or where it gave up). */
  string(k: number, prefix: string): number {
    const { text } = this;
    const q = text[k] as string;
    const triple = text[k + 1] === q && text[k + 2] === q;
    const quote = triple ? q.repeat(3) : q;
    const formatted = /f/i.test(prefix);
    let i = k + quote.length;
    while (i < text.length) {
      const c = text[i];
      if (c === '\\') {
        // A backslash never takes an f-string's brace with it: `\{x}`, raw `\{{`.
        if (formatted && (text[i + 1] === '{' || text[i + 1] === '}')) i++;
        else i += this.isNewline(i + 1) ? this.skipNewline(i + 1) - i : 2;
        continue;
      }
      if (text.startsWith(quote, i)) return i + quote.length;
      if (!triple && this.isNewline(i)) {
        this.fail(k, 'unterminated string literal');
        return i;
      }
      if (formatted && c === '{') {
        if (text[i + 1] === '{') i += 2;
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
    let depth = 0;
    let i = k;
    while (i < text.length) {
      const c = text[i] as string;
      if (c === '"' || c === "'") {
        const word = /[rRbBuUfF]{1,2}$/.exec(text.slice(Math.max(k, i - 2), i))?.[0] ?? '';
        i = this.string(i, word);
      } else if (c === '#') {
        while (i < text.length && !this.isNewline(i)) i++;
      } else if (c === '(' || c === '[' || c === '{') {
        depth++;
        i++;
      } else if (c === ')' || c === ']') {
        depth = Math.max(0, depth - 1);
        i++;
      } else if (c === '}') {
        if (depth === 0) return i + 1;
        depth--;
        i++;
      } else if (c === ':' && depth === 0) {
        return this.formatSpec(i + 1);
      } else i++;
    }
    return i;
  }

  /** A format spec, from after its `:`; nested fields inside; returns the index after the field's `}`. */
  private formatSpec(k: number): number {
    const { text } = this;
    let i = k;
    while (i < text.length) {
      const c = text[i];
      if (c === '{') i = this.field(i + 1);
      else if (c === '}') return i + 1;
      else if (c === '"' || c === "'" || this.isNewline(i)) return i; // the enclosing string decides
      else i++;
    }
    return i;
  }
}

/** The first line-structure problem of a file, if any (CPython stops at its first). */
export function layoutProblems(text: string): SyntaxProblem[] {
  const layout = new Layout(text);
  layout.run();
  return layout.problem ? [layout.problem] : [];
}

/**
 * Where the string literal whose opening quote is at `k` ends (the index after its closing
 * quote), read as the layout scan reads it (f-string fields nested as PEP 701 allows); null
 * when it is not terminated.
 */
export function stringEnd(text: string, k: number, prefix: string): number | null {
  const layout = new Layout(text);
  const end = layout.string(k, prefix);
  return layout.problem || end > text.length ? null : end;
}
