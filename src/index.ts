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

/** Options of `fix` beyond a scan's: apply the changes, and the codemod's choices (SPEC §8). */
export interface FixApiOptions extends Partial<RunOptions> {
  /** Write the fixed files (atomic); default false: compute the changes only. */
  write?: boolean;
  upgrade?: boolean;
  style?: 'inline' | 'helper';
  placement?: 'per-message' | 'before-loop';
  timeout?: number;
  interval?: number;
}

export interface FixedLoop {
  file: string;
  line: number;
  function: string;
  /** What was done (null when skipped). */
  action: 'insert' | 'replace' | 'upgrade' | null;
  /** Why the loop was left alone, or null. */
  skipped: string | null;
}

export interface FixedFile {
  file: string;
  /** A unified diff of the change, or null when the file is left as it is. */
  diff: string | null;
  /** The fixed text, or null. */
  after: string | null;
  /** Why the whole file was left untouched (the re-scan refused it, or it changed on disk), or null. */
  refused: string | null;
  written: boolean;
  loops: FixedLoop[];
}

/** Runs the codemod (a dry run unless `write`); `report` is the scan it started from. */
export async function fix(options: FixApiOptions = {}): Promise<{ files: FixedFile[]; report: Report }> {
  const { runFix } = await import('./fix/fix.js');
  const { unifiedPatch } = await import('./fix/patch.js');
  const result = await runFix({ cwd: options.cwd ?? process.cwd(), paths: options.paths ?? ['.'], ...options, write: options.write === true, upgrade: options.upgrade === true });
  const files = result.files.map((f) => ({
    file: f.file,
    diff: f.after === null ? null : unifiedPatch(f.file, f.before, f.after),
    after: f.after,
    refused: f.refused,
    written: f.written,
    loops: f.outcomes.map((o) => ({ file: o.loop.file, line: o.loop.span.start.line, function: o.loop.function, action: o.action, skipped: o.skipped })),
  }));
  return { files, report: result.scan.report };
}
