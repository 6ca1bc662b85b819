// Progress on stderr for long scans (issue #8): a cli-progress bar, shown only on a terminal,
// only once the scan has run for half a second, never in CI (`CI` set and not "false"/"0"),
// when stderr is piped or redirected, or with --quiet.
import { createRequire } from 'node:module';
import type cliProgress from 'cli-progress';

// Loaded when a bar is first drawn (a pre-commit run never draws one and should not pay for it).
const load = (): typeof cliProgress => createRequire(import.meta.url)('cli-progress') as typeof cliProgress;

export interface ProgressCounts {
  read: number;
  parsed: number;
  total: number;
}

export interface ProgressReporter {
  update(p: ProgressCounts): void;
  stop(): void;
}

const DELAY_MS = 500;

export function progressWanted(opts: { quiet?: boolean }, env: NodeJS.ProcessEnv = process.env, stream: NodeJS.WriteStream = process.stderr): boolean {
  if (opts.quiet === true) return false;
  const ci = env['CI'];
  if (ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0') return false;
  return stream.isTTY === true;
}

/** A reporter that draws nothing until DELAY_MS have passed, then a bar of parsed / total with the read count. */
export function createProgress(opts: { quiet?: boolean }, stream: NodeJS.WriteStream = process.stderr): ProgressReporter | null {
  if (!progressWanted(opts, process.env, stream)) return null;
  const started = Date.now();
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(p) {
      if (!bar) {
        if (Date.now() - started < DELAY_MS || p.total === 0) return;
        const bars = load();
        bar = new bars.SingleBar(
          {
            stream,
            format: 'scanning {bar} {percentage}% | {parsed}/{total} files parsed, {read} read | {duration_formatted}',
            hideCursor: true,
            clearOnComplete: true,
            barsize: 30,
            fps: 10,
          },
          bars.Presets.shades_classic,
        );
        bar.start(p.total, p.parsed, { read: p.read, parsed: p.parsed });
        return;
      }
      bar.update(p.parsed, { read: p.read, parsed: p.parsed });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
