// A file the scan could not analyse: its result carries the reason, which `run` also prints as
// the file's note. One wording for the Python and TS/JS halves and the worker threads.
import { NestingLimitError } from '../languages/nesting.js';
import type { FileAnalysis } from '../model.js';
import type { DiscoveredFile } from './discover.js';

export function skippedAnalysis(d: Pick<DiscoveredFile, 'relPath' | 'absPath' | 'language'>, reason: string): FileAnalysis {
  return { file: d.relPath, absPath: d.absPath, language: d.language, skipped: reason, syntax: [], loops: [], suppressions: [], lines: [] };
}

const FAILED = 'analysis failed: ';

/** A script this long whose lines average more than MINIFIED_LINE characters is a minified bundle. */
const MINIFIED_MIN_CHARS = 8192;
const MINIFIED_LINE = 500;
const MINIFIED = 'minified';

/**
 * Why a TS/JS text is not analysed as source: a minified (generated) bundle, as Semgrep skips
 * them — nobody guards a loop in one by hand, a parse of one costs seconds, and a name-based
 * guess in one is noise (issue #8: a size cap / minified-file skip with a note). Null: source.
 */
export function minifiedReason(text: string): string | null {
  if (text.length < MINIFIED_MIN_CHARS) return null;
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  const average = Math.round(text.length / lines);
  return average > MINIFIED_LINE ? `${MINIFIED} (lines of ${average.toLocaleString('en-US')} characters on average): a generated bundle, not analysed` : null;
}

/** Whether a file was skipped as a minified bundle (not source: no warning for it). */
export function isMinifiedSkip(skipped: string | null): boolean {
  return skipped !== null && skipped.startsWith(`${MINIFIED} (`);
}

/** Why an analysis threw: the nesting limit says so itself; anything else is a failure, first line only. */
export function analysisFailure(e: unknown): string {
  return e instanceof NestingLimitError ? e.message : `${FAILED}${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
}

/** Whether a file was skipped because its analysis threw (a bug of this tool), not for what the file is. */
export function isAnalysisFailure(skipped: string | null): boolean {
  return skipped !== null && skipped.startsWith(FAILED);
}
