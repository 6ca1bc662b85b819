// The nesting limit both front ends share: a file nested deeper is refused with one note, so
// recursive evaluators and parsers never meet a tree that could overflow the stack.

/**
 * How deep a syntax tree may nest before a file is not analysed. Real code stays under 30
 * levels (the standard library's deepest module: 29); CPython itself refuses 200 nested
 * parentheses and 100 indentation levels. The limit keeps every recursive evaluation (constant
 * folding, conditions, linear bounds) well inside the stack, and the parent climbs, which cost
 * O(depth) each in tree-sitter, fast. Python: a flat chain of plain terms (`"a" + "b" + …`)
 * counts one level (`deeperThan` in python/nodes.ts); TS/JS counts every level.
 */
export const MAX_NESTING_DEPTH = 500;

export class NestingLimitError extends Error {
  override name = 'NestingLimitError';
  constructor(readonly limit: number) {
    super(`nesting deeper than ${limit} levels: not analysed`);
  }
}
