import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../src/config/types.js';
import { loadConfig } from '../src/config/load.js';
import { discoverFiles } from '../src/engine/discover.js';
import { UsageError } from '../src/errors.js';

let tmp: string;

beforeEach(async () => {
  // realpath: on macOS the temp directory sits behind a symlink.
  tmp = await realpath(await mkdtemp(path.join(os.tmpdir(), 'hg-discover-')));
});

afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function put(rels: string[], content = ''): Promise<void> {
  for (const rel of rels) {
    const file = path.join(tmp, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

async function configFor(dir: string, overrides: Partial<ResolvedConfig> = {}): Promise<ResolvedConfig> {
  return { ...(await loadConfig({ cwd: dir })), ...overrides };
}

async function discover(
  paths: string[] = [],
  opts: { cwd?: string; config?: Partial<ResolvedConfig> } = {},
): Promise<{ rel: string[]; notes: string[] }> {
  const cwd = opts.cwd ?? tmp;
  const config = await configFor(tmp, opts.config);
  const { files, notes } = await discoverFiles({ paths, cwd, config });
  return { rel: files.map((f) => f.relPath), notes };
}

describe('discoverFiles', () => {
  it('maps extensions to languages and returns only source files, sorted', async () => {
    await put(['z.py', 'a/types.pyi', 'b.ts', 'c.tsx', 'd.mts', 'e.cts', 'f.js', 'g.jsx', 'h.mjs', 'i.cjs', 'README.md', 'x.pyc']);
    const { files } = await discoverFiles({ paths: [], cwd: tmp, config: await configFor(tmp) });
    expect(files.map((f) => [f.relPath, f.language])).toEqual([
      ['a/types.pyi', 'python'],
      ['b.ts', 'typescript'],
      ['c.tsx', 'typescript'],
      ['d.mts', 'typescript'],
      ['e.cts', 'typescript'],
      ['f.js', 'javascript'],
      ['g.jsx', 'javascript'],
      ['h.mjs', 'javascript'],
      ['i.cjs', 'javascript'],
      ['z.py', 'python'],
    ]);
    expect(files[0]?.absPath).toBe(path.join(tmp, 'a/types.pyi'));
  });

  it('skips the default-excluded directories at any depth', async () => {
    await put([
      'src/app.py',
      'node_modules/lib/index.js',
      'web/node_modules/lib/index.js',
      '.venv/lib/site.py',
      'venv/lib/site.py',
      '.git/hooks/pre-commit.py',
      'dist/app.js',
      'pkg/build/gen.py',
      'src/__pycache__/app.py',
      '.tox/py311/x.py',
      '.mypy_cache/x.py',
      'builder/ok.py',
    ]);
    expect((await discover()).rel).toEqual(['builder/ok.py', 'src/app.py']);
  });

  it('sorts by relPath and never returns a file twice', async () => {
    await put(['src/b.py', 'src/a.py', 'lib/c.ts', 'A.py']);
    const { rel } = await discover(['src', 'src/a.py', './src/b.py', '.', 'lib']);
    expect(rel).toEqual(['A.py', 'lib/c.ts', 'src/a.py', 'src/b.py']);
  });

  it('gives relPath relative to cwd, also for paths outside it', async () => {
    await put(['app/main.py', 'other/x.py']);
    const cwd = path.join(tmp, 'app');
    const { rel } = await discover(['.', '../other'], { cwd });
    expect(rel).toEqual(['../other/x.py', 'main.py']);
  });

  it('throws a UsageError for a path that does not exist', async () => {
    await put(['a.py']);
    const run = discover(['a.py', 'nope/x.py']);
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow('path not found: nope/x.py');
  });

  it('does not follow a symlinked directory, and notes it', async () => {
    await put(['real/a.py', 'outside/b.py']);
    await symlink(path.join(tmp, 'outside'), path.join(tmp, 'real/linked'), 'dir');
    await symlink(path.join(tmp, 'real/a.py'), path.join(tmp, 'real/alias.py'));
    const { rel, notes } = await discover(['real']);
    // The file symlink is a second name for real/a.py: returned once, by its own name.
    expect(rel).toEqual(['real/a.py']);
    expect(notes).toEqual(['skipped symlinked directory real/linked']);
  });

  it('gives each file its real path, as realpath resolves it (walked, symlinked or named, behind a symlinked root)', async () => {
    await put(['real/a.py', 'real/sub/b.py', 'other/c.py']);
    await symlink(path.join(tmp, 'other/c.py'), path.join(tmp, 'real/sub/to-c.py'));
    await symlink(path.join(tmp, 'real'), path.join(tmp, 'via'), 'dir');
    const config = await configFor(tmp);
    for (const paths of [['via'], ['real'], ['via/sub/to-c.py', 'real/a.py']]) {
      const { files, realPaths } = await discoverFiles({ paths, cwd: tmp, config });
      expect(files.length).toBeGreaterThan(0);
      expect(realPaths.size).toBe(files.length);
      for (const f of files) expect(realPaths.get(f.absPath)).toBe(realpathSync(f.absPath));
    }
  });

  describe('named files', () => {
    it('are subject to the default excludes and the config exclude, with a note', async () => {
      await put(['node_modules/x.js', 'src/gen/out.py', 'src/a.py', 'README.md']);
      const { rel, notes } = await discover(['node_modules/x.js', 'src/gen/out.py', 'src/a.py', 'README.md'], {
        config: { exclude: ['gen/'] },
      });
      expect(rel).toEqual(['src/a.py']);
      expect(notes).toEqual([
        'node_modules/x.js: skipped (inside node_modules)',
        'src/gen/out.py: skipped (matches config "exclude")',
      ]);
    });

    it('are subject to include, and not to .gitignore (they are tracked or asked for)', async () => {
      git(tmp, 'init', '-q');
      await put(['.gitignore'], 'scratch.py\n');
      await put(['scratch.py', 'tests/t.py']);
      const { rel, notes } = await discover(['scratch.py', 'tests/t.py'], { config: { include: ['*.py', '!tests/**'] } });
      expect(rel).toEqual(['scratch.py']);
      expect(notes).toEqual(['tests/t.py: skipped (not matched by config "include")']);
    });
  });

  describe('config include and exclude', () => {
    it('uses gitignore semantics relative to rootDir', async () => {
      await put([
        'src/a.py',
        'src/deep/b.py',
        'src/deep/c.ts',
        'app/x.js',
        'app/legacy.js',
        'app/generated/y.js',
        'scripts/s.py',
      ]);
      const { rel } = await discover([], {
        config: { include: ['src/**/*.py', 'app/'], exclude: ['generated/', '/app/legacy.js'] },
      });
      expect(rel).toEqual(['app/x.js', 'src/a.py', 'src/deep/b.py']);
    });

    it('resolves patterns against rootDir when running from a subdirectory', async () => {
      await put(['handshake-guard.config.json'], JSON.stringify({ exclude: ['/pkg/skip.py'], include: ['pkg/'] }));
      await put(['pkg/skip.py', 'pkg/keep.py', 'pkg/sub/skip.py', 'other.py']);
      const cwd = path.join(tmp, 'pkg');
      const config = await loadConfig({ cwd });
      expect(config.rootDir).toBe(tmp);
      const { files } = await discoverFiles({ paths: [], cwd, config });
      expect(files.map((f) => f.relPath)).toEqual(['keep.py', 'sub/skip.py']);
      const all = await discoverFiles({ paths: ['..'], cwd, config });
      expect(all.files.map((f) => f.relPath)).toEqual(['keep.py', 'sub/skip.py']);
    });

    it('an excluded directory named on the command line yields nothing, with a note', async () => {
      await put(['vendor/v.py']);
      const { rel, notes } = await discover(['vendor'], { config: { exclude: ['vendor'] } });
      expect(rel).toEqual([]);
      expect(notes).toEqual(['vendor: skipped (matches config "exclude")']);
    });
  });

  describe('.gitignore', () => {
    const layout = [
      'a.py',
      'root_only.py',
      'x.gen.py',
      'secret.py',
      'ignored_dir/z.py',
      'sub/root_only.py',
      'sub/important.gen.py',
      'sub/y.gen.py',
      'sub/a.js',
      'sub/keep.js',
      'sub/local.py',
      'sub/anchored.py',
      'sub/deep/x.py',
      'sub/ignored_dir/z.py',
      'sub/inner/local.py',
      'sub/inner/anchored.py',
      'sub/inner/deep/x.py',
      'sub/inner/CamelCase.py',
      'reincluded/kept/k.py',
      'reincluded/other/o.py',
      'outer/inner/f.py',
      'outer/inner/f.gen.py',
    ];

    async function makeRepo(): Promise<void> {
      git(tmp, 'init', '-q');
      await put(layout);
      await put(['.gitignore'], ['*.gen.py', '/root_only.py', 'ignored_dir/', 'sub/*.js', '!sub/keep.js', 'reincluded/*', 'outer/inner/', ''].join('\n'));
      await put(['.git/info/exclude'], 'secret.py\n');
      await put(['sub/.gitignore'], ['local.py', '!important.gen.py', '/anchored.py', 'deep/', 'camelcase.py', ''].join('\n'));
      await put(['sub/inner/.gitignore'], '!local.py\n');
      await put(['reincluded/.gitignore'], '!kept/\n');
      await put(['outer/.gitignore'], '!inner/\n');
    }

    /** What git itself considers not ignored, limited to the files we scan. */
    function gitListing(cwd: string): string[] {
      return git(cwd, 'ls-files', '--cached', '--others', '--exclude-standard')
        .split('\n')
        .filter((f) => /\.(py|js)$/.test(f))
        .sort();
    }

    it('matches git itself for nested .gitignore files, negations and anchors', async () => {
      await makeRepo();
      const { rel } = await discover();
      expect(rel).toEqual(gitListing(tmp));
      // Spelled out, so that a change in git cannot silently empty the test.
      expect(rel).toEqual([
        'a.py',
        'outer/inner/f.py',
        'reincluded/kept/k.py',
        'sub/important.gen.py',
        'sub/inner/anchored.py',
        'sub/inner/local.py',
        'sub/keep.js',
        'sub/root_only.py',
      ].concat(process.platform === 'linux' ? ['sub/inner/CamelCase.py'] : []).sort());
    });

    it('applies the .gitignore files above the scanned directory, up to the git root', async () => {
      await makeRepo();
      const cwd = path.join(tmp, 'sub');
      const { rel } = await discover([], { cwd });
      expect(rel).toEqual(gitListing(cwd));
      expect(rel).toContain('important.gen.py');
      expect(rel).not.toContain('y.gen.py');
    });

    it('ignores .gitignore files above a directory that is not in a git repository', async () => {
      await put(['.gitignore'], '*.py\n');
      await put(['proj/a.py', 'proj/.gitignore'], '');
      await put(['proj/.gitignore'], 'b.py\n');
      await put(['proj/b.py']);
      expect((await discover([], { cwd: path.join(tmp, 'proj') })).rel).toEqual(['a.py']);
    });

    it('walks a directory named on the command line even if it is ignored', async () => {
      await makeRepo();
      const { rel } = await discover(['ignored_dir']);
      expect(rel).toEqual(['ignored_dir/z.py']);
    });
  });
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
}
