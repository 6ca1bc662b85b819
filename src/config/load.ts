// Finds, parses and validates the configuration (SPEC §10) and fills the defaults.
// Configuration is data only: files are read as text and parsed as JSON or TOML,
// nothing from the scanned repository is ever imported or evaluated.

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { pollsOf, worstCaseSeconds } from '../wait-bound.js';
import { readRegularText } from '../text-file.js';
import {
  DEFAULT_BOUNDS,
  DEFAULT_CONNECTION_NAMES,
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_RECEIVE_METHODS,
  type PollingHelper,
  type ResolvedConfig,
} from './types.js';
import { renderPath } from './keys.js';
import type { UserConfig } from './schema.js';

export const CONFIG_FILE_NAME = 'handshake-guard.config.json';
export const PYPROJECT_TABLE = 'handshake-guard';
export const PACKAGE_KEY = 'handshakeGuard';

type ConfigKind = 'json' | 'pyproject' | 'package';

interface FoundConfig {
  file: string;
  kind: ConfigKind;
  /** The configuration object itself (the table or key, for pyproject and package.json). */
  raw: unknown;
  /** Other files of the same directory that hold a configuration too and lose to this one. */
  shadows?: string[];
}

/** Where the section lives in its file, for key paths in messages. */
const PREFIX: Record<ConfigKind, readonly string[]> = {
  json: [],
  pyproject: ['tool', PYPROJECT_TABLE],
  package: [PACKAGE_KEY],
};

export async function loadConfig(opts: { cwd: string; configPath?: string }): Promise<ResolvedConfig> {
  const cwd = path.resolve(opts.cwd);
  const found =
    opts.configPath !== undefined ? await readExplicit(path.resolve(cwd, opts.configPath)) : await discover(cwd);
  if (found === null) return resolveConfig(null, cwd, {}, []);
  const user = await validate(found);
  return { ...resolveConfig(found.file, path.dirname(found.file), user, PREFIX[found.kind]), shadowed: found.shadows ?? [] };
}

function kindOf(file: string): ConfigKind {
  if (path.basename(file) === 'package.json') return 'package';
  if (path.extname(file).toLowerCase() === '.toml') return 'pyproject';
  return 'json';
}

async function readExplicit(file: string): Promise<FoundConfig> {
  const text = await readText(file, true);
  if (text === null) throw new UsageError(`cannot read config ${file}: file not found`);
  const kind = kindOf(file);
  const section = await extractSection(file, kind, text);
  if (section === undefined) {
    const where = kind === 'pyproject' ? `[tool.${PYPROJECT_TABLE}] table` : `"${PACKAGE_KEY}" key`;
    throw new UsageError(`invalid config ${file}: no ${where}`);
  }
  return { file, kind, raw: section };
}

/** The configuration file a run in `cwd` would use, and where in it (null: defaults only). */
export async function discoveredConfig(cwd: string): Promise<{ file: string; where: string } | null> {
  const found = await discover(path.resolve(cwd));
  if (!found) return null;
  return { file: found.file, where: found.kind === 'pyproject' ? `[tool.${PYPROJECT_TABLE}] table` : found.kind === 'package' ? `"${PACKAGE_KEY}" key` : 'file' };
}

/** From `cwd` up to the filesystem root; in each directory the first of the three files wins. */
async function discover(cwd: string): Promise<FoundConfig | null> {
  for (let dir = cwd; ; ) {
    const candidates: [string, ConfigKind, string][] = [
      [CONFIG_FILE_NAME, 'json', ''],
      // A cheap text test first, so that an unrelated (or broken) pyproject.toml or
      // package.json is neither parsed nor blamed.
      ['pyproject.toml', 'pyproject', PYPROJECT_TABLE],
      ['package.json', 'package', `"${PACKAGE_KEY}"`],
    ];
    for (const [i, [name, kind, marker]] of candidates.entries()) {
      const file = path.join(dir, name);
      const text = await readText(file);
      if (text === null || !text.includes(marker)) continue;
      const section = await extractSection(file, kind, text);
      if (section !== undefined) return { file, kind, raw: section, shadows: await shadowedIn(dir, candidates.slice(i + 1)) };
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * The later candidates of a directory that hold a configuration as well: a run says they are not
 * used rather than ignoring one in silence. A broken one is not blamed (it is not read as a config).
 */
async function shadowedIn(dir: string, rest: [string, ConfigKind, string][]): Promise<string[]> {
  const out: string[] = [];
  for (const [name, kind, marker] of rest) {
    const file = path.join(dir, name);
    try {
      const text = await readText(file);
      if (text !== null && text.includes(marker) && (await extractSection(file, kind, text)) !== undefined) out.push(file);
    } catch {
      // unreadable or invalid: not a configuration this run could have used
    }
  }
  return out;
}

/**
 * The file's text, or null when there is no such file (or, while discovering, something that is
 * not a regular file: a FIFO named package.json must not hang every command); any other failure
 * is a usage error.
 */
async function readText(file: string, explicit = false): Promise<string | null> {
  try {
    const text = readRegularText(file);
    if (text === null && explicit && existsSync(file) && !statSync(file).isDirectory()) throw new UsageError(`cannot read config ${file}: not a regular file`);
    return text;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read config ${file}: ${code ?? oneLine((err as Error).message)}`);
  }
}

/** The configuration object inside the file, or undefined when the file has none. */
async function extractSection(file: string, kind: ConfigKind, text: string): Promise<unknown> {
  if (kind === 'json') return parseJson(file, text);
  if (kind === 'package') {
    const doc = parseJson(file, text);
    return isRecord(doc) ? doc[PACKAGE_KEY] : undefined;
  }
  const doc = await parseTomlText(file, text);
  const tool = doc['tool'];
  return isRecord(tool) ? tool[PYPROJECT_TABLE] : undefined;
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    // V8 reports an offset ("at position 18"); editors want line and column.
    const offset = /at position (\d+)/.exec(message);
    const where = offset ? ` at ${lineAndColumn(text, Number(offset[1]))}` : '';
    const reason = oneLine(message.replace(/\s*in JSON at position \d+.*$/s, '').replace(/\s*\(line \d+ column \d+\)/, ''));
    throw new UsageError(`invalid config ${file}: invalid JSON${where}: ${reason}`);
  }
}

/** smol-toml is imported only when a pyproject.toml names the tool (most runs have no config file). */
async function parseTomlText(file: string, text: string): Promise<Record<string, unknown>> {
  const { parse: parseToml, TomlError } = await import('smol-toml');
  try {
    return parseToml(text);
  } catch (err) {
    if (err instanceof TomlError) {
      // The message carries a multi-line code frame; keep its first line only.
      const reason = oneLine(err.message.split('\n')[0] ?? '').replace(/^Invalid TOML document:\s*/, '');
      throw new UsageError(`invalid config ${file}: invalid TOML at line ${err.line}, column ${err.column}: ${reason}`);
    }
    throw new UsageError(`invalid config ${file}: invalid TOML: ${oneLine((err as Error).message)}`);
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${line}, column ${column}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The zod schema is imported here, once a config file is found. */
async function validate(found: FoundConfig): Promise<UserConfig> {
  const { describeIssue, normaliseKebabKeys, userConfigSchema } = await import('./schema.js');
  const prefix = PREFIX[found.kind];
  const fail = (problem: string): never => {
    throw new UsageError(`invalid config ${found.file}: ${problem}`);
  };
  if (!isRecord(found.raw) || found.raw instanceof Date) {
    const where = prefix.length > 0 ? `"${renderPath(prefix)}"` : 'the top level';
    fail(`${where} must be an object`);
  }
  let input = found.raw;
  if (found.kind === 'pyproject') {
    const normalised = normaliseKebabKeys(found.raw, prefix);
    if (!normalised.ok) fail(normalised.message);
    else input = normalised.value;
  }
  const result = userConfigSchema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const [first, ...rest] = result.error.issues;
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  return fail(`${first ? describeIssue(first, found.raw, prefix) : 'invalid'}${more}`);
}

/** The `guardHelpers` entries declared `"kind": "polling"` (the last entry of a name wins). */
function pollingHelpers(entries: NonNullable<UserConfig['guardHelpers']>): PollingHelper[] {
  const byName = new Map<string, PollingHelper | null>();
  for (const h of entries) {
    if (typeof h === 'string' || h.kind === 'check') {
      byName.set(typeof h === 'string' ? h : h.name, null);
      continue;
    }
    byName.set(h.name, {
      name: h.name,
      timeoutSeconds: h.timeoutSeconds ?? null,
      intervalSeconds: h.intervalSeconds ?? null,
      onTimeout: h.onTimeout ?? 'return-false',
      logsOnTimeout: h.logsOnTimeout ?? true,
      exitsOnTerminalState: h.exitsOnTerminalState ?? true,
    });
  }
  return [...byName.values()].filter((h): h is PollingHelper => h !== null);
}

function anchoredDotSlash(pattern: string): string {
  const negated = pattern.startsWith('!');
  const body = (negated ? pattern.slice(1) : pattern).replace(/^(?:\.\/)+/, '/');
  return `${negated ? '!' : ''}${body}`;
}

function appendUnique(base: readonly string[], extra: readonly string[] | undefined): string[] {
  return [...new Set([...base, ...(extra ?? [])])];
}

function resolveConfig(
  source: string | null,
  rootDir: string,
  user: UserConfig,
  prefix: readonly string[],
): ResolvedConfig {
  const range = (
    key: 'timeout' | 'interval',
    defaults: { min: number; max: number },
  ): { min: number; max: number } => {
    const given = user.bounds?.[key];
    const min = given?.min ?? defaults.min;
    const max = given?.max ?? defaults.max;
    // Checked after merging, so that a lone `min` above the default `max` is caught too.
    if (min > max) {
      const name = (end: string, from: number | undefined): string =>
        `"${renderPath([...prefix, 'bounds', key, end])}" (${from === undefined ? 'default ' : ''}${end === 'min' ? min : max})`;
      throw new UsageError(
        `invalid config ${source ?? rootDir}: ${name('min', given?.min)} must not exceed ${name('max', given?.max)}`,
      );
    }
    return { min, max };
  };
  const resolved: ResolvedConfig = {
    source,
    rootDir,
    // `./legacy/**` means `/legacy/**` (anchored at the configuration's directory) to anyone but
    // gitignore's syntax, where it matches nothing.
    include: (user.include ?? []).map(anchoredDotSlash),
    exclude: (user.exclude ?? []).map(anchoredDotSlash),
    require: user.require ?? 'polling',
    pythonVersion: user.pythonVersion ?? null,
    consistency: user.consistency ?? 'file',
    rules: { ...(user.rules ?? {}) },
    bounds: {
      timeoutSeconds: range('timeout', DEFAULT_BOUNDS.timeoutSeconds),
      intervalSeconds: range('interval', DEFAULT_BOUNDS.intervalSeconds),
      maxPolls: user.bounds?.polls?.max ?? DEFAULT_BOUNDS.maxPolls,
    },
    budgetSeconds: user.budget ?? 5,
    receiveMethods: appendUnique(DEFAULT_RECEIVE_METHODS, user.receiveMethods),
    connectionNames: appendUnique(DEFAULT_CONNECTION_NAMES, user.connectionNames),
    guardHelpers: appendUnique([], user.guardHelpers?.map((h) => (typeof h === 'string' ? h : h.name))),
    pollingHelpers: pollingHelpers(user.guardHelpers ?? []),
    defaults: {
      timeoutSeconds: user.defaults?.timeout ?? 3.0,
      intervalSeconds: user.defaults?.interval ?? 0.01,
      style: user.defaults?.style ?? 'auto',
    },
    requireSuppressionReason: user.suppressions?.requireReason ?? true,
    maxFileBytes: user.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
  };
  if (user.defaults?.timeout !== undefined || user.defaults?.interval !== undefined) checkDefaults(resolved, user, (msg) => new UsageError(`invalid config ${source ?? rootDir}: ${msg}`), prefix);
  return resolved;
}

/**
 * The `defaults` fix writes guards with must pass the checks the same configuration runs: inside
 * `bounds` and `polls.max` (HG008), and no longer than the `budget` (Performance row).
 */
function checkDefaults(config: ResolvedConfig, user: UserConfig, fail: (msg: string) => UsageError, prefix: readonly string[]): void {
  const { timeoutSeconds: timeout, intervalSeconds: interval } = config.defaults;
  const key = (...path: string[]): string => `"${renderPath([...prefix, ...path])}"`;
  const given = (value: number | undefined, path: string[], actual: number): string => `${key(...path)} (${value === undefined ? 'default ' : ''}${actual})`;
  const t = given(user.defaults?.timeout, ['defaults', 'timeout'], timeout);
  const i = given(user.defaults?.interval, ['defaults', 'interval'], interval);
  const outside = (value: number, range: { min: number; max: number }): boolean => value < range.min || value > range.max;
  if (outside(timeout, config.bounds.timeoutSeconds)) throw fail(`${t} is outside ${key('bounds', 'timeout')} (${config.bounds.timeoutSeconds.min}–${config.bounds.timeoutSeconds.max}): every guard fix writes would be reported by HG008`);
  if (outside(interval, config.bounds.intervalSeconds)) throw fail(`${i} is outside ${key('bounds', 'interval')} (${config.bounds.intervalSeconds.min}–${config.bounds.intervalSeconds.max}): every guard fix writes would be reported by HG008`);
  const polls = pollsOf(timeout, interval);
  if (polls > config.bounds.maxPolls) throw fail(`${t} with ${i} polls ${polls} times, over ${key('bounds', 'polls', 'max')} (${config.bounds.maxPolls}): every guard fix writes would be reported by HG008`);
  const worst = worstCaseSeconds(timeout, interval);
  if (worst > config.budgetSeconds) throw fail(`${t} with ${i} can wait ${Number(worst.toPrecision(12))} s, over ${key('budget')} (${config.budgetSeconds}): every guard fix writes would fail the Performance row`);
}
