// The commander program: parses arguments, runs one command, maps errors to exit codes
// (0 passed, 1 gate failed, 2 usage/config/internal error — one line on stderr).
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../errors.js';
import { TOOL_VERSION } from '../version.js';
import type { BaselineCliOptions } from './baseline.js';
import type { FixCliOptions } from './fix.js';
import { addCommonOptions, addGateOptions, type CommonOptions } from './options.js';
import { guardStandardStreams } from './standard-streams.js';
import { setCliV8Flags } from './v8-flags.js';

/** Shared options `fix` refuses: they shape a report, and fix prints a diff (cli/fix.ts). */
const FIX_REFUSES = new Set(['--format', '--output', '--python', '--fail-on', '--strict']);

// Each command's module is imported when that command runs: a pre-commit hook pays Node's
// start-up on every commit, and `verify` needs neither the codemod (diff) nor `init`.

function program(setExit: (code: number) => void): Command {
  const p = new Command('handshake-guard')
    .description('Finds WebSocket message loops that receive before the handshake is validated, and verifies their guards.')
    .version(TOOL_VERSION)
    .exitOverride()
    // One line, worded as the tool's own usage errors: `handshake-guard: …`, not commander's `error: …` + a hint line.
    .configureOutput({ outputError: (message, write) => write(`handshake-guard: ${message.replace(/^error: /, '').trimEnd()} (run with --help for usage)\n`) });
  addGateOptions(addCommonOptions(
    p.command('scan', { isDefault: true })
      .description('list message loops and findings (default command)')
      .argument('[paths...]', 'files or directories', []),
  )).action(async (paths: string[], opts: CommonOptions) => setExit(await (await import('./report-command.js')).reportCommand('scan', paths, opts)));
  addGateOptions(addCommonOptions(
    p.command('verify')
      .description('print the verification table; exit 1 when the gate fails')
      .argument('[paths...]', 'files or directories', []),
  )).action(async (paths: string[], opts: CommonOptions) => setExit(await (await import('./report-command.js')).reportCommand('verify', paths, opts)));
  p.command('baseline')
    .description('record the current findings in .handshake-guard-baseline.json (for verify --baseline)')
    .argument('[paths...]', 'files or directories', [])
    .option('-c, --config <file>', 'configuration file (JSON, or TOML with [tool.handshake-guard])')
    .option('-o, --output <file>', 'where to write the baseline', '.handshake-guard-baseline.json')
    .option('--python-version <X.Y>', 'target Python version')
    .addOption(new Option('--require <kind>', 'guard a loop needs to pass').choices(['polling', 'check']))
    .option('-q, --quiet', 'no notes on stderr')
    .option('--no-color', 'no colors (it prints none; accepted as every command does)')
    .option('--verbose', 'stack traces for internal errors')
    .action(async (paths: string[], opts: BaselineCliOptions) => setExit(await (await import('./baseline.js')).baselineCommand(paths, opts)));
  const fix = addGateOptions(addCommonOptions(
    p.command('fix')
      .description('insert the bounded polling guard where it is missing (dry run: a diff)')
      .argument('[paths...]', 'files or directories', [])
      .option('--write', 'apply the changes (atomic writes)')
      .option('--check', 'exit 1 if anything would change (pre-commit)')
      .option('--upgrade', 'rewrite existing polling guards that break HG002–HG009 to the canonical block')
      .addOption(new Option('--style <style>', 'inline block, or one helper per module').choices(['inline', 'helper']))
      .addOption(new Option('--placement <where>', 'before the receive, or before the loop (default: Python per-message; TS/JS before the loop in a function, per message at the top level)').choices(['per-message', 'before-loop']))
      .option('--timeout <seconds>', "bound of the wait (default: the group's guards, else 3.0)")
      .option('--interval <seconds>', "sleep between checks (default: the group's guards, else 0.01)"),
  ), true);
  // Report options the shared parser takes and fix refuses (it prints a diff): not advertised.
  for (const o of fix.options) if (FIX_REFUSES.has(o.long ?? '')) o.hideHelp();
  fix.action(async (paths: string[], opts: FixCliOptions, cmd: Command) =>
    setExit(await (await import('./fix.js')).fixCommand(paths, { ...opts, failOnGiven: cmd.getOptionValueSource('failOn') === 'cli' })),
  );
  p.command('explain')
    .description("print a rule's documentation (no rule: list the rules)")
    .argument('[rule]', 'rule id or name, e.g. HG001 or receive-before-guard')
    .option('--no-color', 'no colors')
    .action(async (rule: string | undefined, opts: { color?: boolean }) => setExit((await import('./explain.js')).explainCommand(rule, opts)));
  p.command('init')
    .description('write handshake-guard.config.json and print pre-commit / CI snippets')
    .option('--force', 'overwrite an existing config file')
    .action(async (opts: { force?: boolean }) => setExit(await (await import('./init.js')).initCommand(opts)));
  return p;
}

export async function main(argv: string[]): Promise<number> {
  setCliV8Flags();
  const streams = guardStandardStreams();
  let code = 0;
  const verbose = argv.includes('--verbose');
  try {
    await program((c) => (code = c)).parseAsync(argv, { from: 'user' });
    return streams.failed() ? 2 : code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has already printed its message
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`handshake-guard: ${e.message}\n`);
      return 2;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    process.stderr.write(`handshake-guard: internal error: ${err.message.split('\n')[0]}${verbose ? '' : ' (run with --verbose for details)'}\n`);
    if (verbose && err.stack) process.stderr.write(`${err.stack}\n`);
    return 2;
  }
}
