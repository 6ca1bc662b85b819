// Safe writes (issue #7, item 2): `fix --write` replaces each file atomically (temp file beside
// it, fsync, rename), keeps mode and ownership, leaves no temp file, never overwrites a file that
// changed after it was read, and a run killed while writing leaves every file old or new.
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runFix, type FixOptions } from '../src/fix/fix.js';
import { ChangedOnDiskError, setBeforeRenameHookForTests, TEMP_FILE_PATTERN, writeAtomic } from '../src/atomic-write.js';
import { BIN, cli } from './helpers/cli.js';
import { cliAsNobody, isRoot, NOBODY } from './helpers/as-nobody.js';

const CASE = path.resolve(__dirname, '../fixtures/python/fix/bom.py');
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));
afterEach(() => setBeforeRenameHookForTests(null));

function temp(): string {
  const t = mkdtempSync(path.join(os.tmpdir(), 'hg-write-'));
  temps.push(t);
  return t;
}

function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((f) => TEMP_FILE_PATTERN.test(f) || f.endsWith('.tmp'));
}

function fixOptions(cwd: string, paths: string[]): FixOptions {
  return { cwd, paths, write: true, upgrade: false, placement: 'per-message' };
}

describe('writeAtomic', () => {
  it('keeps the mode and the owner, writes through a symlink, and leaves no temp file', () => {
    const dir = temp();
    const file = path.join(dir, 'a.py');
    writeFileSync(file, 'old\n');
    chmodSync(file, 0o640);
    const root = process.getuid?.() === 0;
    if (root) chownSync(file, 65534, 65534);
    writeAtomic(file, Buffer.from('new\n'), Buffer.from('old\n'));
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    const st = statSync(file);
    expect(st.mode & 0o7777).toBe(0o640);
    if (root) expect([st.uid, st.gid]).toEqual([65534, 65534]);
    chmodSync(file, 0o755);
    symlinkSync('a.py', path.join(dir, 'link.py'));
    writeAtomic(path.join(dir, 'link.py'), Buffer.from('newer\n'), Buffer.from('new\n'));
    expect(lstatSync(path.join(dir, 'link.py')).isSymbolicLink()).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('newer\n');
    expect(statSync(file).mode & 0o7777).toBe(0o755);
    expect(leftovers(dir)).toEqual([]);
  });

  it('refuses a file that is not what was read, before and right before the rename, leaving no temp file', () => {
    const dir = temp();
    const file = path.join(dir, 'a.py');
    writeFileSync(file, 'changed\n');
    expect(() => writeAtomic(file, Buffer.from('new\n'), Buffer.from('old\n'))).toThrow(ChangedOnDiskError);
    writeFileSync(file, 'old\n');
    let sawTemp: string[] = [];
    setBeforeRenameHookForTests((p) => {
      sawTemp = leftovers(dir); // the synced temp file is there, beside its target
      writeFileSync(p, 'edited meanwhile\n');
    });
    expect(() => writeAtomic(file, Buffer.from('new\n'), Buffer.from('old\n'))).toThrow(ChangedOnDiskError);
    expect(sawTemp).toHaveLength(1);
    expect(readFileSync(file, 'utf8')).toBe('edited meanwhile\n');
    expect(leftovers(dir)).toEqual([]);
    // Any failure after the temp file exists removes it.
    setBeforeRenameHookForTests(() => {
      throw new Error('disk full');
    });
    expect(() => writeAtomic(file, Buffer.from('new\n'), Buffer.from('edited meanwhile\n'))).toThrow('disk full');
    expect(leftovers(dir)).toEqual([]);
  });
});

describe('fix --write and files the user may not replace', () => {
  // A rename needs only the directory's permission: without these checks a read-only file, or
  // another user's, was replaced (and changed owner). Run as `nobody` when the tests run as root
  // (CI's container), as ruff or `>` would be refused.
  const root = isRoot;

  function asUser(cwd: string, args: string[]): { code: number; stdout: string } {
    const r = cliAsNobody([...args, '--no-cache'], cwd);
    return { code: r.status ?? -1, stdout: `${r.stdout}${r.stderr}` };
  }

  function shared(): { dir: string; file: string; text: Buffer } {
    const dir = temp();
    chmodSync(dir, 0o777);
    const file = path.join(dir, 'a.py');
    copyFileSync(CASE, file);
    return { dir, file, text: readFileSync(file) };
  }

  it('a read-only file is left untouched with "permission denied", exit 1', () => {
    const { dir, file, text } = shared();
    chmodSync(file, 0o444);
    if (root) chownSync(file, NOBODY, NOBODY);
    const r = asUser(dir, ['fix', '--write']);
    expect(r.stdout).toContain('a.py (could not write: permission denied)');
    expect(r.code).toBe(1);
    expect(readFileSync(file)).toEqual(text);
    expect(leftovers(dir)).toEqual([]);
  });

  it.runIf(root)("another user's writable file is left untouched: its owner could not be kept", () => {
    const { dir, file, text } = shared();
    chmodSync(file, 0o666);
    const r = asUser(dir, ['fix', '--write']);
    expect(r.stdout).toContain('could not write: it belongs to another user (uid 0)');
    expect(r.code).toBe(1);
    expect(readFileSync(file)).toEqual(text);
    expect(statSync(file).uid).toBe(0);
    expect(leftovers(dir)).toEqual([]);
  });
});

describe('fix --write and a file changed on disk between the read and the write', () => {
  it('leaves the edited file alone, says why, and writes the others', async () => {
    const dir = temp();
    copyFileSync(CASE, path.join(dir, 'a.py'));
    copyFileSync(CASE, path.join(dir, 'b.py'));
    const edited = `${readFileSync(CASE, 'utf8')}\n# the developer's edit\n`;
    setBeforeRenameHookForTests((p) => {
      if (path.basename(p) === 'a.py') writeFileSync(p, edited);
    });
    const result = await runFix(fixOptions(dir, ['.']));
    const byName = new Map(result.files.map((f) => [f.file, f]));
    expect(byName.get('a.py')?.refused).toBe('the file changed on disk since it was read; not overwritten');
    expect(byName.get('a.py')?.written).toBe(false);
    expect(readFileSync(path.join(dir, 'a.py'), 'utf8')).toBe(edited);
    expect(byName.get('b.py')?.written).toBe(true);
    expect(readFileSync(path.join(dir, 'b.py'))).toEqual(readFileSync(CASE.replace(/\.py$/, '.fixed.py')));
    expect(leftovers(dir)).toEqual([]);
  });
});

describe('an interrupted fix --write', () => {
  // Enough files that the writes — all after one re-scan of every fixed file — last long enough to be interrupted.
  const FILES = 300;
  const before = readFileSync(CASE);
  const after = readFileSync(CASE.replace(/\.py$/, '.fixed.py'));

  function tree(): string {
    const dir = temp();
    for (let i = 0; i < FILES; i++) copyFileSync(CASE, path.join(dir, `m${String(i).padStart(3, '0')}.py`));
    return dir;
  }

  function states(dir: string): { old: number; fixed: number; other: string[] } {
    const out = { old: 0, fixed: 0, other: [] as string[] };
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.py'))) {
      const bytes = readFileSync(path.join(dir, f));
      if (bytes.equals(before)) out.old++;
      else if (bytes.equals(after)) out.fixed++;
      else out.other.push(f);
    }
    return out;
  }

  /** Starts `fix --write`, sends `signal` once the first file has been replaced, waits for the exit. */
  async function killWhileWriting(dir: string, signal: NodeJS.Signals): Promise<number | null> {
    const child = spawn(process.execPath, [BIN, 'fix', '--write', '.'], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 3000; i++) {
      if (states(dir).fixed > 0 || child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill(signal);
    return exited;
  }

  it.each(['SIGTERM', 'SIGINT'] as const)('%s: every file old or new, no temp file, exit code 2', async (signal) => {
    const dir = tree();
    const code = await killWhileWriting(dir, signal);
    const s = states(dir);
    expect(s.other).toEqual([]);
    expect(s.fixed).toBeGreaterThan(0);
    expect(s.old).toBeGreaterThan(0); // it stopped: the rest were not written
    expect(code).toBe(2);
    expect(leftovers(dir)).toEqual([]);
    // The next run finishes the job.
    expect(cli(['fix', '--write', '.'], dir).code).toBe(0);
    expect(states(dir)).toEqual({ old: 0, fixed: FILES, other: [] });
  }, 60_000);

  it('SIGKILL: every file still old or new (the rename is atomic)', async () => {
    const dir = tree();
    await killWhileWriting(dir, 'SIGKILL');
    const s = states(dir);
    expect(s.other).toEqual([]);
    expect(s.fixed).toBeGreaterThan(0);
  }, 60_000);
});
