// CPython as the oracle: does a file parse? (ast.parse never runs the code.)
import { spawnSync } from 'node:child_process';

export function cpythonParses(file: string, python = 'python3'): { ok: boolean; error: string } {
  const r = spawnSync(python, ['-c', 'import ast, sys; ast.parse(open(sys.argv[1], "rb").read(), sys.argv[1])', file], { encoding: 'utf8' });
  return { ok: r.status === 0, error: r.stderr.trim().split('\n').pop() ?? '' };
}

/** For each source, whether CPython's `ast.parse` accepts it (one interpreter for the lot; nothing is run). */
export function cpythonParsesAll(sources: string[], python = 'python3'): boolean[] {
  const script = [
    'import ast, json, sys',
    'out = []',
    'for s in json.load(sys.stdin):',
    '    try:',
    '        ast.parse(s.encode("utf-8", "surrogatepass"))',
    '        out.append(True)',
    '    except BaseException:',
    '        out.append(False)',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync(python, ['-I', '-c', script], { input: JSON.stringify(sources), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as boolean[];
}
