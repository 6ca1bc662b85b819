// The breaking row and files the scan does not read as text (too large, binary): their bytes
// decide whether they changed since the base. A vendored bundle over `maxFileBytes` that git
// holds byte for byte breaks nothing and is not named; one that changed cannot be compared and
// says so. Both ways the row asks git: all files' contents (a few files), or blob ids (a full scan).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';
import type { CheckResult } from '../src/model.js';
import { gitRepo, removeAll } from './helpers/git.js';

const repos: string[] = [];
afterAll(() => removeAll(repos));

// Over the configured cap: the scan refuses it ("larger than maxFileBytes").
const BUNDLE = `export function run(a) {\n  return a;\n}\n${'// vendored\n'.repeat(200)}`;
const CONFIG = '{"maxFileBytes": 1000}\n';

async function breakingRow(cwd: string): Promise<CheckResult | undefined> {
  return (await run({ cwd, paths: ['.'] })).report.checks.find((c) => c.id === 'breaking');
}

describe('breaking row: a file the scan refuses to read as text', () => {
  for (const [name, extra] of [
    ['a few files (their contents at the base)', 0],
    ['a full scan (blob ids at the base)', 70],
  ] as const) {
    it(name, async () => {
      // Python and TS/JS files: the row's lead speaks of files, not only of Python files.
      const files: Record<string, string> = { 'handshake-guard.config.json': CONFIG, 'vendor/bundle.js': BUNDLE, 'app.py': 'x = 1\n' };
      for (let i = 0; i < extra; i++) files[`mods/m${i}.py`] = `def f${i}():\n    pass\n`;
      const repo = gitRepo(files, repos);
      expect(await breakingRow(repo)).toMatchObject({ status: 'pass', details: 'no scanned file changed since HEAD' });
      writeFileSync(path.join(repo, 'vendor/bundle.js'), BUNDLE.replace('return a', 'return a + 1'));
      expect(await breakingRow(repo)).toMatchObject({ status: 'warn', details: 'against HEAD: not compared: vendor/bundle.js (could not be read)' });
    }, 60_000);
  }
});
