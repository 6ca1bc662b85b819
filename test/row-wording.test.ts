// Row details count in the singular when there is one of a thing, and name no language a scan did
// not see (a pre-commit run with nothing staged scans no file at all).
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';
import { gitRepo, removeAll } from './helpers/git.js';

const repos: string[] = [];
afterAll(() => removeAll(repos));

async function syntaxRow(dir: string, staged = false): Promise<unknown> {
  return (await run({ cwd: dir, paths: ['.'], ...(staged ? { staged: true } : {}) })).report.checks.find((c) => c.id === 'syntax');
}

describe('syntax row wording', () => {
  it('one parsed file is one file, in either language', async () => {
    expect(await syntaxRow(gitRepo({ 'a.py': 'def f(:\n    pass\n' }, repos))).toMatchObject({ status: 'fail', details: expect.stringMatching(/^1 syntax error in 1 parsed file: a\.py:1; /) });
    expect(await syntaxRow(gitRepo({ 'a.ts': 'export function f(a: string {\n}\n' }, repos))).toMatchObject({
      status: 'fail',
      details: expect.stringMatching(/^\d syntax errors? in 1 parsed TypeScript\/JavaScript file: a\.ts:1/),
    });
  });

  it('nothing staged: no files scanned, not "no Python files"', async () => {
    const dir = gitRepo({ 'a.py': 'x = 1\n', 'b.ts': 'export const b = 1;\n' }, repos);
    expect(await syntaxRow(dir, true)).toMatchObject({ status: 'skip', details: 'no files scanned' });
  });
});
