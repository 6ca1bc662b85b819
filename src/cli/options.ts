// Options shared by scan and verify (SPEC §6), parsed by commander and checked here.
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import type { RequirePolicy } from '../model.js';

export const FORMATS = ['text', 'markdown', 'json', 'sarif', 'junit', 'github'] as const;
export type Format = (typeof FORMATS)[number];

/** A `--format` or `-o` value with its place on the command line, to pair each -o with its format. */
export interface Placed {
  value: string;
  seq: number;
}

let seq = 0;
function placed(value: string, previous: Placed[] | undefined): Placed[] {
  return [...(previous ?? []), { value, seq: seq++ }];
}

export interface CommonOptions {
  config?: string;
  /** Every `--format` given, in order (none: text). */
  format: Placed[];
  /** Every `-o` given; each writes the output of the `--format` before it. */
  output: Placed[];
  base?: string;
  staged?: boolean;
  baseline?: string;
  pythonVersion?: string;
  python?: string;
  /** `--project FILE`: type-aware TS/JS analysis with this tsconfig.json (default: the nearest one found). */
  project?: string;
  /** false with `--no-types`: no type checker for TS/JS even where a tsconfig.json is found. */
  types?: boolean;
  require?: RequirePolicy;
  failOn: 'error' | 'warning' | 'never';
  strict?: boolean;
  quiet?: boolean;
  color?: boolean;
  verbose?: boolean;
  /** false with `--no-prefilter`: run the loop analysis on every file (same results, slower; for checking the prefilter). */
  prefilter?: boolean;
  /** `--jobs N`: threads that analyse Python and TS/JS files, the main one included. */
  jobs?: number;
  /** `--no-cache`: false; `--cache` (the default): true. */
  cache?: boolean;
  /** `--cache-dir DIR`: where the result cache lives instead of the default directory. */
  cacheDir?: string;
}

/** What the run's `cache` option is: off, the default directory, or the one named. */
export function cacheOption(opts: Pick<CommonOptions, 'cache' | 'cacheDir'>): string | boolean {
  if (opts.cache === false) return false;
  return opts.cacheDir ?? true;
}

export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'configuration file (JSON, or TOML with [tool.handshake-guard])')
    .option('--format <format>', `output format: ${FORMATS.join(', ')} (repeatable: several outputs in one run)`, placed, [])
    .option('-o, --output <file>', 'write the output of the --format before it to a file instead of stdout', placed, [])
    .option('--python-version <X.Y>', 'target Python version')
    .option('--python <path>', 'cross-check the syntax row with this interpreter of the target version (ast.parse; runs no scanned code)')
    .option('--project <tsconfig>', "TS/JS: resolve socket types with this tsconfig.json's type checker (default: the nearest tsconfig.json above each file)")
    .option('--no-types', 'TS/JS: no type checker even where a tsconfig.json is found (imports and provenance only; faster)')
    .addOption(new Option('--require <kind>', 'guard a loop needs to pass').choices(['polling', 'check']))
    .addOption(new Option('--fail-on <level>', 'lowest severity that fails').choices(['error', 'warning', 'never']).default('error'))
    .option('--strict', 'a warn row (verify) or a warning (scan) fails the gate too')
    .option('-q, --quiet', 'print only findings and the gate result')
    .option('--no-color', 'no colors (also NO_COLOR)')
    .option('--verbose', 'stack traces for internal errors')
    .option('--no-prefilter', 'analyse every file for loops, not only those whose text can hold one (same results, slower)')
    // A directory is its own option (Ruff's --cache-dir): an optional value of --cache took the path to scan (`--cache app`).
    .option('--cache', 'reuse the results of unchanged files (the default)')
    .option('--no-cache', 'analyse every file again; read and write no cache')
    .option('--cache-dir <dir>', 'result cache directory (default: $HANDSHAKE_GUARD_CACHE_DIR, else $XDG_CACHE_HOME/handshake-guard, else ~/.cache/handshake-guard)')
    .option('--jobs <n>', 'threads that analyse files, the main one included (default: one per core, up to 4 for Python and 2 for TS/JS, on large scans; 1: no worker thread)', parseJobs);
}

/** `--staged`, `--base` and `--baseline`: what a gate looks at (scan and verify) or what fix touches. */
export function addGateOptions(cmd: Command, forFix = false): Command {
  return forFix
    ? cmd
        .option('--staged', 'fix the staged content of staged files (diffed against the index; --write writes a file only when its working tree matches the index)')
        .option('--base <ref>', 'only files changed since the merge base with REF')
        .option('--baseline <file>', 'leave alone the loops whose findings this baseline file records (see `baseline`)')
    : cmd
        .option('--staged', 'check the staged content of staged files, read from the git index (pre-commit)')
        .option('--base <ref>', 'only files changed since the merge base with REF; also the breaking-change base (default HEAD)')
        .option('--baseline <file>', 'fail only on findings not recorded in this baseline file (see `baseline`)');
}

function parseJobs(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`--jobs ${value}: give a whole number from 1 to 64`);
  return n;
}

export function checkFormat(format: string): Format {
  if ((FORMATS as readonly string[]).includes(format)) return format as Format;
  throw new UsageError(`unknown --format "${format}" (use ${FORMATS.join(', ')})`);
}

export interface OutputTarget {
  format: Format;
  /** The file to write, or null: stdout (stderr for `github`, so that stdout stays machine-readable). */
  file: string | null;
}

/**
 * Pairs every `-o` with the `--format` before it (an `-o` before any `--format` goes with the
 * first): `--format sarif -o x.sarif --format text` writes SARIF to x.sarif and text to stdout.
 */
export function resolveOutputs(opts: Pick<CommonOptions, 'format' | 'output'>): OutputTarget[] {
  const formats = opts.format.length > 0 ? opts.format : [{ value: 'text', seq: -1 }];
  const targets = formats.map((f) => ({ format: checkFormat(f.value), file: null as string | null, seq: f.seq }));
  for (const o of opts.output) {
    const before = targets.filter((t) => t.seq < o.seq);
    const target = before[before.length - 1] ?? targets[0];
    if (!target) continue;
    if (target.file !== null) {
      throw new UsageError(`-o ${o.value}: --format ${target.format} already writes to ${target.file} (give each --format its own -o)`);
    }
    target.file = o.value;
  }
  const toStdout = targets.filter((t) => t.file === null && t.format !== 'github');
  if (toStdout.length > 1) {
    throw new UsageError(
      `${toStdout.map((t) => `--format ${t.format}`).join(' and ')} would all write to stdout: give all but one of them -o FILE`,
    );
  }
  return targets.map(({ format, file }) => ({ format, file }));
}
