// HG011, strict layer: what tree-sitter's grammar accepts but CPython's parser rejects — targets
// that cannot be assigned or deleted, argument and parameter order, where `:=`, `*x` and `as` may
// stand, `except*` rules, keywords used as names, number literals. Only what `ast.parse` itself
// rejects: errors CPython raises later, while compiling (`return` outside a function, `*a = b`),
// are not reported, because the module still parses.
import { field, kids, named, type PyNode } from './nodes.js';
import { isWithList, reportError, requireVersion, targetAtLeast, type SyntaxContext } from './version-syntax.js';

/** Named children without comments and `\\` line continuations (tree-sitter's extras). */
function parts(n: PyNode): PyNode[] {
  return named(n).filter((c) => c.type !== 'line_continuation');
}

function tokens(n: PyNode): PyNode[] {
  return kids(n).filter((c) => c.type !== 'line_continuation' && c.type !== 'comment');
}

type TargetKind = 'assign' | 'delete' | 'augmented' | 'annotated';

const NOUNS: Record<string, string> = {
  call: 'function call',
  integer: 'literal',
  float: 'literal',
  string: 'literal',
  concatenated_string: 'literal',
  true: 'True',
  false: 'False',
  none: 'None',
  ellipsis: 'ellipsis',
  conditional_expression: 'conditional expression',
  lambda: 'lambda',
  await: 'await expression',
  yield: 'yield expression',
  named_expression: 'named expression',
  list_comprehension: 'list comprehension',
  set_comprehension: 'set comprehension',
  dictionary_comprehension: 'dict comprehension',
  generator_expression: 'generator expression',
  dictionary: 'dict literal',
  set: 'set display',
  tuple: 'tuple',
  list: 'list',
  pattern_list: 'tuple',
  expression_list: 'tuple',
  tuple_pattern: 'tuple',
  list_pattern: 'list',
  list_splat: 'starred',
  list_splat_pattern: 'starred',
};

const SEQUENCES = new Set(['tuple', 'list', 'pattern_list', 'tuple_pattern', 'list_pattern', 'expression_list']);
const STARS = new Set(['list_splat', 'list_splat_pattern']);

/** tree-sitter reads `(a)` and `(*a)` as one-element tuples; without a comma they are parentheses. */
function isParenthesized(n: PyNode): boolean {
  if (n.type === 'parenthesized_expression') return true;
  return (n.type === 'tuple' || n.type === 'tuple_pattern') && parts(n).length === 1 && !tokens(n).some((c) => c.type === ',');
}

function nounOf(n: PyNode): string {
  return NOUNS[n.type] ?? 'expression';
}

/** Why `n` cannot be the target of an assignment, `del`, `+=` or annotation; null when it can. */
function targetProblem(n: PyNode, kind: TargetKind, top = true): string | null {
  switch (n.type) {
    case 'identifier':
    case 'keyword_identifier':
    case 'attribute':
    case 'subscript':
      return null;
    default:
      break;
  }
  if (isParenthesized(n)) {
    const inner = parts(n)[0];
    if (!inner) return null;
    if (STARS.has(inner.type)) return 'cannot use starred expression here';
    return targetProblem(inner, kind, kind === 'augmented' || kind === 'annotated' ? top : false);
  }
  if (SEQUENCES.has(n.type)) {
    if (kind === 'augmented') return `'${nounOf(n)}' is an illegal expression for augmented assignment`;
    if (kind === 'annotated' && top) return `only single target (not ${nounOf(n)}) can be annotated`;
    for (const el of parts(n)) {
      const p = STARS.has(el.type) ? starredTargetProblem(el, kind) : targetProblem(el, kind, false);
      if (p) return p;
    }
    return null;
  }
  if (STARS.has(n.type)) return starredTargetProblem(n, kind);
  if (kind === 'augmented') return `'${nounOf(n)}' is an illegal expression for augmented assignment`;
  if (kind === 'annotated') return 'illegal target for annotation';
  return `cannot ${kind === 'delete' ? 'delete' : 'assign to'} ${nounOf(n)}`;
}

function starredTargetProblem(n: PyNode, kind: TargetKind): string | null {
  if (kind === 'delete') return 'cannot delete starred';
  if (kind === 'annotated') return 'illegal target for annotation';
  if (kind === 'augmented') return "'starred' is an illegal expression for augmented assignment";
  const inner = parts(n)[0];
  return inner ? targetProblem(inner, kind, false) : null;
}

function checkTarget(ctx: SyntaxContext, n: PyNode | null, kind: TargetKind): void {
  if (!n) return;
  const problem = targetProblem(n, kind);
  if (problem) reportError(ctx, ctx.at(n), problem);
}

/** Positional after keyword, `*` after `**`, a bare generator beside other arguments. */
function checkArguments(ctx: SyntaxContext, n: PyNode): void {
  if (n.namedChildCount === 0 && tokens(n).some((t) => t.type === ',')) return reportError(ctx, ctx.at(n), 'invalid syntax: a comma with nothing before it');
  if (n.namedChildCount < 2) return; // one argument: nothing to be out of order (`f(x for x in y,)` is for_in_clause's)
  // Out of order needs a keyword or `**`; a bare generator needs `for`. Most calls have neither.
  const text = n.text;
  if (!text.includes('=') && !text.includes('**') && !text.includes('for')) return;
  let keyword = false;
  let keywordUnpacking = false;
  const args = parts(n);
  for (const a of args) {
    if (a.type === 'keyword_argument') keyword = true;
    else if (a.type === 'dictionary_splat') keywordUnpacking = true;
    else if (a.type === 'list_splat') {
      if (keywordUnpacking) reportError(ctx, ctx.at(a), 'iterable argument unpacking follows keyword argument unpacking');
    } else {
      if (keywordUnpacking) reportError(ctx, ctx.at(a), 'positional argument follows keyword argument unpacking');
      else if (keyword) reportError(ctx, ctx.at(a), 'positional argument follows keyword argument');
      if (a.type === 'generator_expression' && a.firstChild?.type !== '(' && args.length > 1) {
        reportError(ctx, ctx.at(a), 'Generator expression must be parenthesized');
      }
    }
  }
}

const STAR_PARAMS = new Set(['list_splat_pattern', 'keyword_separator']);

function paramKind(p: PyNode): string {
  if (p.type === 'typed_parameter') {
    const inner = parts(p)[0];
    if (inner && (inner.type === 'list_splat_pattern' || inner.type === 'dictionary_splat_pattern')) return inner.type;
    return 'identifier';
  }
  if (p.type === 'default_parameter' && field(p, 'name')?.type === 'tuple_pattern') return 'tuple_pattern';
  return p.type;
}

/** CPython's rules for `def`/`lambda` parameter lists. */
function checkParameters(ctx: SyntaxContext, n: PyNode): void {
  // Every rule here is about defaults, stars, `/` or parenthesised parameters.
  if (!/[=*/(]/.test(n.type === 'parameters' ? n.text.slice(1, -1) : n.text)) return;
  const params = parts(n);
  let slash = false;
  let star = false;
  let defaults = false;
  for (let i = 0; i < params.length; i++) {
    const p = params[i] as PyNode;
    const kind = paramKind(p);
    const at = ctx.at(p);
    if (i > 0 && paramKind(params[i - 1] as PyNode) === 'dictionary_splat_pattern') {
      reportError(ctx, at, 'arguments cannot follow var-keyword argument');
      return;
    }
    if (kind === 'positional_separator') {
      if (slash) return reportError(ctx, at, '/ may appear only once');
      if (star) return reportError(ctx, at, '/ must be ahead of *');
      if (i === 0) return reportError(ctx, at, 'at least one argument must precede /');
      slash = true;
    } else if (STAR_PARAMS.has(kind)) {
      if (star) return reportError(ctx, at, '* argument may appear only once');
      star = true;
      const next = params[i + 1];
      if (kind === 'keyword_separator' && (!next || paramKind(next) === 'dictionary_splat_pattern')) {
        return reportError(ctx, at, 'named arguments must follow bare *');
      }
    } else if (kind === 'tuple_pattern') {
      const what = n.type === 'lambda_parameters' ? 'Lambda expression parameters' : 'Function parameters';
      return reportError(ctx, at, `${what} cannot be parenthesized`);
    } else if (kind === 'default_parameter' || kind === 'typed_default_parameter') {
      if (!star) defaults = true;
    } else if (kind === 'identifier' && !star && defaults) {
      return reportError(ctx, at, 'non-default argument follows default argument');
    }
  }
}

function fieldIs(parent: PyNode, name: string, n: PyNode): boolean {
  return parent.childrenForFieldName(name).some((c) => c?.id === n.id);
}

/** Where an unparenthesised `:=` may stand (PEP 572, relaxed in 3.10). */
function checkNamedExpression(ctx: SyntaxContext, n: PyNode): void {
  const p = n.parent;
  if (!p) return;
  switch (p.type) {
    case 'parenthesized_expression':
    case 'list':
    case 'tuple':
    case 'argument_list':
    case 'decorator':
    case 'interpolation':
      return;
    case 'if_statement':
    case 'elif_clause':
    case 'while_statement':
      if (fieldIs(p, 'condition', n)) return;
      break;
    case 'list_comprehension':
    case 'generator_expression':
      if (fieldIs(p, 'body', n)) return;
      break;
    case 'match_statement':
      if (fieldIs(p, 'subject', n)) return;
      break;
    case 'if_clause':
      if (p.parent?.type === 'case_clause') return;
      break;
    case 'set':
      return requireVersion(ctx, ctx.at(n), 'unparenthesised `:=` in a set display', 10);
    case 'set_comprehension':
      if (fieldIs(p, 'body', n)) return requireVersion(ctx, ctx.at(n), 'unparenthesised `:=` in a set comprehension', 10);
      break;
    case 'subscript':
      if (fieldIs(p, 'subscript', n)) return requireVersion(ctx, ctx.at(n), 'unparenthesised `:=` in an index', 10);
      break;
    default:
      break;
  }
  reportError(ctx, ctx.at(n), 'an assignment expression `:=` must be parenthesised here');
}

/** What `await` may apply to without parentheses (CPython's `primary` and atoms). */
const PRIMARIES = new Set([
  'identifier', 'keyword_identifier', 'attribute', 'subscript', 'call', 'string', 'concatenated_string', 'integer',
  'float', 'true', 'false', 'none', 'ellipsis', 'list', 'list_comprehension', 'dictionary', 'dictionary_comprehension',
  'set', 'set_comprehension', 'tuple', 'parenthesized_expression', 'generator_expression',
]);
const TRAILERS = new Set(['call', 'attribute', 'subscript']);
const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'generator_expression']);

/** Where `*x` may stand as an expression (targets are checked with their statement). */
function checkStarred(ctx: SyntaxContext, star: PyNode): void {
  // tree-sitter binds `*` tighter than calls, attributes, subscripts and binary operators:
  // `*range(4)` comes out as a call of `*range`, `*a + b` as `(*a) + b`. The starred expression
  // is the outermost of those.
  let n = star;
  for (;;) {
    const p = n.parent;
    if (!p || parts(p)[0]?.id !== n.id) break;
    if (!TRAILERS.has(p.type) && p.type !== 'binary_operator') break;
    n = p;
  }
  const p = n.parent;
  if (!p) return;
  if (isParenthesized(p)) {
    reportError(ctx, ctx.at(n), 'cannot use starred expression here');
    return;
  }
  switch (p.type) {
    case 'list':
    case 'tuple':
    case 'set':
    case 'expression_list':
      if (p.type !== 'expression_list' || p.parent?.type !== 'delete_statement') {
        requireVersion(ctx, ctx.at(n), 'unpacking `*` in a display', 5);
      }
      return;
    case 'subscript':
      // `a[*b]` is gated in versionGates; `a[*b[k]]`, `a[*f()]` (read as `(*b)[k]`) here.
      if (n.id !== star.id && fieldIs(p, 'subscript', n)) requireVersion(ctx, ctx.at(n), 'starred expression in a subscript', 11);
      return;
    case 'argument_list':
    case 'expression_statement': // `*a` and `*a, b` as statements parse (the compiler rejects the first)
    case 'as_pattern_target': // `with a as *b:` parses (the compiler rejects it)
    case 'return_statement':
    case 'yield':
    case 'delete_statement': // reported as a `del` target
      return;
    case 'assignment':
    case 'augmented_assignment':
      if (fieldIs(p, 'right', n)) return;
      break;
    case 'for_statement':
      if (fieldIs(p, 'right', n)) return;
      break;
    case 'type': {
      // `def f(*args: *Ts)` (PEP 646)
      const param = p.parent;
      if (param?.type === 'typed_parameter' && parts(param)[0]?.type === 'list_splat_pattern') {
        requireVersion(ctx, ctx.at(n), 'starred annotation on `*args`', 11);
        return;
      }
      // `p: A[*T[k]]`: the subscript of a generic type in an annotation (PEP 646)
      if (param?.type === 'type_parameter' && param.parent?.type === 'generic_type') {
        requireVersion(ctx, ctx.at(n), 'starred expression in a subscript', 11);
        return;
      }
      break;
    }
    default:
      break;
  }
  if (COMPREHENSIONS.has(p.type) && fieldIs(p, 'body', n)) {
    reportError(ctx, ctx.at(n), 'iterable unpacking cannot be used in comprehension');
  } else reportError(ctx, ctx.at(n), 'cannot use starred expression here');
}

/** `as` belongs to `with`, `except`, `case` and imports only. */
function checkAsPattern(ctx: SyntaxContext, n: PyNode): void {
  // tree-sitter nests `x if c else y as f` and `lambda: x as f` as if `as` bound tighter than the
  // conditional or the lambda; CPython's `as` applies to the whole expression (freqtrade's
  // `with open(p) if p != "-" else sys.stdin as fh:`), so the `as` belongs where that expression stands.
  let p = n.parent;
  for (let c: PyNode = n; p && ((p.type === 'conditional_expression' && p.lastNamedChild?.id === c.id) || (p.type === 'lambda' && field(p, 'body')?.id === c.id)); c = p, p = p.parent);
  // `with (a as b):`, `with (a as b,):` — tree-sitter may read the parentheses as an expression
  // around the item (`with (a as b), c:` and `with ((a as b),):` are not with lists).
  if (p?.type === 'with_item' || (p && isWithList(p))) {
    const target = parts(field(n, 'alias') ?? n).at(0) ?? null;
    checkTarget(ctx, target, 'assign');
    return;
  }
  if (p?.type === 'except_clause') {
    const target = parts(field(n, 'alias') ?? n).at(0);
    if (target && target.type !== 'identifier') reportError(ctx, ctx.at(target), 'invalid syntax: `except … as` needs a plain name');
    return;
  }
  for (let a: PyNode | null = p; a; a = a.parent) {
    if (a.type === 'case_clause' || a.type === 'case_pattern') return;
    if (a.type.endsWith('statement') || a.type === 'block' || a.type === 'module') break;
  }
  reportError(ctx, ctx.at(n), 'invalid syntax: `as` outside `with`, `except` or `case`');
}

function checkTry(ctx: SyntaxContext, n: PyNode): void {
  const clauses = parts(n);
  const excepts = clauses.filter((c) => c.type === 'except_clause');
  const hasFinally = clauses.some((c) => c.type === 'finally_clause');
  if (excepts.length === 0 && !hasFinally) {
    reportError(ctx, ctx.at(n), "expected 'except' or 'finally' block");
    return;
  }
  if (excepts.length === 0 && clauses.some((c) => c.type === 'else_clause')) {
    reportError(ctx, ctx.at(n), "invalid syntax: 'else' without 'except'");
  }
  const starred = excepts.filter((e) => tokens(e).some((c) => c.type === '*'));
  if (starred.length > 0 && starred.length < excepts.length) {
    const first = excepts.find((e) => tokens(e).some((c) => c.type === '*') !== tokens(excepts[0] as PyNode).some((c) => c.type === '*'));
    reportError(ctx, ctx.at(first ?? n), "cannot have both 'except' and 'except*' on the same 'try'");
  }
}

function checkExcept(ctx: SyntaxContext, n: PyNode): void {
  const values = n.childrenForFieldName('value').filter((c): c is PyNode => c !== null);
  if (tokens(n).some((c) => c.type === '*') && values.length === 0) {
    reportError(ctx, ctx.at(n), 'expected one or more exception types');
  }
  if (values.length > 1 && values.some((v) => v.type === 'as_pattern')) {
    reportError(ctx, ctx.at(values[0] as PyNode), 'multiple exception types must be parenthesized');
  }
}

// Python's numeric literal grammar (the language reference, "Numeric literals").
const DIGITS = '[0-9](?:_?[0-9])*';
const POINT_FLOAT = `(?:(?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.)`;
const EXPONENT = `[eE][+-]?${DIGITS}`;
const FLOAT = `(?:${POINT_FLOAT}(?:${EXPONENT})?|${DIGITS}${EXPONENT})`;
export const NUMBER = new RegExp(
  `^(?:[1-9](?:_?[0-9])*|0+(?:_?0)*|0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|${FLOAT}|(?:${FLOAT}|${DIGITS})[jJ])$`,
);

/** Forms `syntax.ts` already reports as Python 2 literals. */
function isPython2Number(text: string): boolean {
  return /^0[0-9_]*[1-9][0-9_]*$/.test(text) || /[lL]$/.test(text);
}

function checkImport(ctx: SyntaxContext, n: PyNode): void {
  if (!n.text.trimEnd().endsWith(',')) return;
  const children = tokens(n).filter((c) => c.type !== 'comment');
  if (children.at(-1)?.type === ',' && !children.some((c) => c.type === '(')) {
    reportError(ctx, ctx.at(children.at(-1) as PyNode), 'trailing comma not allowed without surrounding parentheses');
  }
}

/** The node types of `case` patterns whose shape CPython's parser restricts further than tree-sitter's grammar. */
export const PATTERN_TYPES = ['dict_pattern', 'class_pattern', 'complex_pattern'] as const;

/** `{**rest}` last and once, and not `**_`; keyword patterns after the positional ones; `real ± imaginary`. */
function checkPattern(ctx: SyntaxContext, n: PyNode, type: string): void {
  if (type === 'dict_pattern') {
    const items = parts(n);
    const splats = items.filter((c) => c.type === 'splat_pattern');
    for (const splat of splats) {
      if (named(splat).length === 0) reportError(ctx, ctx.at(splat), 'invalid syntax: `**_` in a mapping pattern (leave it out)');
    }
    const first = splats[0];
    if (first && items.indexOf(first) !== items.length - 1) reportError(ctx, ctx.at(items[items.indexOf(first) + 1] as PyNode), 'invalid syntax: `**rest` must be the last item of a mapping pattern');
  } else if (type === 'class_pattern') {
    let keyword = false;
    for (const arg of parts(n).filter((c) => c.type === 'case_pattern')) {
      if (parts(arg)[0]?.type === 'keyword_pattern') keyword = true;
      else if (keyword) return reportError(ctx, ctx.at(arg), 'positional patterns follow keyword patterns');
    }
  } else {
    const numbers = parts(n);
    const real = numbers[0];
    const imaginary = numbers[numbers.length - 1];
    const isImaginary = (x: PyNode | undefined): boolean => x !== undefined && /[jJ]$/.test(x.text);
    if (numbers.length === 2 && !isImaginary(imaginary)) reportError(ctx, ctx.at(imaginary as PyNode), 'imaginary number required in complex literal');
    else if (numbers.length === 2 && isImaginary(real)) reportError(ctx, ctx.at(real as PyNode), 'real number required in complex literal');
  }
}

/** The strict checks for one node. */
export function strictGrammar(n: PyNode, ctx: SyntaxContext, type: string = n.type): void {
  switch (type) {
    case 'identifier':
    case 'keyword_identifier':
      if ((n.text === 'async' || n.text === 'await') && targetAtLeast(ctx, 7)) {
        reportError(ctx, ctx.at(n), `\`${n.text}\` is a keyword and cannot be used as a name`);
      }
      return;
    case 'assignment':
      checkTarget(ctx, field(n, 'left'), field(n, 'type') ? 'annotated' : 'assign');
      return;
    case 'augmented_assignment':
      checkTarget(ctx, field(n, 'left'), 'augmented');
      return;
    case 'for_statement':
      checkTarget(ctx, field(n, 'left'), 'assign');
      return;
    case 'for_in_clause': {
      checkTarget(ctx, field(n, 'left'), 'assign');
      const comma = n.text.includes(',') ? tokens(n).find((c) => c.type === ',') : undefined;
      if (comma) reportError(ctx, ctx.at(comma), 'invalid syntax: a tuple after `in` in a comprehension must be parenthesised');
      return;
    }
    case 'delete_statement': {
      const target = parts(n)[0];
      if (target) checkTarget(ctx, target, 'delete');
      return;
    }
    case 'argument_list':
      checkArguments(ctx, n);
      return;
    case 'parameters':
    case 'lambda_parameters':
      checkParameters(ctx, n);
      return;
    case 'named_expression':
      checkNamedExpression(ctx, n);
      return;
    case 'list_splat':
      checkStarred(ctx, n);
      return;
    case 'as_pattern':
      checkAsPattern(ctx, n);
      return;
    case 'try_statement':
      checkTry(ctx, n);
      return;
    case 'except_clause':
      checkExcept(ctx, n);
      return;
    case 'import_statement':
    case 'import_from_statement':
      checkImport(ctx, n);
      return;
    case 'await': {
      let operand: PyNode | undefined = parts(n)[0];
      // tree-sitter binds `**` tighter than `await`: `await x ** 2` is (await x) ** 2.
      while (operand?.type === 'binary_operator' && field(operand, 'operator')?.type === '**') operand = field(operand, 'left') ?? undefined;
      if (operand && !PRIMARIES.has(operand.type)) {
        reportError(ctx, ctx.at(operand), 'invalid syntax: `await` takes a primary expression (parenthesise the rest)');
      }
      return;
    }
    case 'yield': {
      // A bare `yield` stands alone, on the right of `=`, or in parentheses.
      const p = n.parent;
      const ok =
        p?.type === 'expression_statement' || p?.type === 'parenthesized_expression' || p?.type === 'interpolation' ||
        ((p?.type === 'assignment' || p?.type === 'augmented_assignment') && fieldIs(p, 'right', n));
      if (!ok) reportError(ctx, ctx.at(n), 'invalid syntax: `yield` must be parenthesised here');
      return;
    }
    case 'splat_type': {
      // `*Ts`/`**P` in a type parameter list; `*Ts` in a subscript (3.11) or on `*args` (3.11).
      const holder = n.parent?.parent;
      const double = n.firstChild?.type === '**';
      if (holder?.type === 'type_parameter') {
        const owner = holder.parent;
        const aliasType = owner?.type === 'generic_type' ? owner.parent : null;
        const alias = aliasType?.parent?.type === 'type_alias_statement' ? aliasType.parent : null;
        const declares =
          owner?.type === 'function_definition' || owner?.type === 'class_definition' || (alias !== null && aliasType !== null && fieldIs(alias, 'left', aliasType));
        if (declares) return;
        if (double) reportError(ctx, ctx.at(n), 'invalid syntax: `**` in a subscript');
        else requireVersion(ctx, ctx.at(n), 'starred expression in a subscript', 11);
        return;
      }
      if (holder?.type === 'typed_parameter' && parts(holder)[0]?.type === 'list_splat_pattern' && !double) return;
      reportError(ctx, ctx.at(n), 'invalid syntax: a starred annotation is only allowed on `*args`');
      return;
    }
    case 'dictionary':
      if (n.namedChildCount === 0 && tokens(n).some((t) => t.type === ',')) reportError(ctx, ctx.at(n), 'invalid syntax: a comma with nothing before it');
      return;
    case 'with_clause': {
      const t = tokens(n);
      if (t[0]?.type !== '(' && t.at(-1)?.type === ',') reportError(ctx, ctx.at(t.at(-1) as PyNode), 'invalid syntax: a trailing comma after `with` items needs parentheses');
      return;
    }
    case 'assert_statement':
      if (n.namedChildCount > 2 && parts(n).length > 2) reportError(ctx, ctx.at(parts(n)[2] as PyNode), 'invalid syntax: `assert` takes a test and at most one message');
      return;
    case 'raise_statement': {
      const first = tokens(n)[1];
      if (parts(n)[0]?.type === 'expression_list') reportError(ctx, ctx.at(n), 'Python 2 raise statement (use raise E(message))');
      else if (first?.type === 'from') reportError(ctx, ctx.at(first), 'invalid syntax: `raise from` needs an exception before `from`');
      return;
    }
    case 'integer':
    case 'float':
      if (!NUMBER.test(n.text) && !isPython2Number(n.text)) reportError(ctx, ctx.at(n), `invalid number literal \`${n.text}\``);
      return;
    case 'dict_pattern':
    case 'class_pattern':
    case 'complex_pattern':
      checkPattern(ctx, n, type);
      return;
    default:
      return;
  }
}

