// The pre-commit hook, run by the real pre-commit framework (Debian's `pre-commit`; .ci/run
// installs it): pre-commit installs this package from a git repository with npm
// (`language: node`: npm install, npm pack, npm install -g), then runs it on `git commit`.
// The hook repository is a snapshot of this working tree, so uncommitted work is what is tested.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { git, gitRepo, guarded, removeAll, UNGUARDED, write } from './helpers/git.js';

const REPO = path.resolve(__dirname, '..');
const HOOK_FILES = ['package.json', 'package-lock.json', '.npmrc', '.pre-commit-hooks.yaml', 'tsconfig.json', 'bin', 'src', 'rules', 'codemods'];
const hasPreCommit = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' }).status === 0;
const dirs: string[] = [];
afterAll(() => removeAll(dirs));

function commit(cwd: string, env: NodeJS.ProcessEnv, message: string): { code: number; output: string } {
  const r = spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-m', message], {
    cwd,
    encoding: 'utf8',
    env,
  });
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

describe('the pre-commit hook', () => {
  it('is available in CI', () => {
    // Locally it may be missing (then the test below is skipped); CI must have it.
    if (process.env.CI === 'true') expect(hasPreCommit).toBe(true);
  });

  it.runIf(hasPreCommit)('blocks a commit that adds an unguarded loop and lets a clean one through', { timeout: 600_000 }, () => {
    // The hook repository: this working tree's package, committed.
    const hook = mkdtempSync(path.join(tmpdir(), 'hg-hook-'));
    dirs.push(hook);
    for (const f of HOOK_FILES) if (existsSync(path.join(REPO, f))) cpSync(path.join(REPO, f), path.join(hook, f), { recursive: true });
    git(hook, 'init', '-q', '-b', 'main');
    git(hook, 'add', '-A');
    git(hook, 'commit', '-q', '-m', 'hook');
    const rev = git(hook, 'rev-parse', 'HEAD').trim();

    const repo = gitRepo({ 'README.md': 'demo\n' }, dirs);
    write(repo, '.pre-commit-config.yaml', `repos:\n  - repo: ${hook}\n    rev: ${rev}\n    hooks:\n      - id: handshake-guard\n`);
    git(repo, 'add', '.pre-commit-config.yaml');
    git(repo, 'commit', '-q', '-m', 'pre-commit config');
    const home = mkdtempSync(path.join(tmpdir(), 'hg-pre-commit-home-'));
    dirs.push(home);
    const env = { ...process.env, PRE_COMMIT_HOME: home, NO_COLOR: '1', FORCE_COLOR: undefined, GITHUB_ACTIONS: undefined };
    const install = spawnSync('pre-commit', ['install', '--install-hooks'], { cwd: repo, encoding: 'utf8', env });
    expect(`${install.stdout}${install.stderr}`).toContain('pre-commit installed');
    expect(install.status).toBe(0);

    const before = git(repo, 'rev-parse', 'HEAD').trim();
    write(repo, 'app/ws.py', UNGUARDED);
    git(repo, 'add', 'app/ws.py');
    const blocked = commit(repo, env, 'unguarded loop');
    expect(blocked.output).toContain('handshake-guard');
    expect(blocked.output).toContain('HG001');
    expect(blocked.output).toContain('Gate: FAILED (Guard Coverage: fail)');
    expect(blocked.code).not.toBe(0);
    expect(git(repo, 'rev-parse', 'HEAD').trim()).toBe(before);

    // A fix in the working tree that is not staged does not get the commit through.
    write(repo, 'app/ws.py', guarded());
    expect(commit(repo, env, 'still unguarded in the index').code).not.toBe(0);
    expect(git(repo, 'rev-parse', 'HEAD').trim()).toBe(before);

    git(repo, 'add', 'app/ws.py');
    writeFileSync(path.join(repo, 'notes.txt'), 'not Python\n');
    git(repo, 'add', 'notes.txt');
    const clean = commit(repo, env, 'guarded loop');
    expect(clean.output).toMatch(/handshake-guard\.+Passed/);
    expect(clean.code).toBe(0);
    expect(git(repo, 'log', '-1', '--format=%s').trim()).toBe('guarded loop');

    // The fixing hook (same repository, same installed environment): it writes the guard into
    // the working tree, pre-commit stops the commit because a file changed, and the reviewed,
    // staged result goes through both hooks.
    write(repo, '.pre-commit-config.yaml', `repos:\n  - repo: ${hook}\n    rev: ${rev}\n    hooks:\n      - id: handshake-guard-fix\n      - id: handshake-guard\n`);
    git(repo, 'add', '.pre-commit-config.yaml');
    expect(commit(repo, env, 'both hooks').code).toBe(0);
    const head = git(repo, 'rev-parse', 'HEAD').trim();
    write(repo, 'app/chat.py', UNGUARDED);
    git(repo, 'add', 'app/chat.py');
    const fixing = commit(repo, env, 'another unguarded loop');
    expect(fixing.output).toMatch(/handshake-guard fix\.+Failed/);
    expect(fixing.output).toContain('files were modified by this hook');
    expect(fixing.output).toContain('1 loop fixed in 1 file.');
    expect(fixing.code).not.toBe(0);
    expect(git(repo, 'rev-parse', 'HEAD').trim()).toBe(head);
    expect(readFileSync(path.join(repo, 'app/chat.py'), 'utf8')).toContain('handshake-guard: bounded wait for the WebSocket handshake');
    git(repo, 'add', 'app/chat.py');
    const fixed = commit(repo, env, 'guarded by the hook');
    expect(fixed.output).toMatch(/handshake-guard fix\.+Passed/);
    expect(fixed.code).toBe(0);
    expect(git(repo, 'log', '-1', '--format=%s').trim()).toBe('guarded by the hook');
  });
});
