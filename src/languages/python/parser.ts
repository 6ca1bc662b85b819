import { createRequire } from 'node:module';
import type { Parser, Tree } from 'web-tree-sitter';
import { MAX_NESTING_DEPTH, NestingLimitError } from '../nesting.js';
import { deeperThan } from './nodes.js';
import { grammarWorkarounds } from './syntax.js';

const require = createRequire(import.meta.url);
let parserPromise: Promise<Parser> | null = null;

/** One shared parser: loading the grammar costs ~0.15 s, parsing reuses it. */
export function loadParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    // Imported here: a scan whose results all come from the cache never loads tree-sitter.
    const { Language, Parser } = await import('web-tree-sitter');
    await Parser.init();
    const language = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

/** Parses Python source. The caller must call `tree.delete()` when done (wasm memory is not GC'd). */
export async function parsePython(source: string): Promise<Tree> {
  const parser = await loadParser();
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

/** Parses, runs `use`, and frees the tree whatever happens. */
export async function withPythonTree<T>(source: string, use: (tree: Tree) => T): Promise<T> {
  const tree = await parsePython(source);
  try {
    return use(tree);
  } finally {
    tree.delete();
  }
}

/**
 * Parses, working around grammar gaps where CPython accepts what tree-sitter rejects. A tree
 * nested deeper than MAX_NESTING_DEPTH is freed and refused with a NestingLimitError, which the
 * scan reports as a note on that file. A lone CR ends a line for CPython but not for tree-sitter's
 * rows: it is parsed as LF (same length, so every offset stays), and lines are numbered as CPython does.
 */
export function parseTolerant(parser: Parser, raw: string): { tree: Tree; text: string } {
  const source = raw.includes('\r') ? raw.replace(/\r(?!\n)/g, '\n') : raw;
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  if (deeperThan(tree.rootNode, MAX_NESTING_DEPTH)) {
    tree.delete();
    throw new NestingLimitError(MAX_NESTING_DEPTH);
  }
  if (!tree.rootNode.hasError) return { tree, text: source };
  for (const patched of grammarWorkarounds(source, tree.rootNode)) {
    const retry = parser.parse(patched);
    if (retry && !retry.rootNode.hasError) {
      tree.delete();
      return { tree: retry, text: patched };
    }
    retry?.delete();
  }
  return { tree, text: source };
}

export type { Node as SyntaxNode, Tree } from 'web-tree-sitter';
