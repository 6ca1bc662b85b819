// The imports fix adds, judged by isort itself (Debian's python3-isort; .ci/run installs it): a
// fixture whose imports isort accepts must still be accepted once fixed — a fix that leaves
// ruff's I001 / `isort --check` failing in the user's pre-commit is a fix they must redo.
// The snapshots are what fix writes (test/fix.test.ts asserts that byte for byte).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const PYTHON = '/usr/bin/python3';
const DIR = path.resolve(__dirname, '../fixtures/python/fix');

/** isort's verdict on each source, with its default settings (no configuration file is searched). */
function isortAccepts(sources: string[]): boolean[] {
  const script = [
    'import io, json, sys, contextlib, isort',
    'out = []',
    'for s in json.load(sys.stdin):',
    '    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):',
    '        out.append(isort.check_code(s, show_diff=False))',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-I', '-c', script], { input: JSON.stringify(sources), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`isort is needed (apt-get install python3-isort): ${r.stderr.trim().split('\n').pop() ?? ''}`);
  return JSON.parse(r.stdout) as boolean[];
}

describe('fix keeps isort-clean imports isort-clean', () => {
  const cases = readdirSync(DIR)
    .filter((f) => f.endsWith('.py') && !f.endsWith('.fixed.py'))
    .sort()
    .map((name) => ({ name, input: readFileSync(path.join(DIR, name), 'utf8'), fixed: readFileSync(path.join(DIR, name.replace(/\.py$/, '.fixed.py')), 'utf8') }));
  const verdicts = isortAccepts(cases.flatMap((c) => [c.input, c.fixed]));
  const clean = cases.filter((_, i) => verdicts[2 * i] === true);

  it('judges enough fixtures to mean something (isort accepts their input)', () => {
    expect(clean.length).toBeGreaterThanOrEqual(25);
  });

  it('the new standard-library, framework and logger lines go where isort puts them', () => {
    const broken = cases.filter((_, i) => verdicts[2 * i] === true && verdicts[2 * i + 1] !== true).map((c) => c.name);
    expect(broken).toEqual([]);
  });
});
