// Issue 8: a pre-commit run pays Node's start-up and every module it imports, so modules are
// imported only when needed. What a run loads is observed with a module loader hook (never
// timed here: the machine's load would make a timed assertion flaky).
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from './helpers/cli.js';
import { git, gitRepo, guarded, removeAll, UNGUARDED, write } from './helpers/git.js';

const dirs: string[] = [];
afterAll(() => removeAll(dirs));

// Reports every module URL the loader loads on stderr, one per line.
const HOOKS = `export async function load(url, context, next) { process.stderr.write('LOADED ' + url + '\\n'); return next(url, context); }`;
const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`;

function loaded(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): { code: number; modules: string[] } {
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, GITHUB_ACTIONS: undefined, CI: 'true', ...env },
  });
  // The hook runs on the loader's thread: its lines may land inside the CLI's own notes.
  const modules = [...r.stderr.matchAll(/LOADED (\S+)/g)].map((m) => m[1] as string);
  return { code: r.status ?? -1, modules };
}

const pkg = (modules: string[], name: string): boolean => modules.some((m) => m.includes(`/node_modules/${name}/`));
const own = (modules: string[], rel: string): boolean => modules.some((m) => m.includes(`/dist/${rel}`));

describe('start-up: modules are loaded when needed', () => {
  it('verify --staged with no config file loads neither zod, smol-toml, diff, cli-progress nor the TS compiler', () => {
    const repo = gitRepo({ 'app/ws.py': guarded(), 'README.md': 'x\n' }, dirs);
    write(repo, 'app/ws.py', UNGUARDED);
    git(repo, 'add', 'app/ws.py');
    const { code, modules } = loaded(['verify', '--staged'], repo);
    expect(code).toBe(1); // the unguarded loop fails the gate: the run really happened
    expect(pkg(modules, 'web-tree-sitter')).toBe(true);
    for (const name of ['zod', 'smol-toml', 'diff', 'cli-progress', 'ts-morph', 'typescript']) expect(pkg(modules, name), name).toBe(false);
    for (const rel of ['src/fix/', 'src/report/sarif.js', 'src/report/junit.js', 'src/report/markdown.js', 'src/engine/baseline.js', 'src/config/schema.js']) {
      // The one fix module a scan asks (for `fixable`): the refusals decidable from the loop, with no imports of its own.
      const loadedHere = modules.filter((m) => m.includes(`/dist/${rel}`) && !m.endsWith('/dist/src/fix/refusals.js'));
      expect(loadedHere, rel).toEqual([]);
    }
  });

  it('a config file brings in the zod schema (and the hook sees it), a JSON config no TOML parser', () => {
    const repo = gitRepo({ 'app/ws.py': UNGUARDED, 'handshake-guard.config.json': '{"budget": 4}\n' }, dirs);
    const { modules } = loaded(['scan', '--format', 'json', '--quiet', path.join('app', 'ws.py')], repo);
    expect(pkg(modules, 'zod')).toBe(true);
    expect(own(modules, 'src/report/json.js')).toBe(true);
    expect(pkg(modules, 'smol-toml')).toBe(false);
  });

  it('a JSON report, with notes and --verbose, loads neither chalk nor the text reporter', () => {
    const repo = gitRepo({ 'app/ws.py': UNGUARDED, 'app/big.py': `x = 1\n${'#'.repeat(3 * 1024 * 1024)}\n` }, dirs);
    const r = spawnSync(process.execPath, [BIN, 'scan', '--format', 'json', '--verbose', '--fail-on', 'never'], { cwd: repo, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(r.stderr).toMatch(/big\.py: not read: larger than 2 MiB/);
    const { modules } = loaded(['scan', '--format', 'json', '--verbose', '--fail-on', 'never'], repo);
    expect(pkg(modules, 'chalk')).toBe(false);
    expect(own(modules, 'src/report/text.js')).toBe(false);
    expect(own(modules, 'src/report/escape.js')).toBe(true);
  });

  it('a re-scan whose whole report is reused loads neither the pipeline, the rules, the checks, the Python front end (but its target versions) nor a TOML parser', async () => {
    const repo = gitRepo({ 'app/ws.py': UNGUARDED, 'pyproject.toml': '[project]\nrequires-python = ">=3.11"\n' }, dirs);
    // Files changed within 2 s of a read are racy: no report is kept for them.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'hg-startup-cache-'));
    dirs.push(cacheDir);
    const env = { HANDSHAKE_GUARD_CACHE_DIR: cacheDir };
    const first = loaded(['scan', '--format', 'json', '--fail-on', 'never'], repo, env);
    expect(own(first.modules, 'src/engine/pipeline.js')).toBe(true);
    const again = loaded(['scan', '--format', 'json', '--fail-on', 'never'], repo, env);
    expect(again.code).toBe(0);
    for (const rel of ['src/engine/pipeline.js', 'rules/', 'src/checks/', 'src/engine/python-files.js', 'src/engine/scripts.js']) expect(own(again.modules, rel), rel).toBe(false);
    // The facts' directory listings come from dir-entries.ts, not from the prefilter.
    expect(again.modules.filter((m) => m.includes('/languages/')).map((m) => m.replace(/.*\/languages\//, ''))).toEqual(['python/target-version.js']);
    expect(pkg(again.modules, 'smol-toml')).toBe(false);
  });

  it('--version loads none of the engine', () => {
    const { code, modules } = loaded(['--version'], path.resolve(__dirname, '..'));
    expect(code).toBe(0);
    expect(own(modules, 'src/engine/')).toBe(false);
    expect(pkg(modules, 'web-tree-sitter')).toBe(false);
  });
});
