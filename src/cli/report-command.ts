// scan and verify: run the pipeline, render the chosen format, decide the exit code.
import { run } from '../engine/run.js';
import type { CheckResult, Finding } from '../model.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderText } from '../report/text.js';
import { useColor } from './color.js';
import { checkFormat, type CommonOptions } from './options.js';
import { appendStepSummary, emit } from './output.js';

export type Mode = 'scan' | 'verify';

/** verify: any fail row (or warn row with --strict / --fail-on warning) fails the gate. */
export function verifyGateFails(checks: CheckResult[], opts: CommonOptions): boolean {
  if (opts.failOn === 'never') return false;
  const warnFails = opts.strict === true || opts.failOn === 'warning';
  return checks.some((c) => c.status === 'fail' || (warnFails && c.status === 'warn'));
}

/** scan: any live finding at or above --fail-on. */
export function scanFails(findings: Finding[], opts: CommonOptions): boolean {
  if (opts.failOn === 'never') return false;
  return findings.some((f) => !f.suppressed && (opts.failOn === 'warning' || f.severity === 'error'));
}

export async function reportCommand(mode: Mode, paths: string[], opts: CommonOptions): Promise<number> {
  const format = checkFormat(opts.format);
  const cwd = process.cwd();
  const result = await run({
    cwd,
    paths,
    ...(opts.config ? { configPath: opts.config } : {}),
    ...(opts.pythonVersion ? { pythonVersion: opts.pythonVersion } : {}),
    ...(opts.require ? { require: opts.require } : {}),
    ...(opts.base ? { base: opts.base } : {}),
  });
  const strict = opts.strict === true || opts.failOn === 'warning';
  let text: string;
  if (format === 'json') text = renderJson(result.report);
  else if (format === 'markdown') text = renderMarkdown(result.report, { strict });
  else {
    text = renderText({
      report: result.report,
      findings: result.findings,
      files: result.files,
      color: useColor(opts, Boolean(opts.output)),
      showTable: mode === 'verify',
      showLoops: mode === 'scan' && !opts.quiet,
      strict,
    });
  }
  emit(text, opts.output, cwd);
  if (!opts.quiet) for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
  if (mode === 'verify') appendStepSummary(renderMarkdown(result.report, { strict }));
  const fails = mode === 'verify' ? verifyGateFails(result.report.checks, opts) : scanFails(result.findings, opts);
  return fails ? 1 : 0;
}
