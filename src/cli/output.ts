// Where a report goes: stdout, or a file written whole (temp file + rename) so it is never half-written.
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function emit(text: string, output: string | undefined, cwd: string): void {
  if (!output) {
    process.stdout.write(text);
    return;
  }
  const target = path.resolve(cwd, output);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, target);
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
