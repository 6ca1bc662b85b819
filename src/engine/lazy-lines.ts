// A FileAnalysis's `lines`, split from its text only when something asks (code frames, SARIF
// snippets). Its own module: a warm run that reuses every result loads no analyser.
import type { FileAnalysis } from '../model.js';

/**
 * A file's lines, split on first use (code frames, SARIF snippets): most files of a large scan
 * never need them, and holding every file's lines costs more memory than the texts. `source`
 * may be a reader: a result the cache reused by the file's stat was never read.
 */
export function withLazyLines(analysis: FileAnalysis, source: string | (() => string)): FileAnalysis {
  let lines: string[] | null = null;
  Object.defineProperty(analysis, 'lines', {
    get: () => (lines ??= (typeof source === 'string' ? source : source()).split(/\r?\n|\r/)),
    set: (v: string[]) => {
      lines = v;
    },
    enumerable: true,
    configurable: true,
  });
  return analysis;
}
