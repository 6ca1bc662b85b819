import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkBreaking, type BreakingFile } from '../src/checks/breaking.js';
import { startBaseLookup } from '../src/checks/breaking-base.js';
import { blobId, blobIdsAt, changedFiles, filesAtCommit, gitRoot, mergeBase, resolveRef, showFile, showFiles } from '../src/engine/git.js';
import { UsageError } from '../src/errors.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hg-git-'));
  dirs.push(dir);
  return dir;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function write(root: string, rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

/** A repository whose first commit holds `files`. */
function repo(files: Record<string, string>): string {
  const root = tempDir();
  git(root, 'init', '-q', '-b', 'main');
  for (const [rel, text] of Object.entries(files)) write(root, rel, text);
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'base');
  return root;
}

/** The oracle for blobIdsAt: `git cat-file --batch-check` of each name (null: missing or not a blob). */
async function catFileCheck(root: string, objects: string[]): Promise<(string | null)[]> {
  const out = execFileSync('git', ['cat-file', '--batch-check'], { cwd: root, input: objects.map((o) => `${o}\n`).join(''), encoding: 'utf8' }).split('\n');
  return objects.map((_, i) => /^([0-9a-f]+) blob \d+$/.exec(out[i] ?? '')?.[1] ?? null);
}

/** A file as the scan hands it to the row: its content (as read, or as staged) and that content's blob id. */
function withSource(file: Omit<BreakingFile, 'read' | 'blob'>, source: string): BreakingFile {
  return { ...file, read: () => source, blob: () => blobId(source) };
}

function scanned(root: string, ...rels: string[]): BreakingFile[] {
  return rels.map((rel) => {
    const absPath = path.join(root, rel);
    const language = rel.endsWith('.py') ? 'python' : 'typescript';
    return withSource({ file: rel, absPath, language }, readFileSync(absPath, 'utf8'));
  });
}

const ROUTER = [
  'class Router:',
  '    def __init__(self, app):',
  '        self.app = app',
  '',
  '    async def handle(self, ws):',
  '        pass',
  '',
  'def serve(router, port=8000):',
  '    pass',
  '',
].join('\n');

describe('git wrappers', () => {
  it('finds the root, resolves refs, reads files at a ref and lists changes', async () => {
    const root = repo({ 'app/ws.py': ROUTER, 'README.md': 'x\n', '.gitignore': 'ignored.py\n' });
    const sub = path.join(root, 'app');
    expect(await gitRoot(sub)).not.toBeNull();
    const head = await resolveRef(root, 'HEAD');
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    expect(await resolveRef(root, 'nope')).toBeNull();
    expect(await resolveRef(root, '--output=/tmp/x')).toBeNull();
    expect(await showFile(root, 'HEAD', 'app/ws.py')).toBe(ROUTER);
    expect(await showFile(root, 'HEAD', 'app/missing.py')).toBeNull();
    expect(await showFile(root, 'HEAD', 'app')).toBeNull();
    write(root, 'app/ws.py', 'staged = 1\n');
    git(root, 'add', 'app/ws.py');
    expect(await showFile(root, '', 'app/ws.py')).toBe('staged = 1\n');

    write(root, 'app/ws.py', `${ROUTER}# changed\n`);
    write(root, 'new file.py', 'x = 1\n');
    write(root, 'ignored.py', 'x = 1\n');
    rmSync(path.join(root, 'README.md'));
    expect(await changedFiles(root, 'HEAD')).toEqual(['README.md', 'app/ws.py', 'new file.py']);
    await expect(changedFiles(root, 'origin/nope')).rejects.toThrow('--base origin/nope: unknown revision');

    const many = await showFiles(root, 'HEAD', ['app/ws.py', 'missing.py', 'README.md']);
    expect([...many.entries()]).toEqual([
      ['app/ws.py', ROUTER],
      ['missing.py', null],
      ['README.md', 'x\n'],
    ]);

    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'second');
    expect(await mergeBase(root, 'HEAD', 'HEAD~1')).toBe(head);
    expect(await mergeBase(root, 'HEAD', 'nope')).toBeNull();
  });

  it('filesAtCommit: the commit and the files there from one cat-file, as resolveRef + showFiles give them', async () => {
    const root = repo({ 'app/ws.py': ROUTER, 'README.md': 'x\n' });
    write(root, 'app/ws.py', 'y = 2\n');
    git(root, 'commit', '-q', '-am', 'second');
    for (const ref of ['HEAD', 'HEAD~1', 'main']) {
      const got = await filesAtCommit(root, ref, ['app/ws.py', 'missing.py', 'app']);
      const commit = await resolveRef(root, ref);
      expect(got.commit).toBe(commit);
      expect([...got.files.entries()]).toEqual([...(await showFiles(root, commit ?? '', ['app/ws.py', 'missing.py', 'app'])).entries()]);
    }
    expect((await filesAtCommit(root, 'HEAD', ['app/ws.py'])).files.get('app/ws.py')).toBe('y = 2\n');
    // A ref naming no commit: a blob, an unknown name, an option-like name, a tree.
    for (const ref of ['HEAD:README.md', 'nope', '--output=/tmp/x', 'HEAD^{tree}']) {
      expect((await filesAtCommit(root, ref, ['README.md'])).commit).toBeNull();
    }
    const empty = tempDir();
    git(empty, 'init', '-q');
    expect((await filesAtCommit(empty, 'HEAD', ['a.py'])).commit).toBeNull();
  });

  it('blobIdsAt: the ids cat-file gives per path, from one ls-tree, for every kind of entry', async () => {
    const root = repo({
      'top.py': 'a = 1\n',
      'a/x.py': 'b = 2\n',
      'ab/x.py': 'c = 3\n',
      'a/b/é y.py': 'd = 4\n',
      'a/b/back\\slash.py': 'e = 5\n',
      '*/star.py': 'f = 6\n',
      'dir/sub/deep.py': 'g = 7\n',
    });
    symlinkSync('x.py', path.join(root, 'a/link.py'));
    symlinkSync('../ab', path.join(root, 'a/dirlink'));
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'links');
    const head = (await resolveRef(root, 'HEAD')) as string;
    git(root, 'update-index', '--add', '--cacheinfo', `160000,${head},a/sub`);
    git(root, 'commit', '-q', '-m', 'gitlink');
    const commit = (await resolveRef(root, 'HEAD')) as string;
    const asked = ['top.py', 'a/x.py', 'ab/x.py', 'a/b/é y.py', 'a/b/back\\slash.py', '*/star.py', 'a/link.py', 'a/dirlink/x.py', 'a/sub', 'a/b', 'a', 'missing.py', 'a/missing.py', 'a/b/missing.py', 'dir/sub/deep.py', 'no/such/dir/x.py', 'a/x.py/y.py'];
    const expected = await catFileCheck(root, asked.map((r) => `${commit}:${r}`));
    expect(expected?.filter((id) => id !== null)).toHaveLength(8);
    expect(await blobIdsAt(root, commit, asked)).toEqual(new Map(asked.map((r, i) => [r, expected?.[i] ?? null])));
    // Only some of them: a directory other paths sit in is not listed for nothing.
    expect(await blobIdsAt(root, commit, ['a/b/é y.py', '*/star.py'])).toEqual(new Map([['a/b/é y.py', blobId('d = 4\n')], ['*/star.py', blobId('f = 6\n')]]));
    // Paths in more directories than it lists at once: their parents are listed (the whole tree at worst), same answer.
    const many = Array.from({ length: 70 }, (_, i) => `d${i}/x.py`);
    expect(await blobIdsAt(root, commit, [...many, 'a/x.py'])).toEqual(new Map([...many.map((r) => [r, null] as const), ['a/x.py', blobId('b = 2\n')]]));
    const nested = Array.from({ length: 70 }, (_, i) => `pkg/d${i}/x${i}.py`);
    for (const [i, rel] of nested.entries()) write(root, rel, `n = ${i}\n`);
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'nested');
    const second = (await resolveRef(root, 'HEAD')) as string;
    const wanted = [...nested, 'pkg/d3/missing.py', 'top.py', 'a/x.py'];
    expect(await blobIdsAt(root, second, wanted)).toEqual(new Map(wanted.map((r) => [r, r.startsWith('pkg/d') && !r.endsWith('missing.py') ? blobId(`n = ${/d(\d+)/.exec(r)?.[1]}\n`) : r === 'top.py' ? blobId('a = 1\n') : r === 'a/x.py' ? blobId('b = 2\n') : null])));
    expect(await blobIdsAt(root, 'f'.repeat(40), ['a/x.py'])).toBeNull();
    // A name that is not UTF-8 in the listing: the other names are still read right.
    writeFileSync(Buffer.concat([Buffer.from(path.join(root, 'a', 'b')), Buffer.from([0xff]), Buffer.from('.py')]), 'h = 8\n');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'latin-1 name');
    const third = (await resolveRef(root, 'HEAD')) as string;
    expect(execFileSync('git', ['ls-tree', '-r', '-z', '--name-only', third, '--', 'a'], { cwd: root }).includes(Buffer.from([0xff]))).toBe(true);
    expect(await blobIdsAt(root, third, ['a/x.py', 'a/b/é y.py', 'top.py'])).toEqual(new Map([['a/x.py', blobId('b = 2\n')], ['a/b/é y.py', blobId('d = 4\n')], ['top.py', blobId('a = 1\n')]]));
  });

  it('never runs a command named by the repository config (core.fsmonitor)', async () => {
    const root = repo({ 'a.py': 'x = 1\n' });
    const marker = path.join(root, 'fsmonitor-ran');
    git(root, 'config', 'core.fsmonitor', `touch '${marker}'; false`);
    write(root, 'a.py', 'x = 2\n');
    expect(await changedFiles(root, 'HEAD')).toEqual(['a.py']);
    expect(() => readFileSync(marker)).toThrow();
  });

  it('returns null outside a repository', async () => {
    expect(await gitRoot(tempDir())).toBeNull();
  });
});

describe('checkBreaking', () => {
  it('fails on a removed method, with file and line', async () => {
    const root = repo({ 'app/ws.py': ROUTER });
    write(root, 'app/ws.py', ROUTER.replace('    async def handle(self, ws):\n        pass\n', ''));
    const result = await checkBreaking({ cwd: root, files: scanned(root, 'app/ws.py'), base: null });
    expect(result).toEqual({
      id: 'breaking',
      title: 'Breaking Changes',
      status: 'fail',
      details: '1 breaking change against HEAD: app/ws.py:5 removed Router.handle',
    });
  });

  it('fails on a changed signature', async () => {
    const root = repo({ 'app/ws.py': ROUTER });
    write(root, 'app/ws.py', ROUTER.replace('handle(self, ws)', 'handle(self, ws, timeout)'));
    const result = await checkBreaking({ cwd: root, files: scanned(root, 'app/ws.py'), base: null });
    expect(result.status).toBe('fail');
    expect(result.details).toContain(
      'app/ws.py:5 async Router.handle(self, ws) → async Router.handle(self, ws, timeout) (timeout added without a default)',
    );
  });

  it('passes on an added defaulted parameter and says what it compared', async () => {
    const root = repo({ 'app/ws.py': ROUTER, 'web/client.ts': 'export const x = 1;\n' });
    write(root, 'app/ws.py', ROUTER.replace('handle(self, ws)', 'handle(self, ws, timeout=3.0)'));
    const result = await checkBreaking({ cwd: root, files: scanned(root, 'app/ws.py', 'web/client.ts'), base: 'HEAD' });
    expect(result.status).toBe('pass');
    expect(result.details).toBe(
      'public API of 1 changed Python file unchanged against HEAD (4 definitions)',
    );
  });

  it('compares the exported declarations of changed TS/JS files', async () => {
    const before = 'export async function send(ws: WebSocket, data: string, retries = 3): Promise<void> {}\nexport class Client {\n  connect(url: string) {}\n  private reset() {}\n}\nexport const helper = (a: number) => a;\n';
    const root = repo({ 'web/client.ts': before, 'web/legacy.cjs': 'function open(url) {}\nmodule.exports = { open };\n' });
    write(root, 'web/client.ts', before.replace('retries = 3', 'retries: number').replace('  private reset() {}\n', '').replace('export const helper', 'const helper'));
    write(root, 'web/legacy.cjs', 'function open(url, opts) {}\nmodule.exports = { open };\n');
    const result = await checkBreaking({ cwd: root, files: scanned(root, 'web/client.ts', 'web/legacy.cjs'), base: 'HEAD' });
    expect(result.status).toBe('fail');
    expect(result.details).toContain('web/client.ts:1 send: parameter retries is now required');
    expect(result.details).toContain('web/client.ts:6 exported function helper removed');
    expect(result.details).toContain('web/legacy.cjs:1 open: parameter opts is now required');
    expect(result.details).not.toContain('reset');
    write(root, 'web/client.ts', before.replace('retries = 3', 'retries = 3, extra?: boolean'));
    write(root, 'web/legacy.cjs', 'function open(url) {}\nmodule.exports = { open };\n');
    const ok = await checkBreaking({ cwd: root, files: scanned(root, 'web/client.ts', 'web/legacy.cjs'), base: 'HEAD' });
    expect(ok.status).toBe('pass');
    expect(ok.details).toContain('exported declarations of 1 changed TS/JS file compared (4 declarations)');
  });

  it('passes when nothing changed, and compares the given (staged) source rather than the disk', async () => {
    const root = repo({ 'app/ws.py': ROUTER });
    const unchanged = await checkBreaking({ cwd: root, files: scanned(root, 'app/ws.py'), base: null });
    expect(unchanged).toMatchObject({ status: 'pass', details: 'no scanned Python file changed since HEAD' });

    const [file] = scanned(root, 'app/ws.py');
    if (!file) throw new Error('no file');
    const staged = await checkBreaking({ cwd: root, files: [withSource(file, 'x = 1\n')], base: null });
    expect(staged.status).toBe('fail');
    expect(staged.details).toContain('removed Router');
    expect(staged.details).toContain('removed serve');
  });

  it('asks git only for the ids of unchanged files (blob ids as git computes them), never their content', async () => {
    const root = repo({ 'app/ws.py': ROUTER, 'app/é.py': 'x = "é"\n' });
    for (const text of ['', 'x = 1\n', 'x = "é"\n', ROUTER]) {
      expect(blobId(text)).toBe(execFileSync('git', ['hash-object', '--stdin'], { input: text, encoding: 'utf8' }).trim());
    }
    const head = (await resolveRef(root, 'HEAD')) as string;
    expect(await catFileCheck(root, [`${head}:app/ws.py`, `${head}:app/none.py`, `${head}:app`])).toEqual([blobId(ROUTER), null, null]);
    // An unchanged file, a changed one (a removed method) and a new one, in one run.
    write(root, 'app/new.py', 'def fresh(a): pass\n');
    const files = scanned(root, 'app/é.py', 'app/ws.py', 'app/new.py').map((f) => (f.file === 'app/ws.py' ? withSource(f, ROUTER.replace(/def serve/, 'def served')) : f));
    const result = await checkBreaking({ cwd: root, files, base: null });
    expect(result.status).toBe('fail');
    expect(result.details).toContain('removed serve');
    expect(result.details).toContain('1 new Python file');
  });

  it('uses a lookup started early only when it was asked for the same files, root and ref', async () => {
    // 70 files: past the fetch-everything size, so git is asked for blob ids.
    const many = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`app/m${i}.py`, `def f${i}(a): pass\n`]));
    const root = repo(many);
    write(root, 'app/m3.py', 'def g(a): pass\n');
    git(root, 'commit', '-q', '-am', 'second');
    write(root, 'app/m5.py', 'x = 1\n');
    const files = scanned(root, ...Object.keys(many));
    const abs = files.map((f) => f.absPath);
    const plain = await checkBreaking({ cwd: root, files, base: null });
    expect(plain.status).toBe('fail');
    expect(plain.details).toContain('removed f5');
    expect(plain.details).not.toContain('f3');
    expect(await checkBreaking({ cwd: root, files, base: null, early: startBaseLookup(root, 'HEAD', [...abs].reverse()) })).toEqual(plain);
    // Another set of files, another ref or another root: asked again, same answer as without.
    expect(await checkBreaking({ cwd: root, files, base: null, early: startBaseLookup(root, 'HEAD', abs.slice(0, 69)) })).toEqual(plain);
    expect(await checkBreaking({ cwd: root, files, base: null, early: startBaseLookup(root, 'HEAD~1', abs) })).toEqual(plain);
    expect(await checkBreaking({ cwd: root, files, base: null, early: startBaseLookup(tempDir(), 'HEAD', abs) })).toEqual(plain);
    const older = await checkBreaking({ cwd: root, files, base: 'HEAD~1', early: startBaseLookup(root, 'HEAD~1', abs) });
    expect(older.details).toContain('removed f3');
    expect(older).toEqual(await checkBreaking({ cwd: root, files, base: 'HEAD~1' }));
  });

  it('has nothing to break in a new file', async () => {
    const root = repo({ 'app/ws.py': ROUTER });
    write(root, 'app/new.py', 'def fresh(a): pass\n');
    const result = await checkBreaking({ cwd: root, files: scanned(root, 'app/ws.py', 'app/new.py'), base: null });
    expect(result).toMatchObject({
      status: 'pass',
      details: 'no scanned Python file changed since HEAD; 1 new Python file (nothing to break)',
    });
  });

  it('compares against an older base given by --base, from a subdirectory', async () => {
    const root = repo({ 'app/ws.py': ROUTER });
    write(root, 'app/ws.py', ROUTER.replace('def serve(router, port=8000):', 'def serve(router, port):'));
    git(root, 'commit', '-q', '-am', 'second');
    const sub = path.join(root, 'app');
    const files: BreakingFile[] = [
      withSource({ file: 'ws.py', absPath: path.join(sub, 'ws.py'), language: 'python' }, readFileSync(path.join(sub, 'ws.py'), 'utf8')),
    ];
    expect((await checkBreaking({ cwd: sub, files, base: null })).status).toBe('pass');
    const result = await checkBreaking({ cwd: sub, files, base: 'HEAD~1' });
    expect(result.status).toBe('fail');
    expect(result.details).toContain('ws.py:8 serve(router, port=…) → serve(router, port) (port made required)');
  });

  it('warns when a class takes its constructor from a base class on one side only: not decidable, neither passed nor a removed __init__', async () => {
    const root = repo({ 'app/client.py': 'class Client(Base):\n    def __init__(self, url):\n        pass\n' });
    write(root, 'app/client.py', 'class Client(Base):\n    pass\n');
    expect(await checkBreaking({ cwd: root, files: scanned(root, 'app/client.py'), base: null })).toMatchObject({
      status: 'warn',
      details: 'public API of 1 changed Python file unchanged against HEAD (2 definitions); not decidable here: app/client.py:1 Client: __init__ removed, the constructor now comes from a base class or decorator: not compared',
    });
  });

  it('fails on a required field added to a @dataclass (its generated __init__)', async () => {
    const before = 'from dataclasses import dataclass\n\n\n@dataclass\nclass Settings:\n    url: str\n    retries: int = 3\n';
    const root = repo({ 'app/settings.py': before });
    write(root, 'app/settings.py', before.replace('    retries', '    timeout: float\n    retries'));
    expect(await checkBreaking({ cwd: root, files: scanned(root, 'app/settings.py'), base: null })).toMatchObject({
      status: 'fail',
      details: '1 breaking change against HEAD: app/settings.py:4 Settings(url, retries=…) → Settings(url, timeout, retries=…) (retries moved; timeout added without a default)',
    });
  });

  it('does not crash on a file that does not parse, and says so', async () => {
    const root = repo({ 'app/ws.py': ROUTER });
    write(root, 'app/ws.py', `${ROUTER}def broken(:\n    pass\n`);
    const result = await checkBreaking({ cwd: root, files: scanned(root, 'app/ws.py'), base: null });
    expect(result.status).toBe('warn');
    expect(result.details).toBe('1 changed Python file not compared: app/ws.py (does not parse, line 10)');
  });

  it('names every file not compared, whatever its language, and words the lead by what was compared', async () => {
    const root = repo({ 'app/ws.py': ROUTER, 'app/other.py': ROUTER, 'web/client.ts': 'export function send(a: string) {}\n' });
    write(root, 'web/client.ts', 'export function send(a: string {\n');
    // Only a TS/JS file changed, and it does not parse: named, not counted as a Python file.
    const alone = await checkBreaking({ cwd: root, files: scanned(root, 'web/client.ts'), base: null });
    expect(alone.status).toBe('warn');
    // No Python file scanned: the lead does not speak of them.
    expect(alone.details).toBe('against HEAD: not compared: web/client.ts (does not parse, line 1)');
    // A Python file compared beside it: the TS/JS one is still named.
    write(root, 'app/ws.py', `${ROUTER}def extra():\n    pass\n`);
    const both = await checkBreaking({ cwd: root, files: scanned(root, 'app/ws.py', 'web/client.ts'), base: null });
    expect(both.status).toBe('warn');
    expect(both.details).toBe('public API of 1 changed Python file unchanged against HEAD (4 definitions); not compared: web/client.ts (does not parse, line 1)');
    // A Python file not compared leads; the TS/JS one follows in the notes.
    write(root, 'app/other.py', `${ROUTER}def broken(:\n    pass\n`);
    const lead = await checkBreaking({ cwd: root, files: scanned(root, 'app/other.py', 'web/client.ts'), base: null });
    expect(lead.details).toBe('1 changed Python file not compared: app/other.py (does not parse, line 10); not compared: web/client.ts (does not parse, line 1)');
    // And when something breaks, every file not compared is named after the breaks.
    write(root, 'app/ws.py', ROUTER.replace('port=8000', 'port'));
    const broke = await checkBreaking({ cwd: root, files: scanned(root, 'app/ws.py', 'app/other.py', 'web/client.ts'), base: null });
    expect(broke.status).toBe('fail');
    expect(broke.details).toBe('1 breaking change against HEAD: app/ws.py:8 serve(router, port=…) → serve(router, port) (port made required); not compared: app/other.py (does not parse, line 10), web/client.ts (does not parse, line 1)');
  });

  it('skips outside a git repository', async () => {
    const dir = tempDir();
    write(dir, 'a.py', 'def f(): pass\n');
    const result = await checkBreaking({ cwd: dir, files: scanned(dir, 'a.py'), base: null });
    expect(result).toEqual({ id: 'breaking', title: 'Breaking Changes', status: 'skip', details: 'not a git repository' });
  });

  it('skips in a repository with no commit yet', async () => {
    const root = tempDir();
    git(root, 'init', '-q');
    expect((await checkBreaking({ cwd: root, files: [], base: null })).status).toBe('skip');
  });

  it('throws a one-line UsageError for an unknown base', async () => {
    const root = repo({ 'app/ws.py': ROUTER });
    const run = checkBreaking({ cwd: root, files: scanned(root, 'app/ws.py'), base: 'origin/nope' });
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(/^--base origin\/nope: unknown revision$/);
  });
});
