// The programmatic API (SPEC §11): the same objects the JSON output serialises.
import { run, type RunOptions } from './engine/run.js';
import type { Report } from './model.js';

export type * from './model.js';
export type { RunOptions } from './engine/run.js';

/** Scans paths and returns the report (loops, findings and the verification table). */
export async function scan(options: Partial<RunOptions> = {}): Promise<Report> {
  const result = await run({ cwd: options.cwd ?? process.cwd(), paths: options.paths ?? ['.'], ...options });
  return result.report;
}

/** Like scan; `passed` says whether the verification gate passes (no `fail` row; with strict, no `warn`). */
export async function verify(options: Partial<RunOptions> & { strict?: boolean } = {}): Promise<Report & { passed: boolean }> {
  const report = await scan(options);
  const passed = !report.checks.some((c) => c.status === 'fail' || (options.strict === true && c.status === 'warn'));
  return { ...report, passed };
}
