import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import type { ResolvedConfig } from '../src/config/types.js';
import { UsageError } from '../src/errors.js';
import { run } from '../src/engine/run.js';
import { lowerBoundOf, mostCommonTarget, pythonTargetResolver, resolvePythonTarget } from '../src/languages/python/target-version.js';

let tmp: string;
let config: ResolvedConfig;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'hg-target-'));
  config = await loadConfig({ cwd: tmp });
});

afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function put(rel: string, content: string): Promise<void> {
  const file = path.join(tmp, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

function resolve(opts: { cliVersion?: string; config?: ResolvedConfig; startDir?: string } = {}) {
  return resolvePythonTarget({
    ...(opts.cliVersion !== undefined ? { cliVersion: opts.cliVersion } : {}),
    config: opts.config ?? config,
    startDir: opts.startDir ?? tmp,
    stopDir: tmp,
  });
}

describe('resolvePythonTarget: the order of sources', () => {
  beforeEach(async () => {
    await put('pyproject.toml', '[project]\nrequires-python = ">=3.9"\n');
    await put('.python-version', '3.11.4\n');
    await put('runtime.txt', 'python-3.12.1\n');
    await put('Dockerfile', 'FROM python:3.13-slim\n');
  });

  it('--python-version first', async () => {
    await put('handshake-guard.config.json', '{"pythonVersion": "3.8"}');
    const withConfig = await loadConfig({ cwd: tmp });
    expect(await resolve({ cliVersion: '3.12', config: withConfig })).toEqual({
      pythonVersion: '3.12',
      source: '--python-version',
    });
  });

  it('then the config, named by its file', async () => {
    await put('pyproject.toml', '[project]\nrequires-python = ">=3.9"\n[tool.handshake-guard]\npython-version = "3.8"\n');
    expect(await resolve({ config: await loadConfig({ cwd: tmp }) })).toEqual({
      pythonVersion: '3.8',
      source: 'pyproject.toml',
    });
  });

  it('then pyproject.toml requires-python', async () => {
    expect(await resolve()).toEqual({ pythonVersion: '3.9', source: 'pyproject.toml (requires-python ">=3.9")' });
  });

  it('then Poetry’s python dependency', async () => {
    await put('pyproject.toml', '[tool.poetry.dependencies]\npython = "^3.10"\n');
    expect(await resolve()).toEqual({
      pythonVersion: '3.10',
      source: 'pyproject.toml (tool.poetry.dependencies.python "^3.10")',
    });
  });

  it('then .python-version', async () => {
    await put('pyproject.toml', '[project]\nname = "no-python-bound"\nrequires-python = "<4"\n');
    expect(await resolve()).toEqual({ pythonVersion: '3.11', source: '.python-version ("3.11.4")' });
  });

  it('then runtime.txt', async () => {
    await rm(path.join(tmp, 'pyproject.toml'));
    await put('.python-version', 'system\n');
    expect(await resolve()).toEqual({ pythonVersion: '3.12', source: 'runtime.txt ("python-3.12.1")' });
  });

  it('then a Dockerfile', async () => {
    await rm(path.join(tmp, 'pyproject.toml'));
    await rm(path.join(tmp, '.python-version'));
    await rm(path.join(tmp, 'runtime.txt'));
    expect(await resolve()).toEqual({ pythonVersion: '3.13', source: 'Dockerfile (FROM python:3.13-slim)' });
  });

  it('else 3.10', async () => {
    for (const f of ['pyproject.toml', '.python-version', 'runtime.txt', 'Dockerfile']) await rm(path.join(tmp, f));
    expect(await resolve()).toEqual({ pythonVersion: '3.10', source: 'default' });
  });

  it('skips an unparsable pyproject.toml instead of failing', async () => {
    await put('pyproject.toml', '[project\nrequires-python = ">=3.9"\n');
    expect(await resolve()).toEqual({ pythonVersion: '3.11', source: '.python-version ("3.11.4")' });
  });
});

describe('resolvePythonTarget: nearest directory wins', () => {
  beforeEach(async () => {
    await put('pyproject.toml', '[project]\nrequires-python = ">=3.9,<4"\n');
    await put('services/api/.python-version', 'pypy3.12\n');
    await put('services/api/src/app/main.py', '');
    await put('services/worker/Dockerfile', 'FROM node:20 AS assets\nFROM docker.io/library/python:3.11 AS base\n');
    await put('services/legacy/handler.py', '');
  });

  it('takes the closest directory’s file, even a weaker kind of source', async () => {
    expect(await resolve({ startDir: path.join(tmp, 'services/api/src/app') })).toEqual({
      pythonVersion: '3.12',
      source: 'services/api/.python-version ("pypy3.12")',
    });
    expect(await resolve({ startDir: path.join(tmp, 'services/worker') })).toEqual({
      pythonVersion: '3.11',
      source: 'services/worker/Dockerfile (FROM docker.io/library/python:3.11 AS base)',
    });
  });

  it('falls back to the stop directory', async () => {
    expect(await resolve({ startDir: path.join(tmp, 'services/legacy') })).toEqual({
      pythonVersion: '3.9',
      source: 'pyproject.toml (requires-python ">=3.9,<4")',
    });
  });

  it('does not look above the stop directory', async () => {
    const stopDir = path.join(tmp, 'services');
    const target = await resolvePythonTarget({ config, startDir: path.join(stopDir, 'legacy'), stopDir });
    expect(target).toEqual({ pythonVersion: '3.10', source: 'default' });
  });
});

describe('resolvePythonTarget: malformed values', () => {
  it.each(['3', '3.11.4', 'py3.11', '', ' 3.11', '3.x', '2.7', '3.99', '4.0', '3.011'])('--python-version %j is a usage error', async (v) => {
    const run = resolve({ cliVersion: v });
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(`--python-version must be a Python 3 version from 3.0 to 3.20, like 3.11 (got "${v}")`);
  });

  it('a config value is checked too (configs can be built in code)', async () => {
    const bad: ResolvedConfig = { ...config, source: path.join(tmp, 'handshake-guard.config.json'), pythonVersion: '3' };
    await expect(resolve({ config: bad })).rejects.toThrow(UsageError);
    await expect(resolve({ config: bad })).rejects.toThrow(/"pythonVersion" must be a Python 3 version from 3\.0 to 3\.20, like 3\.11 \(got "3"\)/);
  });

  it('a malformed config file value is a load error', async () => {
    await put('handshake-guard.config.json', '{"pythonVersion": "three"}');
    await expect(loadConfig({ cwd: tmp })).rejects.toThrow(UsageError);
  });

  it('unusable file values fall through to the next source', async () => {
    await put('pyproject.toml', '[project]\nrequires-python = "banana"\n');
    await put('.python-version', '# pinned below\n\n2.7.18\n');
    await put('runtime.txt', 'python-latest\n');
    await put('Dockerfile', 'FROM python:3-slim\nFROM python:latest\nARG PY=3.12\nFROM python:${PY}-alpine\n');
    expect(await resolve()).toEqual({ pythonVersion: '3.12', source: 'Dockerfile (FROM python:${PY}-alpine)' });
  });
});

describe('lowerBoundOf', () => {
  it.each([
    ['>=3.11', '3.11'],
    ['>=3.9,<4', '3.9'],
    ['>= 3.8, != 3.9.*', '3.8'],
    ['!=3.12.*,>=3.12', '3.13'],
    ['>=3.11,!=3.11.*,!=3.12.*', '3.13'],
    ['>=3.12,!=3.12', '3.12'],
    ['>=3.12,!=3.12.1', '3.12'],
    ['!=3.11.*,>=3.12', '3.12'],
    ['^3.8,!=3.8.* || >=3.12', '3.9'],
    ['~=3.10', '3.10'],
    ['~=3.10.2', '3.10'],
    ['==3.11.*', '3.11'],
    ['==3.11.4', '3.11'],
    ['>3.8', '3.9'],
    ['>3.8.1', '3.8'],
    ['<4,>=3.7', '3.7'],
    ['>=3.7,>=3.9', '3.9'],
    ['^3.10', '3.10'],
    ['~3.10', '3.10'],
    ['>=3.9 <4.0', '3.9'],
    ['^3.8 || ^3.10', '3.8'],
    ['3.11', '3.11'],
    ['<4', null],
    ['*', null],
    ['^3.10 || <3', null],
    ['>=2.7', null],
    ['', null],
  ])('%j → %j', (spec, expected) => {
    expect(lowerBoundOf(spec)).toBe(expected);
  });
});

describe('per file: each file is checked for the target nearest to it', () => {
  beforeEach(async () => {
    await put('pyproject.toml', '[project]\nrequires-python = ">=3.9,<4"\n');
    await put('services/api/.python-version', '3.12\n');
    await put('services/worker/Dockerfile', 'FROM python:3.11-slim\n');
    // Valid for 3.12 only: fine where the target is 3.12, HG011 where it is 3.11.
    const pep701 = 'def greet(user):\n    return f"hello {user["name"]}"\n';
    await put('services/api/app/greet.py', pep701);
    await put('services/api/app/routes.py', 'type UserId = int\n');
    await put('services/worker/greet.py', pep701);
    await put('services/worker/jobs.py', 'def run(queue):\n    match queue.kind:\n        case "fast":\n            return 1\n');
    await put('services/worker/retry.py', 'try:\n    pass\nexcept* OSError:\n    pass\n');
    await put('scripts/tool.py', 'if (n := 10) > 5:\n    print(n)\n');
  });

  it('reports version-gated syntax against the nearest target, naming it', async () => {
    const result = await run({ cwd: tmp, paths: ['.'] });
    const hg011 = result.findings.filter((f) => f.ruleId === 'HG011').map((f) => `${f.file}:${f.line} ${f.message}`);
    expect(hg011).toEqual([
      'services/worker/greet.py:2 f-string reuses its quote " inside {…}: needs Python 3.12, target is 3.11 (from services/worker/Dockerfile)',
    ]);
    const targets = Object.fromEntries(result.files.map((f) => [f.file, f.target]));
    expect(targets['services/api/app/greet.py']).toEqual({ pythonVersion: '3.12', source: 'services/api/.python-version ("3.12")' });
    expect(targets['services/worker/jobs.py']).toEqual({ pythonVersion: '3.11', source: 'services/worker/Dockerfile (FROM python:3.11-slim)' });
    expect(targets['scripts/tool.py']).toEqual({ pythonVersion: '3.9', source: 'pyproject.toml (requires-python ">=3.9,<4")' });
    // The report's target is the one most files have; the syntax row names every source used.
    expect(result.report.target).toEqual({ pythonVersion: '3.11', source: 'services/worker/Dockerfile (FROM python:3.11-slim)' });
    const syntax = result.report.checks.find((c) => c.id === 'syntax');
    expect(syntax?.status).toBe('fail');
    expect(syntax?.details).toContain('services/worker/greet.py:2');
    expect(syntax?.details).toContain('Python 3.12 from services/api/.python-version ("3.12") for 2 files');
    expect(syntax?.details).toContain('Python 3.11 from services/worker/Dockerfile (FROM python:3.11-slim) for 3 files');
    expect(syntax?.details).toContain('Python 3.9 from pyproject.toml (requires-python ">=3.9,<4") for 1 file');
  });

  it('a scanned path outside the working directory\'s repository finds its own project\'s files (the same targets from anywhere)', async () => {
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'hg-target-cwd-'));
    try {
      // tmp is the project (its own repository); the run starts in an unrelated directory.
      await mkdir(path.join(tmp, '.git'));
      const inside = await run({ cwd: tmp, paths: ['.'] });
      const outside = await run({ cwd: elsewhere, paths: [tmp] });
      const targets = (r: typeof inside): Record<string, string | undefined> => Object.fromEntries(r.files.map((f) => [path.relative(tmp, f.absPath), f.target?.pythonVersion]));
      expect(targets(outside)).toEqual(targets(inside));
      expect(targets(outside)['scripts/tool.py']).toBe('3.9');
      expect(outside.findings.filter((f) => f.ruleId === 'HG011').map((f) => path.basename(f.file))).toEqual(['greet.py']);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('--python-version decides for every file', async () => {
    const result = await run({ cwd: tmp, paths: ['.'], pythonVersion: '3.12' });
    expect(result.findings.filter((f) => f.ruleId === 'HG011')).toEqual([]);
    expect(result.files.every((f) => f.target?.source === '--python-version')).toBe(true);
    const syntax = result.report.checks.find((c) => c.id === 'syntax');
    expect(syntax).toMatchObject({ status: 'pass', details: '6 Python files parse for target Python 3.12 from --python-version' });
  });

  it('a 3.8 target flags match, except*, the walrus and the type statement where they stand', async () => {
    const result = await run({ cwd: tmp, paths: ['.'], pythonVersion: '3.8' });
    const messages = result.findings.filter((f) => f.ruleId === 'HG011').map((f) => `${f.file}:${f.line} ${f.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'services/api/app/routes.py:1 `type` statement: needs Python 3.12, target is 3.8 (from --python-version)',
        'services/worker/jobs.py:2 `match` statement: needs Python 3.10, target is 3.8 (from --python-version)',
        'services/worker/retry.py:3 `except*`: needs Python 3.11, target is 3.8 (from --python-version)',
      ]),
    );
    expect(messages.some((m) => m.startsWith('scripts/tool.py'))).toBe(false);
  });

  it('the resolver reads each directory once and agrees with resolvePythonTarget', async () => {
    const targetFor = await pythonTargetResolver({ config, stopDir: tmp, displayDir: tmp });
    for (const dir of ['services/api/app', 'services/worker', 'scripts', 'services/api/app']) {
      expect(await targetFor(path.join(tmp, dir))).toEqual(await resolve({ startDir: path.join(tmp, dir) }));
    }
    await expect(pythonTargetResolver({ cliVersion: '3.x', config, stopDir: tmp })).rejects.toThrow(UsageError);
  });

  it('mostCommonTarget: the most frequent, the first seen on a tie', () => {
    const a = { pythonVersion: '3.11', source: 'a' };
    const b = { pythonVersion: '3.12', source: 'b' };
    expect(mostCommonTarget([a, b, b])).toEqual(b);
    expect(mostCommonTarget([a, b])).toEqual(a);
    expect(mostCommonTarget([])).toBeNull();
  });
});
