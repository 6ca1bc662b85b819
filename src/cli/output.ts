// Where a report goes: stdout, or a file written whole (atomic-write.ts) so it is never half-written.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { writeReportFile } from '../atomic-write.js';
import { UsageError } from '../errors.js';

export function emit(text: string, output: string | undefined, cwd: string): void {
  if (!output) {
    process.stdout.write(text);
    return;
  }
  try {
    writeReportFile(path.resolve(cwd, output), text, output);
  } catch (e) {
    // Exit 2 with the reason on one line.
    throw new UsageError((e as Error).message);
  }
}

/** Whether `appendStepSummary` writes anything (so the markdown is rendered only then). */
export function stepSummaryWanted(): boolean {
  return process.env.GITHUB_ACTIONS === 'true' && Boolean(process.env.GITHUB_STEP_SUMMARY);
}

/** GitHub Actions: the markdown table also goes to the job summary (kept under its 1 MiB limit). */
export function appendStepSummary(markdown: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!stepSummaryWanted() || !file) return;
  const limit = 1024 * 1024 - 1024;
  const text = markdown.length > limit ? `${markdown.slice(0, limit)}\n\n…(truncated)\n` : markdown;
  appendFileSync(file, text);
}
