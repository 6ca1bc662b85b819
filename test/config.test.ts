import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { DEFAULT_BOUNDS, DEFAULT_CONNECTION_NAMES, DEFAULT_RECEIVE_METHODS } from '../src/config/types.js';
import { UsageError } from '../src/errors.js';
import { cli, tempTree } from './helpers/cli.js';

let tmp: string;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'hg-config-'));
});

afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function put(rel: string, content: string): Promise<string> {
  const file = path.join(tmp, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  return file;
}

/** The UsageError a load throws; fails the test if it does not throw one. */
async function loadError(opts: { cwd: string; configPath?: string }): Promise<UsageError> {
  try {
    await loadConfig(opts);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    const message = (err as UsageError).message;
    expect(message).not.toContain('\n');
    return err as UsageError;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig: defaults', () => {
  it('fills every default when no config exists, rooted at cwd', async () => {
    const config = await loadConfig({ cwd: tmp });
    expect(config).toEqual({
      source: null,
      rootDir: tmp,
      include: [],
      exclude: [],
      require: 'polling',
      pythonVersion: null,
      consistency: 'file',
      rules: {},
      bounds: DEFAULT_BOUNDS,
      budgetSeconds: 5,
      receiveMethods: DEFAULT_RECEIVE_METHODS,
      connectionNames: DEFAULT_CONNECTION_NAMES,
      guardHelpers: [],
      pollingHelpers: [],
      defaults: { timeoutSeconds: 3.0, intervalSeconds: 0.01, style: 'auto' },
      requireSuppressionReason: true,
      maxFileBytes: 2 * 1024 * 1024,
    });
    // Defaults are copies: a caller mutating its config cannot change the next one.
    expect(config.bounds).not.toBe(DEFAULT_BOUNDS);
    expect(config.receiveMethods).not.toBe(DEFAULT_RECEIVE_METHODS);
  });

  it('merges partial values with the defaults and appends extra names without duplicates', async () => {
    const file = await put(
      'handshake-guard.config.json',
      JSON.stringify({
        require: 'check',
        pythonVersion: '3.12',
        consistency: 'repository',
        rules: { HG005: 'error', HG007: 'off', HG013: 'warning' },
        bounds: { timeout: { max: 30 }, polls: { max: 80 } },
        budget: 4.5,
        receiveMethods: ['recv', 'receive_text'],
        connectionNames: ['sock'],
        guardHelpers: ['wait_for_handshake'],
        defaults: { interval: 0.05, style: 'helper' },
        suppressions: { requireReason: false },
        include: ['src/'],
        exclude: ['**/generated/**'],
      }),
    );
    const config = await loadConfig({ cwd: tmp });
    expect(config.source).toBe(file);
    expect(config.require).toBe('check');
    expect(config.pythonVersion).toBe('3.12');
    expect(config.consistency).toBe('repository');
    expect(config.rules).toEqual({ HG005: 'error', HG007: 'off', HG013: 'warning' });
    expect(config.bounds).toEqual({
      timeoutSeconds: { min: 0.1, max: 30 },
      intervalSeconds: DEFAULT_BOUNDS.intervalSeconds,
      maxPolls: 80,
    });
    expect(config.budgetSeconds).toBe(4.5);
    expect(config.receiveMethods).toEqual([...DEFAULT_RECEIVE_METHODS, 'recv']);
    expect(config.connectionNames).toEqual([...DEFAULT_CONNECTION_NAMES, 'sock']);
    expect(config.guardHelpers).toEqual(['wait_for_handshake']);
    expect(config.defaults).toEqual({ timeoutSeconds: 3.0, intervalSeconds: 0.05, style: 'helper' });
    expect(config.requireSuppressionReason).toBe(false);
    expect(config.include).toEqual(['src/']);
    expect(config.exclude).toEqual(['**/generated/**']);
  });
});

describe('loadConfig: discovery', () => {
  it('prefers handshake-guard.config.json, then pyproject.toml, then package.json in one directory', async () => {
    await put('pyproject.toml', '[tool.handshake-guard]\nrequire = "check"\n');
    await put('package.json', JSON.stringify({ name: 'x', handshakeGuard: { consistency: 'none' } }));
    const pyproject = await loadConfig({ cwd: tmp });
    expect(pyproject.source).toBe(path.join(tmp, 'pyproject.toml'));
    expect(pyproject.shadowed).toEqual([path.join(tmp, 'package.json')]); // a run notes it

    await put('handshake-guard.config.json', '{"budget": 1}');
    const config = await loadConfig({ cwd: tmp });
    expect(config.source).toBe(path.join(tmp, 'handshake-guard.config.json'));
    expect(config.budgetSeconds).toBe(1);
    expect(config.require).toBe('polling'); // files are not merged
    expect(config.shadowed).toEqual([path.join(tmp, 'pyproject.toml'), path.join(tmp, 'package.json')]);
  });

  it('says which configuration of a directory is not used, and blames no broken loser', async () => {
    await put('handshake-guard.config.json', '{"require": "check"}');
    await put('pyproject.toml', '[tool.handshake-guard\n'); // broken: not a configuration
    await put('package.json', JSON.stringify({ name: 'x', handshakeGuard: { require: 'polling' } }));
    await put('a.py', 'x = 1\n');
    expect((await loadConfig({ cwd: tmp })).shadowed).toEqual([path.join(tmp, 'package.json')]);
    const r = cli(['scan'], tmp);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('note: package.json: its handshake-guard configuration is not used: handshake-guard.config.json in the same directory comes first\n');
    expect(cli(['scan', '-q'], tmp).stderr).toBe('');
    await rm(path.join(tmp, 'package.json'));
    expect(cli(['scan'], tmp).stderr).toBe('');
  });

  it('skips a pyproject.toml without the table and a package.json without the key', async () => {
    await put('pyproject.toml', '[project]\nname = "x"\n');
    await put('package.json', JSON.stringify({ name: 'x', handshakeGuard: { require: 'check' } }));
    const config = await loadConfig({ cwd: tmp });
    expect(config.source).toBe(path.join(tmp, 'package.json'));
    expect(config.require).toBe('check');
  });

  it('does not parse an unrelated broken pyproject.toml or package.json', async () => {
    await put('pyproject.toml', '[project\n');
    await put('package.json', '{ not json');
    expect((await loadConfig({ cwd: tmp })).source).toBeNull();
  });

  it('searches upward; the nearest directory with a config wins and sets rootDir', async () => {
    await put('handshake-guard.config.json', '{"require": "check"}');
    await put('services/api/package.json', JSON.stringify({ name: 'api' })); // no key: not a config
    const deep = path.join(tmp, 'services/api/src/app');
    await mkdir(deep, { recursive: true });
    const fromRoot = await loadConfig({ cwd: deep });
    expect(fromRoot.source).toBe(path.join(tmp, 'handshake-guard.config.json'));
    expect(fromRoot.rootDir).toBe(tmp);

    await put('services/api/pyproject.toml', '[tool.handshake-guard]\nconsistency = "none"\n');
    const nearer = await loadConfig({ cwd: deep });
    expect(nearer.source).toBe(path.join(tmp, 'services/api/pyproject.toml'));
    expect(nearer.rootDir).toBe(path.join(tmp, 'services/api'));
    expect(nearer.require).toBe('polling');
    expect(nearer.consistency).toBe('none');
  });

  it('uses --config instead of discovery, relative to cwd, whatever its kind', async () => {
    await put('handshake-guard.config.json', '{"require": "check"}');
    await put('conf/custom.json', '{"consistency": "none"}');
    const json = await loadConfig({ cwd: tmp, configPath: 'conf/custom.json' });
    expect(json.source).toBe(path.join(tmp, 'conf/custom.json'));
    expect(json.rootDir).toBe(path.join(tmp, 'conf'));
    expect(json.require).toBe('polling');
    expect(json.consistency).toBe('none');

    await put('conf/settings.toml', '[tool.handshake-guard]\nbudget = 3\n');
    expect((await loadConfig({ cwd: tmp, configPath: 'conf/settings.toml' })).budgetSeconds).toBe(3);

    await put('conf/package.json', JSON.stringify({ handshakeGuard: { budget: 4 } }));
    expect((await loadConfig({ cwd: tmp, configPath: path.join(tmp, 'conf/package.json') })).budgetSeconds).toBe(4);
  });
});

describe('loadConfig: pyproject.toml', () => {
  it('accepts kebab-case keys at every level', async () => {
    await put(
      'pyproject.toml',
      [
        '[project]',
        'name = "app"',
        '[tool.handshake-guard]',
        'python-version = "3.11"',
        'receive-methods = ["recv"]',
        'connection-names = ["sock"]',
        'guard-helpers = ["ensure_connected"]',
        '[tool.handshake-guard.suppressions]',
        'require-reason = false',
        '[tool.handshake-guard.bounds.timeout]',
        'max = 20',
        '[tool.handshake-guard.rules]',
        'HG005 = "off"',
      ].join('\n'),
    );
    const config = await loadConfig({ cwd: tmp });
    expect(config.pythonVersion).toBe('3.11');
    expect(config.receiveMethods.at(-1)).toBe('recv');
    expect(config.connectionNames.at(-1)).toBe('sock');
    expect(config.guardHelpers).toEqual(['ensure_connected']);
    expect(config.requireSuppressionReason).toBe(false);
    expect(config.bounds.timeoutSeconds).toEqual({ min: 0.1, max: 20 });
    expect(config.rules).toEqual({ HG005: 'off' });
  });

  it('accepts camelCase keys too, but not the same key both ways', async () => {
    await put('pyproject.toml', '[tool.handshake-guard]\nreceiveMethods = ["a"]\n');
    expect((await loadConfig({ cwd: tmp })).receiveMethods.at(-1)).toBe('a');

    await put('pyproject.toml', '[tool.handshake-guard]\nreceiveMethods = ["a"]\nreceive-methods = ["b"]\n');
    const err = await loadError({ cwd: tmp });
    expect(err.message).toBe(
      `invalid config ${path.join(tmp, 'pyproject.toml')}: duplicate key "tool.handshake-guard.receive-methods" (also written as "tool.handshake-guard.receiveMethods")`,
    );
  });
});

describe('loadConfig: guardHelpers', () => {
  it('takes names (validation helpers) and { name, kind, … } entries (polling helpers defined elsewhere)', async () => {
    await put(
      'handshake-guard.config.json',
      JSON.stringify({ guardHelpers: ['is_ready', { name: 'ensure_connected', kind: 'polling', timeoutSeconds: 3 }, { name: 'alive', kind: 'check' }] }),
    );
    const config = await loadConfig({ cwd: tmp });
    expect(config.guardHelpers).toEqual(['is_ready', 'ensure_connected', 'alive']);
    expect(config.pollingHelpers).toEqual([
      { name: 'ensure_connected', timeoutSeconds: 3, intervalSeconds: null, onTimeout: 'return-false', logsOnTimeout: true, exitsOnTerminalState: true },
    ]);
  });

  it('refuses an entry of another kind, naming it', async () => {
    await put('handshake-guard.config.json', JSON.stringify({ guardHelpers: [{ name: 'w', kind: 'poll' }] }));
    expect((await loadError({ cwd: tmp })).message).toContain('"guardHelpers[0]');
  });
});

describe('loadConfig: errors are one line naming the file and the key', () => {
  const json = (value: unknown): string => JSON.stringify(value);
  const file = (): string => path.join(tmp, 'handshake-guard.config.json');

  it('a value outside an enum', async () => {
    await put('handshake-guard.config.json', json({ require: 'maybe' }));
    expect((await loadError({ cwd: tmp })).message).toBe(
      `invalid config ${file()}: "require" must be one of polling, check (got "maybe")`,
    );
  });

  it('an unknown key, top level or nested', async () => {
    await put('handshake-guard.config.json', json({ requre: 'check' }));
    expect((await loadError({ cwd: tmp })).message).toBe(`invalid config ${file()}: unknown key "requre"`);

    await put('handshake-guard.config.json', json({ bounds: { timeout: { mx: 3 } } }));
    expect((await loadError({ cwd: tmp })).message).toBe(`invalid config ${file()}: unknown key "bounds.timeout.mx"`);
  });

  it('an unknown rule id', async () => {
    await put('handshake-guard.config.json', json({ rules: { HG099: 'off' } }));
    expect((await loadError({ cwd: tmp })).message).toBe(
      `invalid config ${file()}: unknown rule id "HG099" in "rules" (expected HG000..HG013)`,
    );
  });

  it('a bad rule setting', async () => {
    await put('handshake-guard.config.json', json({ rules: { HG001: 'fatal' } }));
    expect((await loadError({ cwd: tmp })).message).toBe(
      `invalid config ${file()}: "rules.HG001" must be one of error, warning, off (got "fatal")`,
    );
  });

  it('wrong types, with array indices in the path', async () => {
    await put('handshake-guard.config.json', json({ include: 'src' }));
    expect((await loadError({ cwd: tmp })).message).toBe(
      `invalid config ${file()}: "include" must be an array (got "src")`,
    );
    await put('handshake-guard.config.json', json({ receiveMethods: ['recv', 3] }));
    expect((await loadError({ cwd: tmp })).message).toBe(
      `invalid config ${file()}: "receiveMethods[1]" must be a string (got 3)`,
    );
    await put('handshake-guard.config.json', json({ suppressions: { requireReason: 'yes' } }));
    expect((await loadError({ cwd: tmp })).message).toBe(
      `invalid config ${file()}: "suppressions.requireReason" must be true or false (got "yes")`,
    );
  });

  it('non-positive seconds and whole-number polls', async () => {
    await put('handshake-guard.config.json', json({ budget: 0 }));
    expect((await loadError({ cwd: tmp })).message).toBe(
      `invalid config ${file()}: "budget" must be a positive number (got 0)`,
    );
    await put('handshake-guard.config.json', json({ bounds: { polls: { max: 2.5 } } }));
    expect((await loadError({ cwd: tmp })).message).toContain('"bounds.polls.max" must be a whole number (got 2.5)');
  });

  it('a python version that is not X.Y (an unquoted 3.10 is the number 3.1)', async () => {
    await put('handshake-guard.config.json', json({ pythonVersion: '3' }));
    expect((await loadError({ cwd: tmp })).message).toBe(
      `invalid config ${file()}: "pythonVersion" must be a Python 3 version from 3.0 to 3.20, like 3.11 (got "3")`,
    );
    for (const v of ['2.7', '3.99', '4.0']) {
      await put('handshake-guard.config.json', json({ pythonVersion: v }));
      expect((await loadError({ cwd: tmp })).message).toBe(
        `invalid config ${file()}: "pythonVersion" must be a Python 3 version from 3.0 to 3.20, like 3.11 (got "${v}")`,
      );
    }
    await put('handshake-guard.config.json', '{"pythonVersion": 3.10}');
    expect((await loadError({ cwd: tmp })).message).toBe(
      `invalid config ${file()}: "pythonVersion" must be a string (got 3.1)`,
    );
  });

  it('a min above the max, including the default max', async () => {
    await put('handshake-guard.config.json', json({ bounds: { interval: { min: 1 } } }));
    expect((await loadError({ cwd: tmp })).message).toBe(
      `invalid config ${file()}: "bounds.interval.min" (1) must not exceed "bounds.interval.max" (default 0.5)`,
    );
  });

  it('defaults that every guard fix writes would be reported for: outside the bounds, too many polls, over the budget', async () => {
    const cases: [object, string][] = [
      [{ defaults: { timeout: 3 }, bounds: { timeout: { max: 1 } } }, '"defaults.timeout" (3) is outside "bounds.timeout" (0.1–1): every guard fix writes would be reported by HG008'],
      [{ defaults: { interval: 0.6 } }, '"defaults.interval" (0.6) is outside "bounds.interval" (0.001–0.5): every guard fix writes would be reported by HG008'],
      [{ defaults: { timeout: 10, interval: 0.005 } }, '"defaults.timeout" (10) with "defaults.interval" (0.005) polls 2000 times, over "bounds.polls.max" (1000): every guard fix writes would be reported by HG008'],
      [{ defaults: { timeout: 3 }, budget: 1 }, '"defaults.timeout" (3) with "defaults.interval" (default 0.01) can wait 3 s, over "budget" (1): every guard fix writes would fail the Performance row'],
      [{ defaults: { timeout: 4.9, interval: 0.3 } }, '"defaults.timeout" (4.9) with "defaults.interval" (0.3) can wait 5.1 s, over "budget" (5): every guard fix writes would fail the Performance row'],
    ];
    for (const [config, message] of cases) {
      await put('handshake-guard.config.json', json(config));
      expect((await loadError({ cwd: tmp })).message).toBe(`invalid config ${file()}: ${message}`);
    }
    // A budget alone says nothing of the defaults fix does not write yet; defaults that fit are fine.
    await put('handshake-guard.config.json', json({ budget: 1, defaults: { timeout: 0.5 } }));
    expect((await loadConfig({ cwd: tmp })).defaults).toMatchObject({ timeoutSeconds: 0.5, intervalSeconds: 0.01 });
    await put('handshake-guard.config.json', json({ budget: 1 }));
    expect((await loadConfig({ cwd: tmp })).budgetSeconds).toBe(1);
  });

  it('counts the further problems without listing them', async () => {
    await put('handshake-guard.config.json', json({ require: 'x', consistency: 'y', budget: -1 }));
    expect((await loadError({ cwd: tmp })).message).toMatch(/: "require" must be .* \(and 2 more problems\)$/);
  });

  it('a top level that is not an object', async () => {
    await put('handshake-guard.config.json', '[]');
    expect((await loadError({ cwd: tmp })).message).toBe(`invalid config ${file()}: the top level must be an object`);
    await put('package.json', json({ handshakeGuard: 'strict' }));
    const err = await loadError({ cwd: tmp, configPath: 'package.json' });
    expect(err.message).toBe(`invalid config ${path.join(tmp, 'package.json')}: "handshakeGuard" must be an object`);
  });

  it('invalid JSON, with line and column', async () => {
    await put('handshake-guard.config.json', '{\n  "require": "check",\n  "budget" 2\n}\n');
    const err = await loadError({ cwd: tmp });
    expect(err.message).toMatch(/^invalid config .*handshake-guard\.config\.json: invalid JSON at line 3, column 12: /);
  });

  it('invalid TOML, with the parser line', async () => {
    await put('pyproject.toml', '[tool.handshake-guard]\nrequire = "check\n');
    const err = await loadError({ cwd: tmp });
    expect(err.message).toMatch(/^invalid config .*pyproject\.toml: invalid TOML at line 2, column \d+: \S/);
  });

  it('pyproject and package.json key paths include their section, as written', async () => {
    await put('pyproject.toml', '[tool.handshake-guard]\nreceive-methods = "recv"\n');
    expect((await loadError({ cwd: tmp })).message).toBe(
      `invalid config ${path.join(tmp, 'pyproject.toml')}: "tool.handshake-guard.receive-methods" must be an array (got "recv")`,
    );
    await put('pyproject.toml', '[tool.handshake-guard.defaults]\nstyle = "fancy"\n');
    expect((await loadError({ cwd: tmp })).message).toContain(
      '"tool.handshake-guard.defaults.style" must be one of inline, helper, auto (got "fancy")',
    );
    await rm(path.join(tmp, 'pyproject.toml'));
    await put('package.json', json({ handshakeGuard: { consistency: 'global' } }));
    expect((await loadError({ cwd: tmp })).message).toBe(
      `invalid config ${path.join(tmp, 'package.json')}: "handshakeGuard.consistency" must be one of file, repository, none (got "global")`,
    );
  });

  it('a --config file that is missing or has no section', async () => {
    const missing = path.join(tmp, 'nope.json');
    expect((await loadError({ cwd: tmp, configPath: 'nope.json' })).message).toBe(
      `cannot read config ${missing}: file not found`,
    );
    await put('pyproject.toml', '[project]\nname = "x"\n');
    expect((await loadError({ cwd: tmp, configPath: 'pyproject.toml' })).message).toBe(
      `invalid config ${path.join(tmp, 'pyproject.toml')}: no [tool.handshake-guard] table`,
    );
  });
});

describe('a configuration below the working directory', () => {
  it('is noted as not used (a run reads from the working directory upward), once per run; none when it is the one in use', () => {
    const dir = tempTree({
      'svc/app.py': 'x = 1\n',
      'svc/handshake-guard.config.json': '{"rules": {"HG001": "off"}}',
      'web/package.json': '{"name": "web", "handshakeGuard": {"require": "check"}}',
      'lib/package.json': '{"name": "lib"}',
      'py/pyproject.toml': '[project]\nname = "py"\n',
    });
    const r = cli(['scan', '--no-cache'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'note: 2 configurations (svc/handshake-guard.config.json, web/package.json) are not used: a run reads its configuration from the working directory upward; run in their directories, or pass --config\n',
    );
    expect(cli(['scan', '--no-cache'], path.join(dir, 'svc')).stderr).toBe('');
  });
});
