// TS/JS codemod snapshots: fixtures/typescript/fix/<case>.<ext> → exactly <case>.fixed.<ext>
// (quotes, semicolons, indentation and line endings kept), idempotent, and the fixed loops pass.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';
import { runFix, type FixOptions } from '../src/fix/fix.js';

const DIR = path.resolve(__dirname, '../fixtures/typescript/fix');
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

function fixOptions(cwd: string, paths: string[]): FixOptions {
  return { cwd, paths, write: true, upgrade: false, placement: 'per-message' };
}

describe('typescript fix snapshots', () => {
  for (const name of readdirSync(DIR).filter((f) => /\.(?:[cm]?[jt]s)$/.test(f) && !/\.fixed\./.test(f)).sort()) {
    it(name, async () => {
      const tmp = mkdtempSync(path.join(os.tmpdir(), 'hg-ts-fix-'));
      temps.push(tmp);
      const file = path.join(tmp, name);
      copyFileSync(path.join(DIR, name), file);
      const first = await runFix(fixOptions(tmp, [name]));
      expect(first.files.map((f) => f.refused)).toEqual([null]);
      const expectedFile = path.join(DIR, name.replace(/(\.[^.]+)$/, '.fixed$1'));
      expect(existsSync(expectedFile), `write ${expectedFile} after reviewing:\n${readFileSync(file, 'utf8')}`).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe(readFileSync(expectedFile, 'utf8'));
      const second = await runFix(fixOptions(tmp, [name]));
      expect(second.files.filter((f) => f.after !== null)).toEqual([]);
      const after = await run({ cwd: tmp, paths: [name] });
      const fixed = first.files[0]?.outcomes.filter((o) => o.skipped === null).length ?? 0;
      expect(after.loops.filter((l) => l.guard.kind === 'polling').length).toBe(fixed);
      expect(after.findings.filter((f) => ['HG002', 'HG003', 'HG010', 'HG011', 'HG006', 'HG007', 'HG009'].includes(f.ruleId))).toEqual([]);
    });
  }
});

describe('typescript fix type-checks no worse than before', () => {
  it('counts the compiler diagnostics before and after', async () => {
    const { typeChecksNoWorse } = await import('../src/fix/typescript.js');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'hg-ts-tc-')), 'a.ts');
    temps.push(path.dirname(file));
    const before = `export async function f(n: number): Promise<number> {\n  return n;\n}\n`;
    expect(await typeChecksNoWorse(file, before, before.replace('return n;', 'const x: string = n;\n  return n;'))).toMatch(/1 more compiler diagnostic/);
    expect(await typeChecksNoWorse(file, before, before.replace('return n;', 'const start = performance.now();\n  return n + start;'))).toBeNull();
  }, 60_000);
});
