// `handshake-guard fix`: a dry run prints a colored unified diff and a summary; --write applies
// atomically; --check exits 1 when anything would change (for pre-commit).
import { Chalk } from 'chalk';
import { UsageError } from '../errors.js';
import { runFix, type FixResult } from '../fix/fix.js';
import { unifiedPatch } from '../fix/patch.js';
import { escapeCodeLine, escapeControl } from '../report/escape.js';
import { useColor } from './color.js';
import { cacheOption, type CommonOptions } from './options.js';

export interface FixCliOptions extends CommonOptions {
  write?: boolean;
  check?: boolean;
  upgrade?: boolean;
  style?: 'inline' | 'helper';
  /** `--fail-on` given on the command line (it has a default, so its value cannot tell). */
  failOnGiven?: boolean;
  placement?: 'per-message' | 'before-loop';
  timeout?: string;
  interval?: string;
}

function seconds(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (!Number.isFinite(v) || v <= 0) throw new UsageError(`${name} must be a positive number of seconds (got "${value}")`);
  return v;
}

/**
 * The diff as printed. On a terminal (a TTY, or colors forced) every line has its control
 * characters shown escaped, so a scanned file cannot drive the terminal; piped, the patch stays
 * byte-exact so that `git apply` can take it.
 */
function colorDiff(patch: string, c: InstanceType<typeof Chalk>, terminal: boolean): string {
  return patch
    .split('\n')
    .map((raw) => {
      const l = terminal ? escapeCodeLine(raw) : raw;
      return l.startsWith('+') && !l.startsWith('+++') ? c.green(l) : l.startsWith('-') && !l.startsWith('---') ? c.red(l) : l.startsWith('@@') ? c.cyan(l) : l;
    })
    .join('\n');
}

export function summarize(result: FixResult, write: boolean): string {
  const fixed = result.files.flatMap((f) => (f.after !== null && !f.refused ? f.outcomes.filter((o) => o.skipped === null) : []));
  const files = result.files.filter((f) => f.after !== null && !f.refused).length;
  const skipped = result.files.flatMap((f) => f.outcomes.filter((o) => o.skipped !== null).map((o) => `${o.loop.file}:${o.loop.span.start.line} ${o.loop.function} (${o.skipped})`));
  const refused = result.files.filter((f) => f.refused).map((f) => `${f.file} (${f.refused})`);
  const verb = write ? 'fixed' : 'would be fixed';
  const parts = [`${fixed.length} loop${fixed.length === 1 ? '' : 's'} ${verb} in ${files} file${files === 1 ? '' : 's'}`];
  if (skipped.length) parts.push(`${skipped.length} skipped: ${skipped.join('; ')}`);
  if (refused.length) parts.push(`${refused.length} file${refused.length === 1 ? '' : 's'} left untouched: ${refused.join('; ')}`);
  return escapeControl(parts.join(', '));
}

export async function fixCommand(paths: string[], opts: FixCliOptions): Promise<number> {
  // fix prints a unified diff (or writes files): an option that shapes a report would be ignored,
  // so it is refused rather than accepted in silence.
  const unused = [
    opts.format.length > 0 ? '--format' : null,
    opts.output.length > 0 ? '--output' : null,
    opts.python !== undefined ? '--python' : null,
    opts.failOnGiven === true ? '--fail-on' : null,
    opts.strict === true ? '--strict' : null,
  ].filter((o) => o !== null);
  if (unused.length > 0) throw new UsageError(`fix does not take ${unused.join(', ')}: it prints a unified diff (--check, --write); use scan or verify for reports`);
  const timeout = seconds(opts.timeout, '--timeout');
  const interval = seconds(opts.interval, '--interval');
  const write = opts.write === true && opts.check !== true;
  // SIGINT/SIGTERM during --write: the file being written is finished (writes are synchronous and
  // atomic), no further one is started, and the run ends with what was done and exit code 2.
  const interrupt = new AbortController();
  const onSignal = (): void => {
    if (interrupt.signal.aborted) process.exit(2); // a second signal: leave now (between two files)
    interrupt.abort();
  };
  if (write) for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, onSignal);
  let result: FixResult;
  try {
    result = await runFix({
      cwd: process.cwd(),
      paths,
      ...(opts.config ? { configPath: opts.config } : {}),
      ...(opts.pythonVersion ? { pythonVersion: opts.pythonVersion } : {}),
      ...(opts.project ? { project: opts.project } : {}),
      ...(opts.types === false ? { types: false } : {}),
      ...(opts.require ? { require: opts.require } : {}),
      ...(opts.staged ? { staged: true } : {}),
      ...(opts.base !== undefined ? { base: opts.base } : {}),
      ...(opts.baseline !== undefined ? { baseline: opts.baseline } : {}),
      // The scan before the fix is a scan: the same threads, prefilter and result cache (the
      // re-checks of fixed texts use neither: they are not on disk).
      ...(opts.prefilter === false ? { prefilter: false } : {}),
      ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}),
      cache: cacheOption(opts),
      write,
      upgrade: opts.upgrade === true,
      ...(opts.style ? { style: opts.style } : {}),
      ...(opts.placement ? { placement: opts.placement } : {}),
      ...(timeout !== undefined ? { timeout } : {}),
      ...(interval !== undefined ? { interval } : {}),
      signal: interrupt.signal,
    });
  } finally {
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.off(s, onSignal);
  }
  const c = new Chalk({ level: useColor(opts, false) ? 1 : 0 });
  if (!write && !opts.quiet) {
    for (const f of result.files) {
      if (f.after === null) continue;
      const patch = unifiedPatch(f.file, f.before, f.after);
      process.stdout.write(`${colorDiff(patch, c, process.stdout.isTTY === true || useColor(opts, false))}\n`);
    }
  }
  // What the scan left out (too large, not in the index, a configuration not used), as scan says it.
  if (!opts.quiet) for (const note of result.scan.notes) process.stderr.write(`note: ${escapeControl(note)}\n`);
  process.stdout.write(`${summarize(result, write)}.\n`);
  if (interrupt.signal.aborted) {
    process.stderr.write('handshake-guard: interrupted; the files not written are left as they were\n');
    return 2;
  }
  const pending = result.files.some((f) => f.after !== null && !f.written);
  const unfixed = result.files.some((f) => f.refused !== null || f.outcomes.some((o) => o.skipped !== null));
  if (opts.check) return pending ? 1 : 0;
  if (write) return unfixed ? 1 : 0;
  return 0;
}
