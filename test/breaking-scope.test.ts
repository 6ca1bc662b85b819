// What the breaking row compares (SPEC §5: the public API): tests, conftest helpers, examples
// and docs scripts are no one's API, so changing or deleting them breaks no caller; a Python
// definition moved to another module and imported back is compared there.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { notPublic } from '../src/checks/breaking-scope.js';
import { run } from '../src/engine/run.js';
import type { CheckResult } from '../src/model.js';
import { git, gitRepo, removeAll, write } from './helpers/git.js';

const repos: string[] = [];
afterAll(() => removeAll(repos));

async function breaking(dir: string, base = 'HEAD'): Promise<CheckResult> {
  const r = await run({ cwd: dir, paths: ['.'], base });
  const row = r.report.checks.find((c) => c.id === 'breaking');
  if (!row) throw new Error('no breaking row');
  return row;
}

describe('tests and examples are not public API', () => {
  it('the rule: pytest and Jest/Vitest file names, test/example/docs directories', () => {
    for (const rel of ['tests/test_x.py', 'test_x.py', 'pkg/x_test.py', 'conftest.py', 'noxfile.py', 'pkg/tests/helpers.py', 'examples/demo.py', 'docs/conf.py', 'src/a.test.ts', 'src/a.spec.js', 'src/__tests__/a.ts', 'test/util.ts', 'example/run.mjs']) {
      expect(notPublic(rel, rel.endsWith('.py')), rel).toBe(true);
    }
    for (const rel of ['pkg/testing.py', 'pkg/contest.py', 'src/latest.ts', 'src/testkit/a.ts', 'src/a.tests.ts', 'pkg/attest.py', 'src/spec.ts']) {
      expect(notPublic(rel, rel.endsWith('.py')), rel).toBe(false);
    }
  });

  it('removed test functions, conftest helpers, exports of a *.test.ts and deleted example files: no break, counted', async () => {
    const dir = gitRepo({
      'tests/test_x.py': 'def test_one():\n    assert True\n\n\nclass TestThing:\n    def test_a(self):\n        pass\n',
      'tests/helpers.test.ts': 'export function makeFixture(): number { return 1; }\n',
      'tests/conftest.py': 'def helper_for_tests(a):\n    return a\n',
      'examples/demo.py': 'def main():\n    pass\n',
      'app/api.py': 'def fetch(uid):\n    return uid\n',
    }, repos);
    write(dir, 'tests/test_x.py', 'def test_two():\n    assert True\n');
    write(dir, 'tests/helpers.test.ts', 'export function makeFixture2(): number { return 1; }\n');
    write(dir, 'tests/conftest.py', 'def helper_for_tests2(a):\n    return a\n');
    rmSync(path.join(dir, 'examples/demo.py'));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'change');
    const row = await breaking(dir, 'HEAD~1');
    expect(row.status).toBe('pass');
    expect(row.details).toBe('against HEAD~1: 4 test/example files not compared (not public API)');
  });

  it('a public module beside them is still compared', async () => {
    const dir = gitRepo({ 'tests/test_x.py': 'def test_one():\n    pass\n', 'app/api.py': 'def fetch(uid):\n    return uid\n' }, repos);
    write(dir, 'tests/test_x.py', 'def test_two():\n    pass\n');
    write(dir, 'app/api.py', 'def get(uid):\n    return uid\n');
    const row = await breaking(dir);
    expect(row.status).toBe('fail');
    expect(row.details).toBe('1 breaking change against HEAD: app/api.py:1 removed fetch; 1 test/example file not compared (not public API)');
  });
});

describe('Python definitions moved to another module and imported back', () => {
  it('are compared where they are now: the same signature passes, a changed one breaks, an unread module is not decidable', async () => {
    const dir = gitRepo({ 'pkg/__init__.py': '', 'pkg/big.py': 'def f1(a):\n    return a\n\n\ndef f2(a):\n    return a\n\n\nclass Params:\n    def get(self, k):\n        return k\n', 'part2.py': 'x = 1\n' }, repos);
    write(dir, 'pkg/big.py', '# split in two\nfrom part2 import f1\nfrom .other import Base as Base\nfrom missing import f2\n\nParams = Base\n');
    write(dir, 'part2.py', 'def f1(a, b):\n    return a\n');
    write(dir, 'pkg/other.py', 'class Base:\n    def get(self, k):\n        return k\n');
    const row = await breaking(dir);
    expect(row.status).toBe('fail');
    expect(row.details).toBe(
      '1 breaking change against HEAD: pkg/big.py:2 f1(a) → f1(a, b) (b added without a default); not decidable here: pkg/big.py:5 f2 is now imported; its signature is not declared here: not compared; 1 new Python file (nothing to break)',
    );
  });
});
