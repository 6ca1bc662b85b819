// Where a report goes: stdout, or a file written whole (atomic-write.ts) so it is never half-written.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { writeReportFile } from '../atomic-write.js';
import { ioReason, UsageError } from '../errors.js';

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

/**
 * GitHub Actions: the markdown table also goes to the job summary (kept under its 1 MiB limit).
 * The gate's result is already out: a summary that cannot be written is a warning on stderr,
 * not a change of the exit code.
 */
export function appendStepSummary(markdown: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!stepSummaryWanted() || !file) return;
  const limit = 1024 * 1024 - 1024;
  const text = markdown.length > limit ? `${markdown.slice(0, limit)}\n\n…(truncated)\n` : markdown;
  try {
    appendFileSync(file, text);
  } catch (e) {
    process.stderr.write(`handshake-guard: warning: could not append the table to $GITHUB_STEP_SUMMARY (${file}): ${ioReason(e)}\n`);
  }
}
