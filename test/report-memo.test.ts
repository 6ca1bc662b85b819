// The report memo (issue #8): a re-scan of a tree where nothing changed gives back the last
// run's whole report — and never once anything it rests on changed: a file, a new file, the
// file a target came from, HEAD (the breaking row's base), a helper outside the scan, the
// baseline, the options. Each case is a real git repository whose files are older than the
// racy window (2 s: a file written within it may change again unseen by its stat).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoFile } from '../src/engine/report-memo.js';
import { run, type RunOptions, type RunResult } from '../src/engine/run.js';
import { BIN } from './helpers/cli.js';
import { comparable } from './helpers/comparable.js';
import { git, gitRepo, guarded, removeAll, UNGUARDED, write } from './helpers/git.js';
import { HELPER, ROUTES } from './helpers/helper-module.js';

const repos: string[] = [];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'hg-memo-'));
afterAll(() => {
  removeAll(repos);
  rmSync(tmp, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
let n = 0;


const CLIENT = `import WebSocket from 'ws';

export function pump(url: string, items: string[]): void {
  const ws = new WebSocket(url);
  for (const item of items) {
    ws.send(item);
  }
}
`;

const TREE = {
  'pyproject.toml': '[project]\nname = "svc"\nrequires-python = ">=3.11"\n',
  'app/__init__.py': '',
  'app/guards.py': HELPER,
  'app/routes.py': ROUTES,
  'app/echo.py': UNGUARDED,
  'app/plain.py': 'def total(xs):\n    return sum(xs)\n',
  'web/client.ts': CLIENT,
  'README.md': 'svc\n',
};

/** A committed repository whose files are past the racy window, and a cache directory of its own. */
async function settledRepo(extra: Record<string, string> = {}): Promise<{ dir: string; cache: string }> {
  const dir = gitRepo({ ...TREE, ...extra }, repos);
  await sleep(2100);
  return { dir, cache: path.join(tmp, `cache-${n++}`) };
}

type Extra = Partial<Pick<RunOptions, 'baseline' | 'pythonVersion' | 'staged' | 'base' | 'python' | 'paths'>>;

async function scan(dir: string, cache: string, extra: Extra = {}): Promise<RunResult> {
  return run({ cwd: dir, paths: ['.'], cache, ...extra });
}

/** A cached run, checked against a run without any cache; returns it. */
async function expectAsUncached(dir: string, cache: string, extra: Extra = {}): Promise<RunResult> {
  const cached = await scan(dir, cache, extra);
  const plain = await run({ cwd: dir, paths: ['.'], ...extra });
  expect(comparable(cached)).toEqual(comparable(plain));
  expect(cached.findings.map((f) => [f.ruleId, f.file, f.line, f.suppressed])).toEqual(plain.findings.map((f) => [f.ruleId, f.file, f.line, f.suppressed]));
  return cached;
}

/** The memo written (by this run, or by the last full one) and used; returns the reused run. */
async function memoised(dir: string, cache: string, extra: Extra = {}): Promise<RunResult> {
  await expectAsUncached(dir, cache, extra);
  const again = await expectAsUncached(dir, cache, extra);
  expect(again.cache).toMatchObject({ report: true, misses: 0 });
  return again;
}

describe.concurrent('the last report, reused whole when nothing it rests on changed', () => {
  it('an unchanged tree: the same report, findings, loops and lines as a run without a cache', async () => {
    const { dir, cache } = await settledRepo();
    const again = await memoised(dir, cache);
    expect(again.cache?.hits).toBe(6);
    expect(again.report.loops.map((l) => l.file).sort()).toEqual(['app/echo.py', 'app/routes.py', 'web/client.ts']);
    // A loop and its findings are one object, as in a full run (reporters match them by identity).
    const echo = again.loops.find((l) => l.file === 'app/echo.py');
    expect(again.findings.some((f) => f.loop === echo && f.ruleId === 'HG001')).toBe(true);
    expect(again.files.find((f) => f.file === 'app/echo.py')?.lines).toEqual(UNGUARDED.split('\n'));
    expect(again.report.target).toEqual({ pythonVersion: '3.11', source: 'pyproject.toml (requires-python ">=3.11")' });
  });

  it('an edited file', async () => {
    const { dir, cache } = await settledRepo();
    await memoised(dir, cache);
    write(dir, 'app/echo.py', guarded());
    const after = await expectAsUncached(dir, cache);
    expect(after.cache?.report).toBe(false);
    expect(after.report.loops.find((l) => l.file === 'app/echo.py')?.guard.kind).toBe('polling');
  });

  it('a new file, and a file deleted', async () => {
    const { dir, cache } = await settledRepo();
    await memoised(dir, cache);
    write(dir, 'app/more.py', UNGUARDED.replace('def echo', 'def more'));
    const added = await expectAsUncached(dir, cache);
    expect(added.cache?.report).toBe(false);
    expect(added.report.loops.map((l) => l.function)).toContain('more');
    await sleep(2100);
    await memoised(dir, cache);
    rmSync(path.join(dir, 'app/more.py'));
    const removed = await expectAsUncached(dir, cache);
    expect(removed.cache?.report).toBe(false);
    expect(removed.report.loops.map((l) => l.function)).not.toContain('more');
  });

  it('the pyproject.toml the target came from, and one that appears nearer', async () => {
    const { dir, cache } = await settledRepo();
    await memoised(dir, cache);
    write(dir, 'pyproject.toml', '[project]\nname = "svc"\nrequires-python = ">=3.12"\n');
    const edited = await expectAsUncached(dir, cache);
    expect(edited.cache?.report).toBe(false);
    expect(edited.report.target.pythonVersion).toBe('3.12');
    await sleep(2100);
    await memoised(dir, cache);
    write(dir, 'app/.python-version', '3.9\n');
    const nearer = await expectAsUncached(dir, cache);
    expect(nearer.cache?.report).toBe(false);
    expect(nearer.report.target.pythonVersion).toBe('3.9');
  });

  it('a commit that moves HEAD, the breaking row\'s base, with no file changed', async () => {
    const { dir, cache } = await settledRepo();
    // The working tree renames a public function: a breaking change against HEAD.
    write(dir, 'app/plain.py', 'def sum_all(xs):\n    return sum(xs)\n');
    await sleep(2100);
    const before = await memoised(dir, cache);
    expect(before.report.checks.find((c) => c.id === 'breaking')?.status).toBe('fail');
    git(dir, 'commit', '-q', '-am', 'rename');
    const after = await expectAsUncached(dir, cache);
    expect(after.cache?.report).toBe(false);
    expect(after.report.checks.find((c) => c.id === 'breaking')?.status).toBe('pass');
  });

  it('a helper the scan does not cover (excluded by the config) but a loop\'s guard is resolved through', async () => {
    const { dir, cache } = await settledRepo({ 'handshake-guard.config.json': '{"exclude": ["app/guards.py"]}\n' });
    const before = await memoised(dir, cache);
    expect(before.report.loops.find((l) => l.file === 'app/routes.py')?.guard.kind).toBe('polling');
    write(dir, 'app/guards.py', HELPER.replace('if time.monotonic() - start > timeout:\n            return False\n        ', ''));
    const after = await expectAsUncached(dir, cache);
    expect(after.cache?.report).toBe(false);
    expect(after.report.loops.find((l) => l.file === 'app/routes.py')?.guard.kind).not.toBe('polling');
  });

  it('a tracked file the walk skips (ignored) deleted: the breaking row\'s base loses it', async () => {
    const { dir, cache } = await settledRepo({ '.gitignore': 'gen/generated.py\n' });
    write(dir, 'gen/generated.py', 'def made():\n    pass\n');
    git(dir, 'add', '-f', 'gen/generated.py');
    git(dir, 'commit', '-q', '-m', 'generated');
    await sleep(2100);
    const before = await memoised(dir, cache);
    expect(before.report.checks.find((c) => c.id === 'breaking')?.status).toBe('pass');
    rmSync(path.join(dir, 'gen/generated.py'));
    const after = await expectAsUncached(dir, cache);
    expect(after.cache?.report).toBe(false);
    expect(after.report.checks.find((c) => c.id === 'breaking')?.details).toContain('gen/generated.py:1 removed made (file deleted)');
  });

  it('the --baseline file, and the options', async () => {
    const { dir, cache } = await settledRepo({ 'baseline.json': '' });
    const baseline = path.join(dir, 'baseline.json');
    const written = spawnSync(process.execPath, [BIN, 'baseline', '-o', 'baseline.json'], { cwd: dir, encoding: 'utf8', env: { ...process.env, HANDSHAKE_GUARD_CACHE_DIR: path.join(tmp, `other-${n++}`) } });
    expect(written.status).toBe(0);
    await sleep(2100);
    const before = await memoised(dir, cache, { baseline: 'baseline.json' });
    expect(before.report.summary.errors).toBe(0);
    // Baselines match findings by fingerprint.
    writeFileSync(baseline, readFileSync(baseline, 'utf8').replace(/"fingerprint": "\w+"/g, '"fingerprint": "0000000000000000"'));
    const after = await expectAsUncached(dir, cache, { baseline: 'baseline.json' });
    expect(after.cache?.report).toBe(false);
    expect(after.report.summary.errors).toBeGreaterThan(0);
    // The same content elsewhere: its entries name files relative to where it is.
    await sleep(2100);
    await memoised(dir, cache, { baseline: 'baseline.json' });
    write(dir, 'ci/baseline.json', readFileSync(baseline, 'utf8'));
    expect((await expectAsUncached(dir, cache, { baseline: 'ci/baseline.json' })).cache?.report).toBe(false);
    // Another target version on the command line is another report.
    expect((await expectAsUncached(dir, cache, { pythonVersion: '3.8' })).cache?.report).toBe(false);
  });

  it('a file refused for its size stays refused while its stat holds, and is read once it shrinks', async () => {
    const big = `x = 1\n${'#'.repeat(3 * 1024 * 1024)}\n`;
    const { dir, cache } = await settledRepo({ 'app/big.py': big });
    const again = await memoised(dir, cache);
    expect(again.notes).toContainEqual(expect.stringMatching(/app\/big\.py: not read: larger than 2 MiB/));
    write(dir, 'app/big.py', UNGUARDED.replace('def echo', 'def big'));
    const after = await expectAsUncached(dir, cache);
    expect(after.cache?.report).toBe(false);
    expect(after.report.loops.map((l) => l.function)).toContain('big');
  });

  it('files written within the racy window: no memo is kept', async () => {
    const dir = gitRepo(TREE, repos);
    const cache = path.join(tmp, `cache-${n++}`);
    await expectAsUncached(dir, cache);
    const again = await expectAsUncached(dir, cache);
    expect(again.cache?.report).toBe(false);
  });

  it('a damaged memo is ignored and replaced', async () => {
    const { dir, cache } = await settledRepo();
    const again = await memoised(dir, cache);
    const file = memoFile(again.cache?.file as string);
    writeFileSync(file, 'not a memo');
    const r = await expectAsUncached(dir, cache);
    expect(r.cache?.report).toBe(false);
    expect((await expectAsUncached(dir, cache)).cache?.report).toBe(true);
  });

  it('--staged and --base runs never use one', async () => {
    const { dir, cache } = await settledRepo();
    write(dir, 'app/echo.py', UNGUARDED.replace('def echo', 'def staged'));
    git(dir, 'add', 'app/echo.py');
    await sleep(2100);
    for (const extra of [{ staged: true }, { base: 'HEAD' }]) {
      await expectAsUncached(dir, cache, extra);
      expect((await expectAsUncached(dir, cache, extra)).cache?.report).toBe(false);
    }
  });

  it('the CLI says so with --verbose, and prints what a run without a cache prints', async () => {
    const { dir } = await settledRepo();
    const env = { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: undefined, HANDSHAKE_GUARD_CACHE_DIR: path.join(tmp, `cli-${n++}`) };
    const cli = (...args: string[]): { stdout: string; stderr: string } => spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env });
    const plain = cli('verify', '--fail-on', 'never', '--no-cache');
    cli('verify', '--fail-on', 'never');
    const reused = cli('verify', '--fail-on', 'never', '--verbose');
    expect(reused.stderr).toMatch(/note: cache .*: 6 reused \(6 unread: unchanged since cached\), 0 analysed; the whole report reused/);
    expect(reused.stdout).toBe(plain.stdout);
    for (const format of ['json', 'sarif', 'text']) expect(cli('scan', '--format', format, '--fail-on', 'never').stdout, format).toBe(cli('scan', '--format', format, '--fail-on', 'never', '--no-cache').stdout);
  });
});
