// `--python PATH`: the syntax row cross-checked by a real interpreter (the machine's python3,
// CPython 3.11), in one batched subprocess that parses and never runs the scanned code.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';
import { UsageError } from '../src/errors.js';
import { cli, tempTree } from './helpers/cli.js';

const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

function tree(files: Record<string, string>): string {
  const dir = tempTree(files);
  temps.push(dir);
  return dir;
}

const FILES = {
  'ok.py': 'import asyncio\n\nasync def main():\n    await asyncio.sleep(0)\n',
  // Well-formed, but no character has this name: only a real interpreter knows.
  'bullet.py': 'SEPARATOR = "\\N{NOT A REAL CHARACTER NAME}"\n',
  // tree-sitter's grammar refuses it; CPython parses it (the compiler rejects it later).
  'future.py': 'from __future__ import *\n',
  // Scanned, parsed — never run.
  'payload.py': 'open("PWNED", "w").write("ran")\nimport os\nos.system("touch PWNED2")\n',
  'services/new/.python-version': '3.12\n',
  'services/new/alias.py': 'type UserId = int\n',
};

describe('--python cross-check', () => {
  it('adds the errors the interpreter finds, drops the ones it refutes, and says so', async () => {
    const dir = tree({ ...FILES, 'pyproject.toml': '[project]\nrequires-python = ">=3.11"\n' });
    const result = await run({ cwd: dir, paths: ['.'], python: 'python3' });
    const hg011 = result.findings.filter((f) => f.ruleId === 'HG011');
    expect(hg011.map((f) => `${f.file}:${f.line}`)).toEqual(['bullet.py:1']);
    expect(hg011[0]?.message).toMatch(/^syntax error reported by Python 3\.11\.\d+ \(--python\): SyntaxError: \(unicode error\)/);
    const row = result.report.checks.find((c) => c.id === 'syntax');
    expect(row?.status).toBe('fail');
    expect(row?.details).toMatch(/cross-checked with python3 \(Python 3\.11\.\d+\) on 4 files: 2 disagreements/);
    expect(row?.details).toContain('it rejects what handshake-guard passed: bullet.py:1');
    expect(row?.details).toContain('it parses what handshake-guard flagged (dropped): future.py:1');
    expect(row?.details).toContain('not compared, other target: services/new/alias.py (3.12)');
    expect(existsSync(path.join(dir, 'PWNED'))).toBe(false);
    expect(existsSync(path.join(dir, 'PWNED2'))).toBe(false);
  });

  it('agreeing files pass, and the row says what was compared', async () => {
    const dir = tree({ 'ok.py': FILES['ok.py'], 'payload.py': FILES['payload.py'] });
    const result = await run({ cwd: dir, paths: ['.'], python: 'python3', pythonVersion: '3.11' });
    const row = result.report.checks.find((c) => c.id === 'syntax');
    expect(row?.status).toBe('pass');
    expect(row?.details).toMatch(/^2 Python files parse for target Python 3\.11 from --python-version; cross-checked with python3 \(Python 3\.11\.\d+\) on 2 files: agrees$/);
  });

  it('says so when no file targets the interpreter’s version', async () => {
    const dir = tree({ 'ok.py': FILES['ok.py'] });
    const result = await run({ cwd: dir, paths: ['.'], python: 'python3', pythonVersion: '3.12' });
    const row = result.report.checks.find((c) => c.id === 'syntax');
    expect(row?.details).toMatch(/; not cross-checked: python3 is Python 3\.11\.\d+ and no file targets 3\.11 \(ok\.py \(3\.12\)\)$/);
  });

  it('an interpreter that cannot be run is a usage error', async () => {
    const dir = tree({ 'ok.py': FILES['ok.py'] });
    await expect(run({ cwd: dir, paths: ['.'], python: path.join(dir, 'no-such-python') })).rejects.toThrow(UsageError);
    await expect(run({ cwd: dir, paths: ['.'], python: 'false' })).rejects.toThrow(/--python false: exited with status 1/);
  });

  it('a relative --python path is taken from the working directory', async () => {
    const dir = tree({ 'ok.py': FILES['ok.py'] });
    const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
    mkdirSync(path.join(dir, 'venv/bin'), { recursive: true });
    symlinkSync(python, path.join(dir, 'venv/bin/python'));
    const result = await run({ cwd: dir, paths: ['ok.py'], python: './venv/bin/python', pythonVersion: '3.11' });
    const row = result.report.checks.find((c) => c.id === 'syntax');
    expect(row?.details).toMatch(/cross-checked with \.\/venv\/bin\/python \(Python 3\.11\.\d+\) on 1 file: agrees$/);
  });

  it('the CLI takes --python and exits 2 when it cannot run it', () => {
    const dir = tree({ 'ok.py': FILES['ok.py'] });
    const good = cli(['verify', '--python', 'python3', '--python-version', '3.11', '--format', 'json'], dir);
    const syntax = (JSON.parse(good.stdout) as { checks: { id: string; details: string }[] }).checks.find((c) => c.id === 'syntax');
    expect(syntax?.details).toContain('cross-checked with python3');
    const bad = cli(['verify', '--python', './nope'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--python ./nope: cannot run it');
  });
});
