// The Python front end's entry: one file's source → its message loops, suppressions and syntax problems.
import type { Parser } from 'web-tree-sitter';
import type { FileAnalysis, TargetVersion } from '../../model.js';
import { findMessageLoops, type LoopOptions } from './loops.js';
import { buildModule } from './module.js';
import type { RepoIndex } from './repo-index.js';
import { findSuppressions } from './suppressions.js';
import { parseTolerant } from './parser.js';
import { pythonSyntaxProblems } from './syntax-check.js';
import { DEFAULT_PYTHON_TARGET } from './target-version.js';
import { withLazyLines } from '../../engine/lazy-lines.js';

export interface PythonAnalysisOptions extends Omit<LoopOptions, 'index'> {
  index: RepoIndex;
  parser: Parser;
  /** The Python version whose syntax the file must parse as (default: 3.10). */
  target?: TargetVersion;
  /** false: the prefilter proved the file holds no message loop; only syntax and suppressions are read. */
  loops?: boolean;
}

export function analyzePython(file: string, absPath: string, source: string, opts: PythonAnalysisOptions): FileAnalysis {
  // A file a helper lookup already parsed (same text, same name) is not parsed again: its module is the index's.
  const known = opts.index.parsedAs(absPath, file, source);
  const { tree, text } = known ? { tree: known.tree, text: known.module.source } : parseTolerant(opts.parser, source);
  const target = opts.target ?? DEFAULT_PYTHON_TARGET;
  try {
    const root = tree.rootNode;
    let loops: FileAnalysis['loops'] = [];
    if (opts.loops !== false) {
      const module = known?.module ?? buildModule(file, absPath, text, root);
      if (!known) opts.index.register(module);
      try {
        loops = findMessageLoops(module, file, { ...opts, index: opts.index });
      } finally {
        if (!known) opts.index.forget(absPath);
      }
    }
    const analysis: FileAnalysis = {
      file,
      absPath,
      language: 'python',
      skipped: null,
      syntax: pythonSyntaxProblems(root, text, target, opts.parser, { original: source }),
      target,
      loops,
      suppressions: findSuppressions(root, file, text),
      lines: [],
    };
    withLazyLines(analysis, source);
    return analysis;
  } finally {
    if (!known) tree.delete();
  }
}
