import { createRequire } from 'node:module';
import { Language, Parser, type Tree } from 'web-tree-sitter';

const require = createRequire(import.meta.url);
let parserPromise: Promise<Parser> | null = null;

/** One shared parser: loading the grammar costs ~0.15 s, parsing reuses it. */
export function loadParser(): Promise<Parser> {
  parserPromise ??= (async () => {
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

export type { Node as SyntaxNode, Tree } from 'web-tree-sitter';
