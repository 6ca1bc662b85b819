// Options shared by scan and verify (SPEC §6), parsed by commander and checked here.
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import type { RequirePolicy } from '../model.js';

export const FORMATS = ['text', 'markdown', 'json'] as const;
export type Format = (typeof FORMATS)[number];
// Listed in the SPEC; they arrive with the CI-gate work and are refused with a clear message until then.
const PLANNED_FORMATS = ['sarif', 'junit', 'github'];

export interface CommonOptions {
  config?: string;
  format: string;
  output?: string;
  base?: string;
  pythonVersion?: string;
  require?: RequirePolicy;
  failOn: 'error' | 'warning' | 'never';
  strict?: boolean;
  quiet?: boolean;
  color?: boolean;
  verbose?: boolean;
}

export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'configuration file (JSON, or TOML with [tool.handshake-guard])')
    .option('--format <format>', 'output format: text, markdown or json', 'text')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--base <ref>', 'git revision to compare public APIs against (default HEAD)')
    .option('--python-version <X.Y>', 'target Python version')
    .addOption(new Option('--require <kind>', 'guard a loop needs to pass').choices(['polling', 'check']))
    .addOption(new Option('--fail-on <level>', 'lowest severity that fails').choices(['error', 'warning', 'never']).default('error'))
    .option('--strict', 'a warn row fails the gate too')
    .option('-q, --quiet', 'print only findings and the gate result')
    .option('--no-color', 'no colors (also NO_COLOR)')
    .option('--verbose', 'stack traces for internal errors');
}

export function checkFormat(format: string): Format {
  if ((FORMATS as readonly string[]).includes(format)) return format as Format;
  if (PLANNED_FORMATS.includes(format)) throw new UsageError(`--format ${format} is not available yet (use text, markdown or json)`);
  throw new UsageError(`unknown --format "${format}" (use text, markdown or json)`);
}
