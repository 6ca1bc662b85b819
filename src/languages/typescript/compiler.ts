// The TypeScript compiler, loaded once and only when a TS/JS file is scanned. The registry's
// `typescript@7` is the Go compiler (no createSourceFile); ts-morph bundles a usable `ts`.
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ts as TsNamespace } from 'ts-morph';
import { MAX_NESTING_DEPTH, NestingLimitError } from '../nesting.js';

export type TS = typeof TsNamespace;
export type TsNode = TsNamespace.Node;
export type TsSourceFile = TsNamespace.SourceFile;

let loaded: Promise<TS> | null = null;

export function loadTypeScript(): Promise<TS> {
  loaded ??= bundledCompiler();
  return loaded;
}

/**
 * The compiler file ts-morph bundles (@ts-morph/common's typescript.js, which is ts-morph's `ts`:
 * one module), without the rest of ts-morph — its lib .d.ts texts and project layer cost each
 * thread ~20 MB of heap and ~60 ms; only the type checker needs them (types.ts imports ts-morph).
 * Resolved from ts-morph's own directory; ts-morph whole if its layout ever differs.
 */
async function bundledCompiler(): Promise<TS> {
  try {
    const fromMorph = createRequire(createRequire(import.meta.url).resolve('ts-morph'));
    const ts = fromMorph(path.join(path.dirname(fromMorph.resolve('@ts-morph/common')), 'typescript.js')) as Partial<TS>;
    if (typeof ts.createSourceFile === 'function' && typeof ts.SyntaxKind === 'object') return ts as TS;
  } catch {
    // another layout: below
  }
  return (await import('ts-morph')).ts;
}

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

/** The script kind the parser needs for a file name (JSX only in .tsx/.jsx). */
export function scriptKindOf(ts: TS, fileName: string): TsNamespace.ScriptKind {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (lower.endsWith('.jsx')) return ts.ScriptKind.JSX;
  for (const ext of TS_EXTENSIONS) if (lower.endsWith(ext)) return ts.ScriptKind.TS;
  return ts.ScriptKind.JS;
}

/**
 * Parses one file; a file nested deeper than MAX_NESTING_DEPTH is refused with a
 * NestingLimitError, as the Python front end refuses one, so that the analysis's recursive
 * helpers (and the compiler's own, in the type checker) never see it. The parser itself recurses
 * per level: when it runs out of stack first, the file is deeper than the limit all the same.
 */
export function parseSource(ts: TS, fileName: string, text: string): TsSourceFile {
  let sf: TsSourceFile;
  try {
    // No JSDoc parse: nothing reads it (types come from syntax, provenance and the checker, which
    // parses its own program), and it is ~30% of the allocation of a commented declaration file.
    // JSDoc errors are not among a TS file's parse diagnostics, so the syntax row is the same.
    // Parents are set below, in the walk that measures the depth (the parser's own would be a
    // second walk of every tree).
    sf = ts.createSourceFile(fileName, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, scriptKindOf(ts, fileName));
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw new NestingLimitError(MAX_NESTING_DEPTH);
    throw e;
  }
  if (linkParents(sf, MAX_NESTING_DEPTH)) throw new NestingLimitError(MAX_NESTING_DEPTH);
  return sf;
}

/**
 * Sets every node's `parent`, as the parser does with `setParentNodes` (every child
 * `forEachChild` visits; a JSDoc-free tree has no others), and says whether the tree nests
 * deeper than `limit` (iterative: the deep trees are the point; a refused tree is dropped).
 */
function linkParents(root: TsNamespace.Node, limit: number): boolean {
  const nodes: TsNamespace.Node[] = [root];
  const depths: number[] = [0];
  while (nodes.length) {
    const n = nodes.pop() as TsNamespace.Node;
    const d = (depths.pop() as number) + 1;
    if (d > limit) return true;
    // A callback that returns a value stops forEachChild: this one returns nothing.
    n.forEachChild((c) => {
      (c as { parent: TsNamespace.Node }).parent = n;
      nodes.push(c);
      depths.push(d);
    });
  }
  return false;
}
