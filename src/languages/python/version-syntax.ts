// HG011, version layer: constructs the target Python is too old for (SPEC §7). Each finding names
// the construct, the version that introduced it, and the target with the source that decided it.
import type { Position, SyntaxProblem, TargetVersion } from '../../model.js';
import { field, kids, named, startOf, type PyNode } from './nodes.js';

/** What every check of a file's syntax shares: the target, and where problems go. */
export interface SyntaxContext {
  target: TargetVersion;
  major: number;
  minor: number;
  problems: SyntaxProblem[];
  /**
   * Maps a node's position to the file's: identity for the file's own tree, a shift for the
   * re-parsed expressions of f-strings (`fstrings.ts`).
   */
  at(node: PyNode): Position;
}

export function syntaxContext(target: TargetVersion): SyntaxContext {
  const [major, minor] = target.pythonVersion.split('.').map(Number) as [number, number];
  return { target, major, minor, problems: [], at: startOf };
}

/** Whether the target is at least 3.`minor`. */
export function targetAtLeast(ctx: SyntaxContext, minor: number): boolean {
  return ctx.major > 3 || (ctx.major === 3 && ctx.minor >= minor);
}

/** `pyproject.toml (requires-python ">=3.11")` → `pyproject.toml`: messages stay one short line. */
export function sourceLabel(target: TargetVersion): string {
  return target.source.replace(/ \(.*\)$/, '');
}

/** A plain syntax error, whatever the version. */
export function reportError(ctx: SyntaxContext, position: Position, message: string): void {
  ctx.problems.push({ position, message: `syntax error: ${message}` });
}

/** `construct` needs Python 3.`minor`; reported only when the target is older. */
export function requireVersion(ctx: SyntaxContext, position: Position, construct: string, minor: number): void {
  if (targetAtLeast(ctx, minor)) return;
  const source = ctx.target.source === 'default' ? 'the default' : `from ${sourceLabel(ctx.target)}`;
  ctx.problems.push({ position, message: `${construct}: needs Python 3.${minor}, target is ${ctx.target.pythonVersion} (${source})` });
}

function isDottedName(n: PyNode): boolean {
  if (n.type === 'identifier') return true;
  if (n.type !== 'attribute') return false;
  const object = field(n, 'object');
  return object !== null && isDottedName(object);
}

/** Before 3.9 a decorator is a dotted name, optionally called once (PEP 614). */
function isClassicDecorator(expr: PyNode): boolean {
  if (isDottedName(expr)) return true;
  if (expr.type !== 'call') return false;
  const fn = field(expr, 'function');
  return fn !== null && isDottedName(fn);
}

/**
 * `with (a as b):`, `with (a as b,):`: tree-sitter reads the parentheses of a `with` list of one
 * item as an expression around it (a parenthesised expression, a one-element tuple). True for
 * such a node: the value of the only item of a clause without parentheses of its own.
 */
export function isWithList(n: PyNode): boolean {
  if (n.type !== 'parenthesized_expression' && n.type !== 'tuple') return false;
  const item = n.parent;
  const clause = item?.parent;
  if (item?.type !== 'with_item' || clause?.type !== 'with_clause' || field(item, 'value')?.id !== n.id) return false;
  return kids(clause)[0]?.type !== '(' && named(clause).length === 1;
}

/** Version gates on one node of the tree (f-strings are `fstrings.ts`'s). */
export function versionGates(n: PyNode, ctx: SyntaxContext, type: string = n.type): void {
  switch (type) {
    case 'type_alias_statement': {
      // tree-sitter also reads `type(x).attr = value` as a type alias; a real one names an alias.
      const left = field(n, 'left');
      const name = left ? named(left)[0] : null;
      if (name?.type === 'identifier' || name?.type === 'generic_type') requireVersion(ctx, ctx.at(n), '`type` statement', 12);
      return;
    }
    case 'function_definition':
    case 'class_definition': {
      const params = field(n, 'type_parameters');
      const what = type === 'class_definition' ? '`class`' : '`def`';
      if (params) requireVersion(ctx, ctx.at(params), `generic parameter list on ${what}`, 12);
      if (type === 'function_definition' && !targetAtLeast(ctx, 5) && kids(n).some((c) => c.type === 'async')) {
        requireVersion(ctx, ctx.at(n), '`async def`', 5);
      }
      return;
    }
    case 'except_clause': {
      const star = kids(n).find((c) => c.type === '*');
      if (star) requireVersion(ctx, ctx.at(star), '`except*`', 11);
      const values = n.childrenForFieldName('value').filter((c): c is PyNode => c !== null);
      if (values.length > 1 && !values.some((v) => v.type === 'as_pattern')) {
        requireVersion(ctx, ctx.at(values[1] as PyNode), '`except A, B:` without parentheses', 14);
      }
      return;
    }
    case 'match_statement':
      requireVersion(ctx, ctx.at(n), '`match` statement', 10);
      return;
    case 'with_clause': {
      // `with (a, b):` is a tuple to older Pythons; only `as` inside the parentheses needs 3.10,
      // whether tree-sitter gives the clause the parentheses or reads them around its one item.
      const items = named(n);
      const sole = items.length === 1 && items[0] ? field(items[0], 'value') : null;
      if (
        (kids(n)[0]?.type === '(' && items.some((item) => field(item, 'value')?.type === 'as_pattern')) ||
        (sole && isWithList(sole) && named(sole).some((c) => c.type === 'as_pattern'))
      ) {
        requireVersion(ctx, ctx.at(n), 'parenthesised context managers', 10);
      }
      return;
    }
    case 'named_expression':
      requireVersion(ctx, ctx.at(n), 'assignment expression `:=`', 8);
      return;
    case 'positional_separator':
      requireVersion(ctx, ctx.at(n), 'positional-only parameters (`/`)', 8);
      return;
    case 'decorator': {
      const expr = named(n)[0];
      if (expr && !isClassicDecorator(expr)) requireVersion(ctx, ctx.at(expr), 'decorator that is not a dotted name or call', 9);
      return;
    }
    case 'subscript':
      for (const s of n.childrenForFieldName('subscript')) {
        if (s?.type === 'list_splat') requireVersion(ctx, ctx.at(s), 'starred expression in a subscript', 11);
      }
      return;
    case 'typed_parameter': {
      const type = field(n, 'type');
      if (named(n)[0]?.type === 'list_splat_pattern' && type && named(type)[0]?.type === 'splat_type') {
        requireVersion(ctx, ctx.at(type), 'starred annotation on `*args`', 11);
      }
      return;
    }
    case 'return_statement':
    case 'yield': {
      const list = named(n).find((c) => c.type === 'expression_list');
      if (list && named(list).some((c) => c.type === 'list_splat')) {
        requireVersion(ctx, ctx.at(list), 'unparenthesised starred expression after `return`/`yield`', 8);
      }
      return;
    }
    case 'assignment':
      if (!targetAtLeast(ctx, 6) && field(n, 'type')) requireVersion(ctx, ctx.at(n), 'variable annotation', 6);
      return;
    case 'await':
      requireVersion(ctx, ctx.at(n), '`await`', 5);
      return;
    case 'integer':
    case 'float':
      if (!targetAtLeast(ctx, 6) && n.text.includes('_')) requireVersion(ctx, ctx.at(n), 'underscores in a number literal', 6);
      return;
    case 'binary_operator':
    case 'augmented_assignment':
      if (kids(n).some((c) => c.type === '@' || c.type === '@=')) requireVersion(ctx, ctx.at(n), 'matrix multiplication operator `@`', 5);
      return;
    default:
      return;
  }
}
