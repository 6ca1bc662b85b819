// HG011's cheap path. Every node check of `syntax-check.ts` can only report where the text holds
// a particular construct: a `*` standing alone, a keyword argument followed by a positional one,
// an `except` with a comma, a string with an escape, a number the literal grammar refuses… For a
// file tree-sitter parses without error, the token stream (`token-scan.ts`) is searched for those
// constructs, and the tree is only visited around what is found. Every trigger over-approximates:
// it may fire where the check then finds nothing, never the other way round. Where the scan is
// unsure (a token it cannot read, a target below 3.6) it answers 'full' and the full walk runs.
// `test/syntax-cheap-path.test.ts` holds both paths to the same problems.
import { NUMBER, PATTERN_TYPES } from './strict-grammar.js';
import { VALID_PREFIXES } from './strings.js';
import { CLOSE, END, NUM, OP, OPEN, STR, WORD, type Tokens } from './token-scan.js';

export interface TriggerRange {
  start: number;
  end: number;
}

export interface Triggers {
  /** Ranges (text offsets) around a construct some check looks at, and the node types to look for there. */
  ranges: TriggerRange[];
  types: Set<string>;
  /** f-strings, whose fields hold expressions of every kind: looked at with every checked type. */
  fstrings: TriggerRange[];
}

const HARD_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);
/** Keywords that open a compound statement: their statement's `:` at depth 0 ends its header. */
const HEADERS = new Set(['if', 'elif', 'else', 'while', 'for', 'try', 'except', 'finally', 'with', 'def', 'class', 'async']);
const VALUES = new Set(['True', 'False', 'None']);
const AUGMENTED = new Set(['+=', '-=', '*=', '/=', '//=', '%=', '**=', '>>=', '<<=', '&=', '^=', '|=', '@=']);
/** Tokens after which `*` is a star, not a multiplication, when they come before it. */
const SPLAT_AFTER = new Set(['[', ',', ':', '|', '=', '->', '(']);

/**
 * What to look at for a file of this target, or 'full' when only the full walk will do.
 * `tokens`: the text's stream as the layout scan recorded it (null: it could not).
 */
export function syntaxTriggers(text: string, minor: number, tokens: Tokens | null): Triggers | 'full' {
  // Annotations below 3.6 are on every assignment; without a stream there is nothing to search.
  if (minor < 6 || tokens === null) return 'full';
  return new Scan(tokens, text, minor).run();
}

class Scan {
  private readonly ranges: TriggerRange[] = [];
  private readonly fstrings: TriggerRange[] = [];
  private readonly types = new Set<string>();
  private readonly n: number;
  /** A string prefix tree-sitter may read differently from the scan: the tokens after it are not to be trusted. */
  private unsure = false;
  /** Where the `except` and `finally` words of the token stream start. */
  private readonly clauseStarts = new Set<number>();

  constructor(
    private readonly t: Tokens,
    private readonly text: string,
    private readonly minor: number,
  ) {
    this.n = t.kind.length;
    for (let i = 0; i < this.n; i++) if (t.kind[i] === WORD && (t.text[i] === 'except' || t.text[i] === 'finally')) this.clauseStarts.add(t.start[i] as number);
  }

  private add(types: string[], from: number, to = from): void {
    for (const type of types) this.types.add(type);
    this.ranges.push({ start: this.t.start[from] as number, end: this.t.end[to] as number });
  }

  private is(i: number, kind: number, text?: string): boolean {
    return this.t.kind[i] === kind && (text === undefined || this.t.text[i] === text);
  }

  /** A star or `**` that stands alone: what comes before it is not a value. */
  private isPrefixStar(i: number): boolean {
    const k = this.t.kind[i - 1];
    if (k === NUM || k === STR || k === CLOSE) return false;
    if (k === WORD) {
      const w = this.t.text[i - 1] as string;
      // Soft keywords too: `match *a:`, `print *a` may be read either way.
      return HARD_KEYWORDS.has(w) || w === 'match' || w === 'case' || w === 'type' || w === 'print' || w === 'exec';
    }
    return true;
  }

  /** The index of the next token at `depth` that is `:` (or END), from `from`; -1 when a bracket closes first. */
  private colonAt(from: number, depth: number): number {
    for (let j = from; j < this.n; j++) {
      const d = this.t.depth[j] as number;
      if (this.t.kind[j] === END) return j;
      if (d < depth) return -1;
      if (d === depth && this.is(j, OP, ':')) return j;
    }
    return this.n - 1;
  }

  /** The end of the statement that token i is in: END or `;` outside brackets. */
  private statementEnd(i: number): number {
    for (let j = i; j < this.n; j++) if (this.t.kind[j] === END || (this.is(j, OP, ';') && this.t.depth[j] === 0)) return j;
    return this.n - 1;
  }

  /** `name`, `a.b`, `a[i].c`: a target that can be annotated or augmented. */
  private isSimpleTarget(from: number, to: number): boolean {
    if (from >= to || !this.is(from, WORD) || HARD_KEYWORDS.has(this.t.text[from] as string)) return false;
    for (let j = from + 1; j < to; j++) {
      if (this.is(j, OP, '.') && this.is(j + 1, WORD) && !HARD_KEYWORDS.has(this.t.text[j + 1] as string)) j++;
      else if (this.is(j, OPEN, '[')) j = this.t.partner[j] as number;
      else return false;
    }
    return true;
  }

  run(): Triggers | 'full' {
    const { t } = this;
    let statement = 0;
    for (let i = 0; i < this.n; i++) {
      const kind = t.kind[i];
      const value = t.text[i] as string;
      if (kind === END || (kind === OP && value === ';' && t.depth[i] === 0)) {
        statement = i + 1;
        continue;
      }
      if (kind === WORD) this.word(i, value, statement);
      else if (kind === NUM) {
        if (!NUMBER.test(value)) this.add(['integer', 'float'], i);
      } else if (kind === STR) this.string(i);
      else if (kind === OPEN) this.open(i, value);
      else if (kind === OP) {
        if (t.depth[i] === 0 && value === ':') {
          const first = t.text[statement] as string;
          if (this.is(statement, WORD) && HEADERS.has(first)) statement = i + 1;
          else if (!(this.is(statement, WORD) && first === 'lambda') && !this.isSimpleTarget(statement, i)) this.add(['assignment'], i);
        } else if (t.depth[i] === 0 && AUGMENTED.has(value) && !this.isSimpleTarget(statement, i)) this.add(['augmented_assignment'], i);
        this.operator(i, value);
      }
    }
    return this.unsure ? 'full' : { ranges: this.ranges, types: this.types, fstrings: this.fstrings };
  }

  private operator(i: number, value: string): void {
    const { minor } = this;
    if (value === ':=') this.add(['named_expression'], i);
    else if (value === '<>') this.add(['comparison_operator'], i);
    else if (value === '@' || value === '@=') {
      if (minor < 9) this.add(['decorator', 'binary_operator', 'augmented_assignment'], i);
    } else if (value === '/') {
      if (minor < 8) this.add(['positional_separator'], i);
    } else if ((value === '*' || value === '**') && this.isPrefixStar(i)) {
      // `*x` where a check may object, `*Ts` and `**P` annotations, stars in subscripts (3.11)
      // and after `return`/`yield` (3.8).
      const types = ['list_splat', 'splat_type', 'subscript', 'typed_parameter', 'return_statement', 'yield'];
      if (value === '*' || SPLAT_AFTER.has(this.t.text[i - 1] as string)) this.add(types, i);
    }
  }

  /**
   * Whether the `try` at i is followed by an `except` or `finally` line at its own indentation,
   * judged on the text's lines: anything unusual (a `try` not first on its line, a line of the
   * body less indented, a tab) counts as not.
   */
  private clausesFollow(i: number): boolean {
    const { text } = this;
    const at = this.t.start[i] as number;
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    const indent = text.slice(lineStart, at);
    if (!/^ *$/.test(indent)) return false;
    for (let p = text.indexOf('\n', at); p >= 0 && p + 1 < text.length; p = text.indexOf('\n', p + 1)) {
      const line = text.slice(p + 1, text.indexOf('\n', p + 1) >>> 0);
      const body = line.trimStart();
      if (body === '' || body === '\r' || body.startsWith('#')) continue;
      const own = line.slice(0, line.length - body.length);
      if (own.length > indent.length && /^ *$/.test(own)) continue;
      // The clause must be a token: a line of a string that reads `except` is not one.
      return own === indent && this.clauseStarts.has(p + 1 + own.length);
    }
    return false;
  }

  private word(i: number, w: string, statement: number): void {
    const { t, minor } = this;
    switch (w) {
      case 'except': {
        // `except*`, `except A, B` (3.14), `except A, B as e`: a star or a comma in the header.
        if (this.is(i + 1, OP, '*')) return this.add(['except_clause', 'try_statement'], i);
        const depth = t.depth[i] as number;
        const colon = this.colonAt(i + 1, depth);
        if (colon < 0 || t.kind[colon] === END || this.has(i + 1, colon, (j) => t.depth[j] === depth && (this.is(j, OP, ',') || this.is(j, WORD, 'lambda')))) {
          this.add(['except_clause'], i);
        }
        return;
      }
      case 'with': {
        const colon = this.colonAt(i + 1, t.depth[i] as number);
        const last = colon > 0 ? colon - 1 : -1;
        if (colon < 0 || t.kind[colon] === END || this.is(last, OP, ',') || (minor < 10 && this.is(i + 1, OPEN, '('))) {
          this.add(['with_clause'], i, Math.max(i + 1, colon));
        }
        return;
      }
      case 'await': {
        // What may follow without parentheses: a name, a literal, a bracket, a call on them.
        const k = t.kind[i + 1];
        const next = t.text[i + 1] as string;
        const primary = (k === WORD && (!HARD_KEYWORDS.has(next) || VALUES.has(next))) || k === NUM || k === STR || k === OPEN || (k === OP && next === '...');
        if (!primary) this.add(['await'], i);
        return;
      }
      case 'yield':
        return this.add(['yield'], i);
      case 'del':
        return this.add(['delete_statement'], i);
      case 'try':
        if (!this.clausesFollow(i)) this.add(['try_statement'], i);
        return;
      case 'as': {
        // `except E as e:`, `with f() as g, h(x) as k:`: a plain name after a plain header.
        const first = t.text[statement] as string;
        if (this.is(statement, WORD) && (first === 'import' || first === 'from')) return; // `import a as b` is no as_pattern
        const plain =
          t.depth[i] === 0 && this.is(i + 1, WORD) && !HARD_KEYWORDS.has(t.text[i + 1] as string) && t.depth[i + 2] === 0 && (this.is(i + 2, OP, ':') || this.is(i + 2, OP, ','));
        if (!(plain && this.is(statement, WORD) && (first === 'except' || first === 'with' || first === 'async') && this.plainHeader(statement + 1, i))) {
          this.add(['as_pattern'], i);
        }
        return;
      }
      case 'import': {
        const end = this.statementEnd(i);
        if (this.is(end - 1, OP, ',')) this.add(['import_statement', 'import_from_statement'], i);
        return;
      }
      case 'assert': {
        const end = this.statementEnd(i);
        if (this.count(i + 1, end, (j) => this.is(j, OP, ',') && t.depth[j] === t.depth[i]) >= 2) this.add(['assert_statement'], i);
        return;
      }
      case 'raise': {
        const end = this.statementEnd(i);
        if (this.is(i + 1, WORD, 'from') || this.has(i + 1, end, (j) => this.is(j, OP, ',') && t.depth[j] === t.depth[i])) this.add(['raise_statement'], i);
        return;
      }
      case 'for':
        return this.forClause(i);
      case 'lambda': {
        // A lambda in a default (`lambda a=lambda: 0, b: …`) ends the scan at its own colon.
        const colon = this.colonAt(i + 1, t.depth[i] as number);
        if (colon < 0 || t.kind[colon] === END || this.has(i + 1, colon, (j) => this.is(j, WORD, 'lambda')) || this.parametersSuspect(i + 1, colon)) {
          this.add(['lambda_parameters'], i, Math.max(i + 1, colon));
        }
        return;
      }
      case 'def':
      case 'class':
        // Generic parameter lists (3.12): `def f[T](…)`, `class C[T]:`.
        if (minor < 12 && this.is(i + 2, OPEN, '[')) this.add(['function_definition', 'class_definition'], i, i + 2);
        return;
      case 'type':
        if (minor < 12) this.add(['type_alias_statement'], i);
        return;
      case 'match':
        if (minor < 10) this.add(['match_statement'], i);
        return;
      case 'case': {
        // A `case` header's patterns (mapping, class and complex ones have rules of their own), up to its `:`.
        if (statement !== i) return;
        const colon = this.colonAt(i + 1, t.depth[i] as number);
        this.add([...PATTERN_TYPES], i, Math.max(i, colon));
        return;
      }
      case 'print':
      case 'exec':
        // `print(x)` is a call; `print x` and `print (x)` may be Python 2 statements to tree-sitter.
        if (!(this.is(i + 1, OPEN, '(') && t.start[i + 1] === t.end[i])) this.add(['print_statement', 'exec_statement'], i);
        return;
      default:
        return;
    }
  }

  /**
   * Names, attributes, calls and subscripts (and `with`, `as`, commas between items) only: no
   * operator or keyword that could take an `as` into an expression of its own.
   */
  private plainHeader(from: number, to: number): boolean {
    for (let j = from; j < to; j++) {
      const kind = this.t.kind[j];
      const value = this.t.text[j] as string;
      if (kind === OPEN) j = this.t.partner[j] as number;
      else if (kind === WORD) {
        if (HARD_KEYWORDS.has(value) && value !== 'with' && value !== 'as') return false;
      } else if (!(kind === OP && (value === '.' || value === ','))) return false;
    }
    return true;
  }

  private has(from: number, to: number, test: (j: number) => boolean): boolean {
    for (let j = from; j < to; j++) if (test(j)) return true;
    return false;
  }

  private count(from: number, to: number, test: (j: number) => boolean): number {
    let n = 0;
    for (let j = from; j < to; j++) if (test(j)) n++;
    return n;
  }

  /** `for … in a, b` in a comprehension needs parentheses: a comma after `in` at the clause's depth. */
  private forClause(i: number): void {
    const { t } = this;
    const depth = t.depth[i] as number;
    let seenIn = false;
    for (let j = i + 1; j < this.n; j++) {
      const d = t.depth[j] as number;
      if (t.kind[j] === END || d < depth) return;
      if (d !== depth) continue;
      if (this.is(j, WORD, 'in')) seenIn = true;
      else if (seenIn && this.is(j, OP, ',')) return this.add(['for_in_clause'], i);
    }
  }

  private string(i: number): void {
    const { t, text } = this;
    const start = t.start[i] as number;
    const value = text.slice(start, t.end[i]);
    // The prefix as tree-sitter reads it: every letter before the quote.
    let p = start + (t.text[i] as string).length;
    const quote = p;
    while (p > 0 && /[A-Za-z]/.test(text[p - 1] as string)) p--;
    const prefix = text.slice(p, quote).toLowerCase();
    // `_f"…"`, `abc"…"`: letters the scan did not read as the prefix; it may have read the string wrong.
    if (!VALID_PREFIXES.has(prefix) || prefix !== (t.text[i] as string).toLowerCase()) {
      this.unsure = true;
      return;
    }
    const range = { start, end: t.end[i] as number };
    if (prefix.includes('f')) this.fstrings.push(range);
    else {
      if (prefix.includes('b') && /[^\x00-\x7f]/.test(value)) this.add(['string'], i);
      if (!prefix.includes('r') && /\\[xuUN]/.test(value)) this.add(['string'], i);
    }
    // `b"a" "b"`: bytes beside str.
    if (this.is(i + 1, STR)) {
      const bytes = (j: number): boolean => /b/i.test(t.text[j] as string);
      if (bytes(i) !== bytes(i + 1)) this.add(['concatenated_string'], i, i + 1);
    }
  }

  private open(i: number, value: string): void {
    const { t } = this;
    const close = t.partner[i] as number;
    if (value === '{') {
      if (this.is(i + 1, OP, ',')) this.add(['dictionary'], i);
      return;
    }
    if (value !== '(') return;
    // `(*a)` as a target.
    if (this.is(i + 1, OP, '*')) this.add(['assignment', 'augmented_assignment', 'for_statement', 'for_in_clause', 'with_clause'], i, i + 1);
    const def = this.is(i - 1, WORD) && this.is(i - 2, WORD, 'def');
    const generic = this.is(i - 1, CLOSE, ']') && this.is((t.partner[i - 1] as number) - 1, WORD) && this.is((t.partner[i - 1] as number) - 2, WORD, 'def');
    if (def || generic) {
      if (this.parametersSuspect(i + 1, close)) this.add(['parameters'], i, close);
    } else if (this.argumentsSuspect(i + 1, close)) this.add(['argument_list'], i, close);
  }

  /** The items between `from` and `to` (exclusive) at the depth of `from`, split at commas. */
  private items(from: number, to: number): [number, number][] {
    const depth = this.t.depth[from] as number;
    const out: [number, number][] = [];
    let start = from;
    for (let j = from; j < to; j++) {
      if (this.t.depth[j] === depth && this.is(j, OP, ',')) {
        out.push([start, j]);
        start = j + 1;
      }
    }
    if (start < to) out.push([start, to]);
    return out;
  }

  /** Positional after keyword, anything after `**`, an empty first item, a bare generator beside others. */
  private argumentsSuspect(from: number, to: number): boolean {
    if (from >= to) return false;
    if (this.is(from, OP, ',')) return true;
    const depth = this.t.depth[from] as number;
    const items = this.items(from, to);
    if (items.length > 1 && this.has(from, to, (j) => this.t.depth[j] === depth && this.is(j, WORD, 'for'))) return true;
    let keyword = false;
    let unpacked = false;
    for (const [a, b] of items) {
      if (a === b) return true;
      if (this.is(a, OP, '**')) unpacked = true;
      else if (this.is(a, OP, '*')) {
        if (unpacked) return true;
      } else if (this.is(a, WORD) && this.is(a + 1, OP, '=')) keyword = true;
      else if (keyword || unpacked) return true;
    }
    return false;
  }

  /** Defaults then a plain parameter, `/`, stars out of place, a parenthesised parameter. */
  private parametersSuspect(from: number, to: number): boolean {
    if (from >= to) return false;
    if (this.is(from, OP, ',')) return true;
    const depth = this.t.depth[from] as number;
    let star = false;
    let defaults = false;
    let afterDouble = false;
    const items = this.items(from, to);
    for (let k = 0; k < items.length; k++) {
      const [a, b] = items[k] as [number, number];
      if (a === b || afterDouble) return true;
      const first = this.t.text[a] as string;
      if (this.t.kind[a] === OPEN || (this.is(a, OP) && first !== '*' && first !== '**')) return true; // `(a, b)`, `/`
      if (first === '*') {
        if (star) return true;
        star = true;
        const next = items[k + 1];
        if (b === a + 1 && (next === undefined || this.is(next[0], OP, '**'))) return true;
      } else if (first === '**') afterDouble = true;
      else if (this.has(a, b, (j) => this.t.depth[j] === depth && this.is(j, OP, '='))) {
        if (!star) defaults = true;
      } else if (!star && defaults) return true;
    }
    return false;
  }
}
