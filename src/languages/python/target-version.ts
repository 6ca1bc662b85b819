// The Python version the code must parse under (SPEC §7), and where that came from:
// the verification table's syntax row names the source that decided.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { PYTHON_VERSION_HINT, PYTHON_VERSION_PATTERN } from '../../config/keys.js';
import type { ResolvedConfig } from '../../config/types.js';
import { UsageError } from '../../errors.js';
import { directoriesUp } from '../../paths.js';
import { readRegularText } from '../../text-file.js';
import type { TargetVersion } from '../../model.js';

export const DEFAULT_PYTHON_TARGET: TargetVersion = { pythonVersion: '3.10', source: 'default' };

interface Version {
  major: number;
  minor: number;
}

/** `>=3.9,<4` → 3.9. Null when the specifier has no lower bound or cannot be read. */
export function lowerBoundOf(specifier: string): string | null {
  const bound = specifierLowerBound(specifier);
  return bound ? `${bound.major}.${bound.minor}` : null;
}

export async function resolvePythonTarget(opts: {
  cliVersion?: string;
  config: ResolvedConfig;
  startDir: string;
  stopDir: string;
  /** Paths in `source` are relative to this directory (the working directory); default stopDir. */
  displayDir?: string;
}): Promise<TargetVersion> {
  if (opts.cliVersion !== undefined) {
    if (!PYTHON_VERSION_PATTERN.test(opts.cliVersion)) {
      throw new UsageError(`--python-version must be ${PYTHON_VERSION_HINT} (got "${opts.cliVersion}")`);
    }
    return { pythonVersion: opts.cliVersion, source: '--python-version' };
  }
  const { pythonVersion, source } = opts.config;
  if (pythonVersion !== null) {
    // Normally validated on load; checked again for configs built in code.
    if (!PYTHON_VERSION_PATTERN.test(pythonVersion)) {
      throw new UsageError(
        `invalid config ${source ?? '(defaults)'}: "pythonVersion" must be ${PYTHON_VERSION_HINT} (got "${pythonVersion}")`,
      );
    }
    return { pythonVersion, source: source ? path.basename(source) : 'config' };
  }

  const stopDir = path.resolve(opts.stopDir);
  const displayDir = path.resolve(opts.displayDir ?? stopDir);
  const label = (file: string): string => path.relative(displayDir, file).split(path.sep).join('/');
  for (const dir of directoriesUp(path.resolve(opts.startDir), stopDir)) {
    const found = await fromDirectory(dir, label, (file) => targetSourceText(file, existsSync));
    if (found) return found;
  }
  return { ...DEFAULT_PYTHON_TARGET };
}

/**
 * Targets per file, nearest file wins: `(dir) => target` for the directory of each scanned file.
 * Each directory's files are read once per run. `--python-version` and the config apply to every
 * file, and are checked here, before any file is read.
 */
export async function pythonTargetResolver(opts: {
  cliVersion?: string;
  config: ResolvedConfig;
  stopDir: string;
  displayDir?: string;
  /** Whether a file may exist, from a listing already read (the walk's); default: ask the file system. */
  mayExist?: (file: string) => boolean;
  /** Told every file looked at and what it held (null: none): what the targets rest on (report-memo.ts). */
  observe?: (file: string, text: string | null) => void;
}): Promise<(startDir: string) => Promise<TargetVersion>> {
  if (opts.cliVersion !== undefined || opts.config.pythonVersion !== null) {
    const fixed = await resolvePythonTarget({ ...opts, startDir: opts.stopDir });
    return async () => fixed;
  }
  const stopDir = path.resolve(opts.stopDir);
  const displayDir = path.resolve(opts.displayDir ?? stopDir);
  const label = (file: string): string => path.relative(displayDir, file).split(path.sep).join('/');
  const cache = new Map<string, Promise<TargetVersion | null>>();
  const exists = opts.mayExist ?? existsSync;
  const read = (file: string): string | null => {
    const text = targetSourceText(file, exists);
    opts.observe?.(file, text);
    return text;
  };
  return async (startDir) => {
    for (const dir of directoriesUp(path.resolve(startDir), stopDir)) {
      let found = cache.get(dir);
      if (!found) {
        found = fromDirectory(dir, label, read);
        cache.set(dir, found);
      }
      const target = await found;
      if (target) return target;
    }
    return { ...DEFAULT_PYTHON_TARGET };
  };
}

/** The target most files have (the first seen on a tie): the run's target in the report. */
export function mostCommonTarget(targets: readonly TargetVersion[]): TargetVersion | null {
  const counts = new Map<string, { target: TargetVersion; count: number }>();
  let best: { target: TargetVersion; count: number } | null = null;
  for (const t of targets) {
    const key = `${t.pythonVersion}\0${t.source}`;
    const entry = counts.get(key) ?? { target: t, count: 0 };
    entry.count++;
    counts.set(key, entry);
    if (best === null || entry.count > best.count) best = entry;
  }
  return best?.target ?? null;
}


/** A candidate source of the target (pyproject.toml, .python-version, …): its text, or null. */
export function targetSourceText(file: string, mayExist: (file: string) => boolean): string | null {
  // Most directories have none of these files: a failed open costs ~30 µs of CPU, existsSync
  // ~10 µs here (600 directories, 4 names each), a listing the walk read nothing.
  if (!mayExist(file)) return null;
  try {
    return readRegularText(file);
  } catch {
    return null;
  }
}

/** The sources one directory offers, in SPEC order; the first that yields a 3.x version wins. */
async function fromDirectory(dir: string, label: (file: string) => string, readText: (file: string) => string | null): Promise<TargetVersion | null> {
  const pyproject = path.join(dir, 'pyproject.toml');
  const pyprojectText = readText(pyproject);
  if (pyprojectText !== null) {
    for (const [key, spec] of await pyprojectSpecifiers(pyprojectText)) {
      const bound = specifierLowerBound(spec);
      if (bound) return target(bound, `${label(pyproject)} (${key} "${spec}")`);
    }
  }

  const pythonVersionFile = path.join(dir, '.python-version');
  const line = firstLine(readText(pythonVersionFile));
  // `3.11.4`, `pypy3.10-7.3.12`, `3.12-dev`; `system` and the like say nothing.
  const pinned = line === null ? null : versionIn(/(\d+)\.(\d+)/.exec(line));
  if (pinned) return target(pinned, `${label(pythonVersionFile)} ("${line}")`);

  const runtimeFile = path.join(dir, 'runtime.txt');
  const runtime = firstLine(readText(runtimeFile));
  const runtimeVersion = runtime === null ? null : versionIn(/^python-(\d+)\.(\d+)/i.exec(runtime));
  if (runtimeVersion) return target(runtimeVersion, `${label(runtimeFile)} ("${runtime}")`);

  const dockerfile = path.join(dir, 'Dockerfile');
  const dockerText = readText(dockerfile);
  const from = dockerText === null ? null : dockerPythonVersion(dockerText);
  if (from) return target(from.version, `${label(dockerfile)} (${from.line})`);
  return null;
}

function target(version: Version, source: string): TargetVersion {
  return { pythonVersion: `${version.major}.${version.minor}`, source };
}

/** Only Python 3 versions are usable targets; anything else is passed over. */
function versionIn(match: RegExpExecArray | null): Version | null {
  if (!match) return null;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major === 3 && Number.isSafeInteger(minor) ? { major, minor } : null;
}

function firstLine(text: string | null): string | null {
  if (text === null) return null;
  const line = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#'));
  return line ?? null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `[project] requires-python`, then Poetry's `[tool.poetry.dependencies] python`. */
async function pyprojectSpecifiers(text: string): Promise<[string, string][]> {
  // Imported on the first pyproject.toml: most pre-commit runs never read one.
  const { parse: parseToml } = await import('smol-toml');
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text);
  } catch {
    return []; // a broken pyproject.toml is not ours to report
  }
  const found: [string, string][] = [];
  const project = doc['project'];
  if (isRecord(project) && typeof project['requires-python'] === 'string') {
    found.push(['requires-python', project['requires-python']]);
  }
  const tool = doc['tool'];
  const poetry = isRecord(tool) ? tool['poetry'] : undefined;
  const deps = isRecord(poetry) ? poetry['dependencies'] : undefined;
  const python = isRecord(deps) ? deps['python'] : undefined;
  const poetrySpec = isRecord(python) ? python['version'] : python;
  if (typeof poetrySpec === 'string') found.push(['tool.poetry.dependencies.python', poetrySpec]);
  return found;
}

// One clause of a PEP 440 or Poetry constraint: operator (bare = exact) and version.
const CLAUSE = /(===|==|~=|!=|<=|>=|<|>|\^|~|=)?\s*v?(\d+(?:\.\d+)*)(?:\.\*)?[^\s,|]*/g;

function compare(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor;
}

/**
 * The lowest major.minor a specifier admits. Poetry's `||` alternatives take the lowest
 * of their bounds (and none if one alternative is unbounded below).
 */
function specifierLowerBound(specifier: string): Version | null {
  let lowest: Version | null = null;
  for (const alternative of specifier.split('||')) {
    const bound = conjunctionLowerBound(alternative);
    if (bound === null) return null;
    if (lowest === null || compare(bound, lowest) < 0) lowest = bound;
  }
  return lowest !== null && lowest.major === 3 ? lowest : null;
}

/**
 * Within one alternative the clauses all hold: the highest lower bound wins, and a minor a
 * wildcard exclusion rules out whole (`!=3.12.*`, `!=3.*`) is no bound: `!=3.12.*,>=3.12` → 3.13.
 * (`!=3.12` excludes 3.12.0 alone: 3.12.1 is still admitted.)
 */
function conjunctionLowerBound(text: string): Version | null {
  let highest: Version | null = null;
  const excluded: number[][] = [];
  for (const match of text.matchAll(CLAUSE)) {
    const op = match[1] ?? '==';
    const parts = (match[2] ?? '').split('.').map(Number);
    const major = parts[0] ?? 0;
    const minor = parts[1] ?? 0;
    if (op === '!=' && match[0].includes('.*') && parts.length <= 2) excluded.push(parts);
    let bound: Version | null;
    if (op === '<' || op === '<=' || op === '!=') bound = null;
    else if (op === '>' && parts.length === 1) bound = { major: major + 1, minor: 0 };
    // `>3.8` is meant as "3.9 and later"; `>3.8.1` still admits 3.8.2.
    else if (op === '>' && parts.length === 2) bound = { major, minor: minor + 1 };
    else bound = { major, minor };
    if (bound && (highest === null || compare(bound, highest) > 0)) highest = bound;
  }
  for (let moved = true; highest !== null && moved; ) {
    moved = false;
    for (const [major, minor] of excluded) {
      if (highest.major !== major || (minor !== undefined && highest.minor !== minor)) continue;
      highest = minor === undefined ? { major: major + 1, minor: 0 } : { major, minor: minor + 1 };
      moved = true;
    }
  }
  return highest;
}

/** The first `FROM python:X.Y…` (any registry prefix), with `ARG` defaults substituted. */
function dockerPythonVersion(text: string): { version: Version; line: string } | null {
  const args = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const arg = /^ARG\s+([A-Za-z_]\w*)=(?:"([^"]*)"|'([^']*)'|(\S*))/i.exec(line);
    if (arg?.[1] !== undefined) args.set(arg[1], arg[2] ?? arg[3] ?? arg[4] ?? '');
    const from = /^FROM\s+(?:--\S+\s+)*(\S+)/i.exec(line);
    if (from?.[1] === undefined) continue;
    const image = from[1].replace(
      /\$\{([A-Za-z_]\w*)(?::-([^}]*))?\}|\$([A-Za-z_]\w*)/g,
      (_, braced: string | undefined, fallback: string | undefined, bare: string | undefined) =>
        args.get(braced ?? bare ?? '') ?? fallback ?? '',
    );
    const version = versionIn(/^(?:\S*\/)?python:(\d+)\.(\d+)(?!\d)/i.exec(image));
    if (version) return { version, line: line.replace(/\s+/g, ' ') };
  }
  return null;
}
