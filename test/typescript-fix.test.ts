// TS/JS codemod snapshots: fixtures/typescript/fix/<case>.<ext> → exactly <case>.fixed.<ext>
// (quotes, semicolons, indentation and line endings kept), idempotent, and the fixed loops pass.
// A case named `upgrade_*` runs with --upgrade, `helper_*` with --style helper. A directory case (a package.json decides whether
// top-level await is allowed) is copied whole: every file with a `.fixed` twin must become it,
// every other file must stay as it is.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';
import { runFix, type FixOptions } from '../src/fix/fix.js';

const DIR = path.resolve(__dirname, '../fixtures/typescript/fix');
const SCRIPT = /\.(?:[cm]?[jt]sx?)$/;
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

function fixOptions(cwd: string, paths: string[], upgrade: boolean, name: string): FixOptions {
  return { cwd, paths, write: true, upgrade, ...(name.startsWith('helper_') ? { style: 'helper' as const } : {}) };
}

const fixedTwin = (file: string): string => file.replace(/(\.[^.]+)$/, '.fixed$1');

function inputs(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => SCRIPT.test(f) && !/\.fixed\./.test(f))
    .sort();
}

describe('typescript fix snapshots', () => {
  for (const name of readdirSync(DIR).filter((f) => (SCRIPT.test(f) && !/\.fixed\./.test(f)) || statSync(path.join(DIR, f)).isDirectory()).sort()) {
    it(name, async () => {
      const tmp = mkdtempSync(path.join(os.tmpdir(), 'hg-ts-fix-'));
      temps.push(tmp);
      const isDir = statSync(path.join(DIR, name)).isDirectory();
      const root = isDir ? path.join(tmp, name) : tmp;
      if (isDir) cpSync(path.join(DIR, name), root, { recursive: true, filter: (src) => !/\.fixed\./.test(src) });
      else cpSync(path.join(DIR, name), path.join(tmp, name));
      const files = isDir ? inputs(root) : [name];
      const upgrade = name.startsWith('upgrade_');
      const before = await run({ cwd: root, paths: files });
      const first = await runFix(fixOptions(root, files, upgrade, name));
      expect(first.files.map((f) => f.refused)).toEqual(first.files.map(() => null));
      for (const file of files) {
        const source = path.join(isDir ? path.join(DIR, name) : DIR, file);
        const expected = existsSync(fixedTwin(source)) ? fixedTwin(source) : source;
        const got = readFileSync(path.join(root, file), 'utf8');
        if (!isDir) expect(existsSync(expected) && expected !== source, `write ${fixedTwin(source)} after reviewing:\n${got}`).toBe(true);
        expect(got, file).toBe(readFileSync(expected, 'utf8'));
      }
      const second = await runFix(fixOptions(root, files, upgrade, name));
      expect(second.files.filter((f) => f.after !== null)).toEqual([]);
      const after = await run({ cwd: root, paths: files });
      const outcomes = first.files.flatMap((f) => f.outcomes);
      const inserted = outcomes.filter((o) => o.action === 'insert' || o.action === 'replace').length;
      const polling = (r: typeof before): number => r.loops.filter((l) => l.guard.kind === 'polling').length;
      expect(polling(after)).toBe(polling(before) + inserted);
      const ids = upgrade ? ['HG002', 'HG003', 'HG004', 'HG005', 'HG006', 'HG007', 'HG008', 'HG009', 'HG010', 'HG011'] : ['HG002', 'HG003', 'HG010', 'HG011', 'HG006', 'HG007', 'HG009'];
      expect(after.findings.filter((f) => ids.includes(f.ruleId)).map((f) => `${f.ruleId} ${f.file}:${f.line} ${f.message}`)).toEqual([]);
      if (upgrade) {
        const rows = after.report.checks.filter((c) => ['consistency', 'logic', 'parameters'].includes(c.id));
        expect(rows.map((c) => [c.id, c.status])).toEqual([['consistency', 'pass'], ['logic', 'pass'], ['parameters', 'pass']]);
      }
    });
  }
});

describe('typescript fix type-checks no worse than before', () => {
  it('counts the compiler diagnostics before and after', async () => {
    const { typeCheck } = await import('../src/fix/ts-typecheck.js');
    const typeChecksNoWorse = typeCheck(() => null).noWorse;
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'hg-ts-tc-')), 'a.ts');
    temps.push(path.dirname(file));
    const before = `export async function f(n: number): Promise<number> {\n  return n;\n}\n`;
    expect(await typeChecksNoWorse(file, before, before.replace('return n;', 'const x: string = n;\n  return n;'))).toMatch(/1 more compiler diagnostic/);
    expect(await typeChecksNoWorse(file, before, before.replace('return n;', 'const start = performance.now();\n  return n + start;'))).toBeNull();
  }, 60_000);
});
