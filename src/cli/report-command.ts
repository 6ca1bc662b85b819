// scan and verify: run the pipeline, render the chosen format, decide the exit code.
import { run, type RunResult } from '../engine/run.js';
import type { CheckResult, Finding } from '../model.js';
import { useColor } from './color.js';
import { cacheOption, resolveOutputs, type CommonOptions, type Format } from './options.js';
import { appendStepSummary, emit, stepSummaryWanted } from './output.js';
import { createProgress, type ProgressCounts } from './progress.js';

export type Mode = 'scan' | 'verify';

/** verify: any fail row (or warn row with --strict / --fail-on warning) fails the gate. */
export function verifyGateFails(checks: CheckResult[], opts: CommonOptions): boolean {
  if (opts.failOn === 'never') return false;
  const warnFails = opts.strict === true || opts.failOn === 'warning';
  return checks.some((c) => c.status === 'fail' || (warnFails && c.status === 'warn'));
}

/** scan: any live finding at or above --fail-on; a warning too with --strict (as Semgrep's `--strict`). */
export function scanFails(findings: Finding[], opts: CommonOptions): boolean {
  if (opts.failOn === 'never') return false;
  const warnFails = opts.strict === true || opts.failOn === 'warning';
  return findings.some((f) => !f.suppressed && (warnFails || f.severity === 'error'));
}

export async function reportCommand(mode: Mode, paths: string[], opts: CommonOptions): Promise<number> {
  const targets = resolveOutputs(opts);
  const cwd = process.cwd();
  const progress = createProgress(opts);
  const result = await run({
    cwd,
    paths,
    ...(opts.prefilter === false ? { prefilter: false } : {}),
    ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}),
    // On by default (scan and verify), outside the repository: see engine/cache-location.ts.
    cache: cacheOption(opts),
    ...(progress ? { onProgress: (p: ProgressCounts) => progress.update(p) } : {}),
    ...(opts.config ? { configPath: opts.config } : {}),
    ...(opts.pythonVersion ? { pythonVersion: opts.pythonVersion } : {}),
    ...(opts.python ? { python: opts.python } : {}),
    ...(opts.project ? { project: opts.project } : {}),
    ...(opts.types === false ? { types: false } : {}),
    ...(opts.require ? { require: opts.require } : {}),
    ...(opts.base ? { base: opts.base } : {}),
    ...(opts.staged ? { staged: true } : {}),
    ...(opts.baseline ? { baseline: opts.baseline } : {}),
  }).finally(() => progress?.stop());
  const strict = opts.strict === true || opts.failOn === 'warning';
  const render = (format: Format, toFile: boolean): Promise<string> => renderFormat(format, { mode, opts, result, cwd, strict, toFile });
  // Files first, then stdout; annotations go to stderr so that stdout stays machine-readable.
  for (const t of targets) if (t.file !== null) emit(await render(t.format, true), t.file, cwd);
  for (const t of targets) if (t.file === null && t.format !== 'github') emit(await render(t.format, false), undefined, cwd);
  for (const t of targets) if (t.file === null && t.format === 'github') process.stderr.write(await render(t.format, false));
  if (opts.verbose && result.cache) {
    const { escapeControl } = await import('../report/escape.js');
    const c = result.cache;
    const whole = c.report ? '; the whole report reused (nothing it rests on changed)' : '';
    process.stderr.write(`note: cache ${escapeControl(c.file)}: ${c.hits} reused (${c.unread} unread: unchanged since cached), ${c.misses} analysed${whole}\n`);
    for (const p of c.problems) process.stderr.write(`note: cache: ${escapeControl(p)}\n`);
  }
  if (!opts.quiet && (result.notes.length > 0 || (result.baseline?.stale.length ?? 0) > 0)) {
    const { escapeControl } = await import('../report/escape.js');
    for (const note of result.notes) process.stderr.write(`note: ${escapeControl(note)}\n`);
    const stale = result.baseline?.stale ?? [];
    if (result.baseline && stale.length > 0) {
      const n = stale.reduce((sum, e) => sum + e.count, 0);
      const listed = stale.slice(0, 5).map((e) => escapeControl(`${e.ruleId} ${e.file}${e.function ? ` ${e.function}` : ''}`));
      const more = stale.length > 5 ? `, and ${stale.length - 5} more` : '';
      process.stderr.write(
        `note: baseline ${result.baseline.file}: ${n} recorded finding${n === 1 ? ' is' : 's are'} gone (${listed.join(', ')}${more}); ` +
          'run `handshake-guard baseline` to shrink it\n',
      );
    }
  }
  if (mode === 'verify' && stepSummaryWanted()) appendStepSummary((await import('../report/markdown.js')).renderMarkdown(result.report, { strict, enforced: opts.failOn !== 'never', python: result.files.some((f) => f.language === 'python') }));
  const fails = mode === 'verify' ? verifyGateFails(result.report.checks, opts) : scanFails(result.findings, opts);
  return fails ? 1 : 0;
}

/** Renders one format; each reporter's module is imported only when its format is asked for. */
async function renderFormat(
  format: Format,
  c: { mode: Mode; opts: CommonOptions; result: RunResult; cwd: string; strict: boolean; toFile: boolean },
): Promise<string> {
  const { result, cwd, strict } = c;
  switch (format) {
    case 'json':
      return (await import('../report/json.js')).renderJson(result.report);
    case 'markdown':
      return (await import('../report/markdown.js')).renderMarkdown(result.report, { strict, enforced: c.opts.failOn !== 'never', python: result.files.some((f) => f.language === 'python') });
    case 'sarif':
      return (await import('../report/sarif.js')).renderSarif({ report: result.report, findings: result.findings, files: result.files, cwd, root: result.root });
    case 'junit':
      return (await import('../report/junit.js')).renderJunit({ report: result.report, findings: result.findings, loops: result.loops, cwd, root: result.root, strict });
    case 'github':
      return (await import('../report/github.js')).renderGithub({ report: result.report, findings: result.findings, cwd, root: result.root, strict });
    case 'text':
      return (await import('../report/text.js')).renderText({
        report: result.report,
        findings: result.findings,
        files: result.files,
        color: useColor(c.opts, c.toFile),
        showTable: c.mode === 'verify',
        gateOnly: c.opts.quiet === true,
        showLoops: c.mode === 'scan' && !c.opts.quiet,
        strict,
        enforced: c.opts.failOn !== 'never',
      });
  }
}
