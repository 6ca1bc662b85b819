// A file the scan could not analyse: its result carries the reason, which `run` also prints as
// the file's note. One wording for the Python and TS/JS halves and the worker threads.
import { NestingLimitError } from '../languages/nesting.js';
import type { FileAnalysis } from '../model.js';
import type { DiscoveredFile } from './discover.js';

export function skippedAnalysis(d: Pick<DiscoveredFile, 'relPath' | 'absPath' | 'language'>, reason: string): FileAnalysis {
  return { file: d.relPath, absPath: d.absPath, language: d.language, skipped: reason, syntax: [], loops: [], suppressions: [], lines: [] };
}

const FAILED = 'analysis failed: ';

/** Why an analysis threw: the nesting limit says so itself; anything else is a failure, first line only. */
export function analysisFailure(e: unknown): string {
  return e instanceof NestingLimitError ? e.message : `${FAILED}${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
}

/** Whether a file was skipped because its analysis threw (a bug of this tool), not for what the file is. */
export function isAnalysisFailure(skipped: string | null): boolean {
  return skipped !== null && skipped.startsWith(FAILED);
}
