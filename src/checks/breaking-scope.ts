// Which files' API the `breaking` row compares (SPEC §5: public functions, methods and classes).
// Tests and examples are no one's API: nothing imports a test module, a conftest helper or an
// example script, so a change to them breaks no caller. The rule is the one the test runners and
// packagers users know, on the path from the repository root:
// - a directory named `test`, `tests`, `__tests__` (pytest's usual `testpaths`, Jest's
//   `__tests__`), `example`, `examples`, `doc` or `docs` anywhere on the path;
// - Python: `test_*.py`, `*_test.py` (pytest's default `python_files`), `conftest.py` and
//   `noxfile.py` (loaded by pytest and nox, imported by no one);
// - TS/JS: `*.test.*` and `*.spec.*` (Jest's and Vitest's default `testMatch`/`include`).
// API Extractor goes further (only the package's entry point is public); we keep every other
// file, as Python has no entry point to start from: its `_` names are the private ones.

const DIRS = new Set(['test', 'tests', '__tests__', 'example', 'examples', 'doc', 'docs']);

/** Whether `rel` (`/`-separated, from the repository root) is a test, example or docs file, whose API is not compared. */
export function notPublic(rel: string, python: boolean): boolean {
  const parts = rel.split('/');
  const base = parts.pop() ?? '';
  if (parts.some((d) => DIRS.has(d))) return true;
  if (python) return /^test_.*\.pyi?$/.test(base) || /_test\.pyi?$/.test(base) || base === 'conftest.py' || base === 'noxfile.py';
  return /\.(?:test|spec)\.[cm]?[jt]sx?$/.test(base);
}
