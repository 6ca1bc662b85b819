// CPython as the oracle: does a file parse? (ast.parse never runs the code.)
import { spawnSync } from 'node:child_process';

export function cpythonParses(file: string, python = 'python3'): { ok: boolean; error: string } {
  const r = spawnSync(python, ['-c', 'import ast, sys; ast.parse(open(sys.argv[1], "rb").read(), sys.argv[1])', file], { encoding: 'utf8' });
  return { ok: r.status === 0, error: r.stderr.trim().split('\n').pop() ?? '' };
}
