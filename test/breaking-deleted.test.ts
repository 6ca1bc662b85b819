// The breaking row and deleted files (SPEC §5): a module the base has and the change deletes
// (or moves: its old path is gone) removes every public name it had. A full scan, --staged and
// --base each find them; files a walk would not scan (other languages, excluded) do not count.
import { renameSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';
import type { CheckResult } from '../src/model.js';
import { git, gitRepo, removeAll, write } from './helpers/git.js';

const repos: string[] = [];
afterAll(() => removeAll(repos));

const API = `def fetch_user(uid):
    return uid


class Store:
    def get(self, key):
        return key


def _private():
    pass
`;

const CLIENT = `export function connect(url: string): string {
  return url;
}
`;

const TREE = {
  'app/__init__.py': '',
  'app/api.py': API,
  'app/internal.py': 'def _only_private():\n    pass\n',
  'app/keep.py': 'x = 1\n',
  'web/client.ts': CLIENT,
  'vendor/lib.py': 'def vendored():\n    pass\n',
  'handshake-guard.config.json': '{"exclude": ["vendor/**"]}\n',
};

async function breaking(dir: string, extra: { staged?: boolean; base?: string; paths?: string[] } = {}): Promise<CheckResult> {
  const r = await run({ cwd: dir, paths: extra.paths ?? ['.'], ...(extra.staged ? { staged: true } : {}), ...(extra.base ? { base: extra.base } : {}) });
  const row = r.report.checks.find((c) => c.id === 'breaking');
  if (!row) throw new Error('no breaking row');
  return row;
}

const REMOVED = ['app/api.py:1 removed fetch_user (file deleted)', 'app/api.py:5 removed Store (file deleted)', 'web/client.ts:1 exported function connect removed (file deleted)'];

describe('deleted files in the breaking row', () => {
  it('a full scan: deleted modules lose their public names; a private-only one, an excluded one and another language do not count', async () => {
    const dir = gitRepo({ ...TREE, 'docs/notes.md': 'x\n' }, repos);
    for (const rel of ['app/api.py', 'app/internal.py', 'web/client.ts', 'vendor/lib.py', 'docs/notes.md']) rmSync(path.join(dir, rel));
    const row = await breaking(dir);
    expect(row.status).toBe('fail');
    for (const b of REMOVED) expect(row.details).toContain(b);
    expect(row.details).not.toContain('_only_private');
    expect(row.details).not.toContain('vendor');
    expect(row.details).toContain('3 deleted files compared');
  });

  it('a scan of one directory sees only the deletions below it', async () => {
    const dir = gitRepo(TREE, repos);
    rmSync(path.join(dir, 'app/api.py'));
    rmSync(path.join(dir, 'web/client.ts'));
    const row = await breaking(dir, { paths: ['web'] });
    expect(row.status).toBe('fail');
    expect(row.details).toContain('web/client.ts:1 exported function connect removed (file deleted)');
    expect(row.details).not.toContain('app/api.py');
  });

  it('a moved module: its old path is gone (importers of it break), said once; its names are compared at the new path', async () => {
    const dir = gitRepo(TREE, repos);
    write(dir, 'app/v2/__init__.py', '');
    renameSync(path.join(dir, 'app/api.py'), path.join(dir, 'app/v2/api.py'));
    const row = await breaking(dir);
    expect(row.status).toBe('fail');
    expect(row.details).toBe('1 breaking change against HEAD: app/api.py renamed to app/v2/api.py (imports of the old path break); 1 new Python file (nothing to break); 1 renamed file compared with its new path');
  });

  it('a moved module whose new text does not parse: the old path is still gone (a break), the new file is named, not counted as new', async () => {
    const dir = gitRepo(TREE, repos);
    write(dir, 'app/v2/__init__.py', '');
    write(dir, 'app/v2/api.py', `${API}\ndef broken(:\n    pass\n`);
    rmSync(path.join(dir, 'app/api.py'));
    const row = await breaking(dir);
    expect(row).toMatchObject({
      status: 'fail',
      details: '1 breaking change against HEAD: app/api.py renamed to app/v2/api.py (imports of the old path break); not compared: app/v2/api.py (renamed from app/api.py; does not parse, line 13); 1 new Python file (nothing to break)',
    });
  });

  it('--staged: a staged deletion counts, a deletion not staged does not', async () => {
    const dir = gitRepo(TREE, repos);
    git(dir, 'rm', '-q', 'app/api.py');
    rmSync(path.join(dir, 'web/client.ts'));
    const row = await breaking(dir, { staged: true });
    expect(row.status).toBe('fail');
    expect(row.details).toContain('app/api.py:1 removed fetch_user (file deleted)');
    expect(row.details).not.toContain('web/client.ts');
  });

  it('--base: deletions since the merge base, committed or not', async () => {
    const dir = gitRepo(TREE, repos);
    git(dir, 'checkout', '-q', '-b', 'topic');
    git(dir, 'rm', '-q', 'app/api.py');
    git(dir, 'commit', '-q', '-m', 'drop api');
    rmSync(path.join(dir, 'web/client.ts'));
    const row = await breaking(dir, { base: 'main' });
    expect(row.status).toBe('fail');
    for (const b of REMOVED) expect(row.details).toContain(b);
  });

  it('nothing deleted: the row is as before', async () => {
    const dir = gitRepo(TREE, repos);
    const row = await breaking(dir);
    // Python and TS/JS files scanned: the lead speaks of files, not of Python files.
    expect(row).toMatchObject({ status: 'pass', details: 'no scanned file changed since HEAD' });
  });

  it('a committed symlink the walk skips (dangling) is no deleted file: its blob is a path, not a module', async () => {
    // colyseus.js commits `environments/static-html/colyseus.js` as a link into a build output.
    const dir = gitRepo({ 'web/client.ts': CLIENT }, repos);
    symlinkSync('../dist/bundle.js', path.join(dir, 'web/bundle.js'));
    symlinkSync('client.ts', path.join(dir, 'web/alias.ts'));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'links');
    const row = await breaking(dir);
    expect(row).toMatchObject({ status: 'pass', details: 'no scanned file changed since HEAD' });
    // A real deletion beside them still counts, and the lead speaks of what was scanned (no Python file).
    rmSync(path.join(dir, 'web/client.ts'));
    const gone = await breaking(dir);
    expect(gone).toMatchObject({ status: 'fail', details: '1 breaking change against HEAD: web/client.ts:1 exported function connect removed (file deleted); 1 deleted file compared' });
  });
});
