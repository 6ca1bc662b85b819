// HG011 in full: does this file parse on its target Python? Four layers, all on the tree the rest
// of the front end uses, plus one scan of the text:
//   syntax.ts          what tree-sitter cannot parse, Python 2 constructs
//   strict-grammar.ts  what tree-sitter accepts but CPython's parser rejects
//   version-syntax.ts  constructs newer than the target (and strings.ts / fstrings.ts for literals)
//   tokenizer.ts       indentation, TabError, stray characters
import type { Parser } from 'web-tree-sitter';
import type { Position, SyntaxProblem, TargetVersion } from '../../model.js';
import { checkFString311, checkFString312, checkInterpolation312, isFString } from './fstrings.js';
import type { PyNode } from './nodes.js';
import { PATTERN_TYPES, strictGrammar } from './strict-grammar.js';
import { checkConcatenation, checkStringLiteral } from './strings.js';
import { python2Problem, syntaxProblems, typeParameterDefaults } from './syntax.js';
import { syntaxTriggers, type TriggerRange, type Triggers } from './syntax-triggers.js';
import { lineStartsOf, pointAt } from './text-points.js';
import { scanLayout } from './tokenizer.js';
import { reportError, requireVersion, syntaxContext, targetAtLeast, versionGates, type SyntaxContext } from './version-syntax.js';

const MAX_PROBLEMS = 10;

const PY2_TYPES = new Set(['print_statement', 'exec_statement', 'integer', 'comparison_operator', 'string']);

/**
 * The node types a check looks at, for this target: the version gates that cannot fire are left
 * out, and so is `identifier` (the most common node; `async`/`await` names are found by text).
 */
function checkedTypes(ctx: SyntaxContext): string[] {
  const types = [
    'except_clause', 'with_clause', 'await', 'yield', 'dictionary', 'splat_type', 'named_expression', 'assignment', 'integer', 'float', 'augmented_assignment',
    'for_statement', 'for_in_clause', 'delete_statement', 'argument_list', 'parameters', 'lambda_parameters',
    'list_splat', 'as_pattern', 'try_statement', 'import_statement', 'import_from_statement', 'assert_statement',
    'raise_statement', 'string', 'concatenated_string', 'interpolation', 'format_expression',
    // Python 2 constructs (syntax.ts's, looked for here too when the tree has no error: one walk).
    'print_statement', 'exec_statement', 'comparison_operator',
    ...PATTERN_TYPES,
  ];
  const gates: [string[], number][] = [
    [['type_alias_statement', 'function_definition', 'class_definition'], 12],
    [['subscript', 'typed_parameter'], 11],
    [['match_statement'], 10],
    [['decorator'], 9],
    [['positional_separator', 'return_statement'], 8],
    [['binary_operator'], 5],
  ];
  for (const [gated, minor] of gates) if (!targetAtLeast(ctx, minor)) types.push(...gated);
  return types;
}

/** Runs every node check over a tree (of `text`); `descendantsOfType` builds only the nodes a check reads. */
function checkTree(root: PyNode, text: string, ctx: SyntaxContext, parser: Parser): void {
  // Subtrees not to enter: ERROR nodes (syntax.ts reports them).
  const skipped: [number, number][] = errorRanges(root);
  const fstrings = checkNodes(root.descendantsOfType(checkedTypes(ctx)), root.hasError, skipped, ctx, parser);
  keywordNames(root, text, ctx, [...skipped, ...fstrings]);
}

/**
 * The node checks over nodes in document order (ancestors before descendants). Below 3.12,
 * f-strings' subtrees are not entered: their fields are re-parsed as CPython 3.11 reads them.
 * Returns the f-strings' ranges.
 */
function checkNodes(nodes: Iterable<PyNode | null>, broken: boolean, skipped: [number, number][], ctx: SyntaxContext, parser: Parser): [number, number][] {
  const modern = targetAtLeast(ctx, 12);
  const fstrings: [number, number][] = [];
  let errors = 0;
  let skipEnd = -1;
  for (const n of nodes) {
    if (!n) continue;
    while (errors < skipped.length && (skipped[errors] as [number, number])[1] <= n.startIndex) errors++;
    const error = skipped[errors];
    if (n.startIndex < skipEnd || (error && error[0] <= n.startIndex)) continue;
    // Each property read is a call into the wasm module: read the type once, and ask only what can matter.
    const type = n.type;
    if (broken && n.isMissing) continue;
    // Keywords share their names with nodes (`yield`, `await`): only the nodes are checked.
    if ((type === 'yield' || type === 'await') && !n.isNamed) continue;
    versionGates(n, ctx, type);
    strictGrammar(n, ctx, type);
    // `<>` is the one Python 2 comparison: no need to list every comparison's children.
    if (PY2_TYPES.has(type) && (type !== 'comparison_operator' || n.text.includes('<>'))) {
      const p2 = python2Problem(n);
      if (p2) reportError(ctx, ctx.at(n), p2);
    }
    if (type === 'string') {
      const shape = checkStringLiteral(ctx, n);
      if (shape?.formatted && isFString(n)) {
        if (modern) checkFString312(ctx, n);
        else {
          checkFString311(ctx, n, (fstring, from, to, at) => checkField(fstring, from, to, at, ctx, parser));
          skipEnd = n.endIndex;
          fstrings.push([n.startIndex, n.endIndex]);
        }
      }
    } else if (type === 'concatenated_string') checkConcatenation(ctx, n);
    else if (type === 'interpolation' || type === 'format_expression') checkInterpolation312(ctx, n);
  }
  return fstrings;
}

/** More ranges than this and one walk of the whole tree is cheaper than a walk per range. */
const MAX_RANGES = 48;

/**
 * The cheap path (`syntax-triggers.ts`): only the nodes around what the text scan found, for a
 * tree without errors. The same node checks run on them, in the same order.
 */
function checkAround(root: PyNode, text: string, ctx: SyntaxContext, parser: Parser, triggers: Triggers): boolean {
  const all = checkedTypes(ctx);
  const checked = new Set(all);
  // Below 3.12 an f-string's inner nodes are skipped: ask for strings wherever the tree is visited.
  const types = [...triggers.types, ...(targetAtLeast(ctx, 12) ? [] : ['string'])].filter((t) => checked.has(t));
  // Below 3.12 an f-string's fields are re-read from its text (`checkFString311`): the string
  // node is all there is to find; from 3.12 its fields are in the tree, every type may be there.
  const groups: [TriggerRange[], string[]][] = [
    [merged(triggers.ranges), types],
    [merged(triggers.fstrings), targetAtLeast(ctx, 12) ? all : ['string']],
  ];
  if (groups.reduce((n, [ranges]) => n + ranges.length, 0) > MAX_RANGES) return false;
  const found = new Map<number, PyNode>();
  const lines = lineStartsOf(text);
  for (const [ranges, asked] of groups) {
    if (asked.length === 0) continue;
    for (const r of ranges) {
      for (const n of root.descendantsOfType(asked, pointAt(lines, r.start), pointAt(lines, r.end))) if (n && !found.has(n.id)) found.set(n.id, n);
    }
  }
  // Document order, ancestors first: as one walk of the tree gives them.
  const nodes = [...found.values()].sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
  const fstrings = checkNodes(nodes, false, [], ctx, parser);
  keywordNames(root, text, ctx, fstrings);
  return true;
}

function merged(ranges: TriggerRange[]): TriggerRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: TriggerRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

/**
 * The ERROR nodes' ranges in document order (outermost only), found by entering only subtrees
 * that contain an error. (`descendantsOfType` cannot be asked for ERROR together with other types.)
 */
function errorRanges(root: PyNode): [number, number][] {
  const out: [number, number][] = [];
  if (!root.hasError) return out;
  const stack: PyNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop() as PyNode;
    if (n.type === 'ERROR') {
      out.push([n.startIndex, n.endIndex]);
      continue;
    }
    const children = n.children;
    for (let i = children.length - 1; i >= 0; i--) {
      const c = children[i];
      if (c && (c.hasError || c.type === 'ERROR')) stack.push(c);
    }
  }
  return out;
}

/**
 * checkTree for a small error-free subtree (an f-string field): a plain walk, since each
 * `descendantsOfType` call first matches the requested names against every type of the grammar.
 */
function checkSmallTree(root: PyNode, ctx: SyntaxContext, parser: Parser): void {
  const types = new Set(checkedTypes(ctx));
  const stack: PyNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop() as PyNode;
    if (types.has(n.type) && n.isNamed) {
      versionGates(n, ctx);
      strictGrammar(n, ctx);
      if (n.type === 'string') {
        const shape = checkStringLiteral(ctx, n);
        if (shape?.formatted && isFString(n)) {
          checkFString311(ctx, n, (fstring, from, to, at) => checkField(fstring, from, to, at, ctx, parser));
          continue;
        }
      } else if (n.type === 'concatenated_string') checkConcatenation(ctx, n);
    }
    if (PY2_TYPES.has(n.type)) {
      const p2 = python2Problem(n);
      if (p2) reportError(ctx, ctx.at(n), p2);
    }
    if (n.type === 'identifier' && (n.text === 'async' || n.text === 'await')) strictGrammar(n, ctx);
    const children = n.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) {
      const c = children[i];
      if (c) stack.push(c);
    }
  }
}

/**
 * `async` and `await` used as names (keywords since 3.7): found in the parsed text (the file's,
 * not the root's: that one starts at the first token and would shift every offset, and copying it
 * out of the tree costs), confirmed on the tree.
 */
function keywordNames(root: PyNode, text: string, ctx: SyntaxContext, skipped: [number, number][]): void {
  if (!targetAtLeast(ctx, 7)) return;
  for (const m of text.matchAll(/\b(?:async|await)\b/g)) {
    const at = m.index;
    if (skipped.some(([from, to]) => at >= from && at < to)) continue;
    const n = root.descendantForIndex(at, at + 5);
    if (n && (n.type === 'identifier' || n.type === 'keyword_identifier') && n.startIndex === at && n.endIndex === at + 5) {
      strictGrammar(n, ctx);
    }
  }
}

const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);

/** `user`, `self.name`: nothing in them to check (most fields are like this). */
function isPlainName(expression: string): boolean {
  const m = /^\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*$/.exec(expression);
  return m !== null && (m[1] as string).split('.').every((part) => !KEYWORDS.has(part));
}

/**
 * An f-string field's expression for a target below 3.12, checked as the `(expression)` CPython
 * compiles: where tree-sitter's tree has a clean node for exactly that text, that node is checked
 * in place; otherwise the text is parsed again on its own.
 */
function checkField(fstring: PyNode, from: number, to: number, at: Position, ctx: SyntaxContext, parser: Parser): void {
  const expression = fstring.text.slice(from, to);
  if (isPlainName(expression)) return;
  const start = fstring.startIndex + from + (expression.length - expression.trimStart().length);
  const end = fstring.startIndex + to - (expression.length - expression.trimEnd().length);
  const node = fstring.descendantForIndex(start, end);
  const parent = node?.parent?.type;
  if (node && node.startIndex === start && node.endIndex === end && !node.hasError && (parent === 'interpolation' || parent === 'format_expression')) {
    checkSmallTree(node, ctx, parser);
    return;
  }
  recheck(expression, at, ctx, parser);
}

/** An f-string field's expression, parsed and checked as the `(expression)` CPython 3.11 compiles. */
function recheck(expression: string, at: Position, outer: SyntaxContext, parser: Parser): void {
  const source = `(${expression})`;
  const tree = parser.parse(source);
  if (!tree) return;
  try {
    const shift = (row: number, column: number): Position =>
      row === 0 ? { line: at.line, column: at.column + column - 1 } : { line: at.line + row, column: column + 1 };
    const ctx: SyntaxContext = { ...outer, at: (n) => shift(n.startPosition.row, n.startPosition.column) };
    for (const p of syntaxProblems(tree.rootNode)) {
      outer.problems.push({ ...p, position: shift(p.position.line - 1, p.position.column - 1) });
    }
    checkTree(tree.rootNode, source, ctx, parser);
  } finally {
    tree.delete();
  }
}

/**
 * Every HG011 problem of one Python file for its target version, first ten by position.
 * `cheap: false` always walks the whole tree (the cheap path is tested against it).
 */
export function pythonSyntaxProblems(root: PyNode, text: string, target: TargetVersion, parser: Parser, opts: { cheap?: boolean; original?: string } = {}): SyntaxProblem[] {
  const ctx = syntaxContext(target);
  // The file's own text, when the tree is of a text patched for a grammar gap (parser.ts).
  if (opts.original !== undefined && opts.original !== text) {
    const lines = lineStartsOf(text);
    for (const { at, misplacedStar } of typeParameterDefaults(opts.original, text)) {
      // Only a comma of a parameter list (the patch also reaches `def f[a=b]` in a docstring).
      if (root.descendantForIndex(at, at + 1)?.parent?.type !== 'type_parameter') continue;
      const { row, column } = pointAt(lines, at);
      const position = { line: row + 1, column: column + 1 };
      requireVersion(ctx, position, 'type parameter default', 13);
      if (misplacedStar) reportError(ctx, position, 'invalid syntax: only a `*` type parameter takes a starred default');
    }
  }
  // Without an ERROR or MISSING node, syntax.ts would only look for Python 2 constructs, which
  // checkTree's walk does too.
  const unparsed = root.hasError ? syntaxProblems(root) : [];
  ctx.problems.push(...unparsed);
  // The cheap path needs a tree without errors and a text the layout scan read to its end; the
  // same scan records the token stream it reads (none when it stopped on a problem, or when the
  // cheap path is off). Below 3.6 the triggers are 'full' whatever the tokens say: none are recorded.
  const cheap = opts.cheap !== false && !root.hasError && ctx.major === 3 && ctx.minor >= 6;
  const { problems: layout, tokens } = scanLayout(text, cheap);
  const triggers = syntaxTriggers(text, ctx.minor, tokens);
  if (triggers === 'full' || !checkAround(root, text, ctx, parser, triggers)) checkTree(root, text, ctx, parser);
  // After a spot tree-sitter cannot parse, the line structure is that error's consequence.
  const first = unparsed[0]?.position;
  const before = (p: SyntaxProblem): boolean =>
    !first || p.position.line < first.line || (p.position.line === first.line && p.position.column < first.column);
  ctx.problems.push(...layout.filter(before));
  const seen = new Set<string>();
  return ctx.problems
    .sort((a, b) => a.position.line - b.position.line || a.position.column - b.position.column)
    .filter((p) => {
      const key = `${p.position.line}:${p.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, MAX_PROBLEMS);
}
