// HG011's cheap path (issue #8, src/languages/python/syntax-triggers.ts) must find exactly what
// the full walk finds: every case here is checked both ways, for every target from 3.7 to 3.13,
// and the problems (positions and messages) must be identical. The standard library is compared
// by `node bench/hg011-paths.mjs` (too slow for every test run; see bench/README.md).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import type { Parser } from 'web-tree-sitter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadParser, parseTolerant } from '../src/languages/python/parser.js';
import { pythonSyntaxProblems } from '../src/languages/python/syntax-check.js';
import { syntaxTriggers } from '../src/languages/python/syntax-triggers.js';
import { scanLayout } from '../src/languages/python/tokenizer.js';
import { fstringModule, indentationModule, statementModule } from './helpers/python-snippets.js';
import { pythonSoup } from './helpers/python-soup.js';

const TARGETS = ['3.7', '3.8', '3.9', '3.10', '3.11', '3.12', '3.13'];
const REPO = path.resolve(__dirname, '..');
const dirs: string[] = [];
let parser: Parser;

beforeAll(async () => {
  parser = await loadParser();
});
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function pyFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.py'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** The cases where the two paths differ, as readable lines (none expected). */
function differences(sources: { name: string; source: string }[]): string[] {
  const out: string[] = [];
  for (const { name, source } of sources) {
    const { tree, text } = parseTolerant(parser, source);
    try {
      for (const version of TARGETS) {
        const target = { pythonVersion: version, source: 'test' };
        const full = JSON.stringify(pythonSyntaxProblems(tree.rootNode, text, target, parser, { cheap: false, original: source }));
        const cheap = JSON.stringify(pythonSyntaxProblems(tree.rootNode, text, target, parser, { original: source }));
        if (full !== cheap) out.push(`${name} @${version}\n  full:  ${full}\n  cheap: ${cheap}\n  source: ${JSON.stringify(source.slice(0, 400))}`);
      }
    } finally {
      tree.delete();
    }
  }
  return out;
}

// Statements tree-sitter parses without error and a check objects to (or might), one per line,
// so that generated modules reach the cheap path with something to find.
const SNIPPETS = [
  'f(a=1, b)', 'f(**a, *b)', 'f(**k, x)', 'f(x for x in y, 1)', 'f(,)', 'g(a, b=2, *c, d=3, **e)',
  '(*a) = b', 'a, b: int = 1', '[a]: int', '(a): int = 1', 'x.y[0]: str = "s"', 'a, b += 1', 'f().x += 1', 'x += 1',
  'del f()', 'del a, b[0]', 'print "x"', 'print >>f, x', 'exec "code"', 'x = 0777', 'x = 1__0', 'x = 10L', 'x = 0x', 'x = 1_000.5e-3j',
  'a <> b', 's = "\\x1"', 's = r"\\x1"', 's = b"\u00e9"', 's = ur"x"', 's = u"\\N{DASH}"', 's = b"a" "b"', 's = f"{x!r:>{w}}"',
  's = f"{"nested"}"', 's = f"{a["k"]}"', 't = f"{f(a=1, b)}"', 't = f"{x for x in y}"', 'x = {,}', 'x = {**a, "b": 1}',
  'assert a, b, c', 'assert x, "message"', 'raise E, v', 'raise from e', 'raise E from e', 'import a,', 'from m import a, b', 'import a as b',
  'x = await -y', 'x = await await y', 'x = await (y)', 'r = await f(x)', 'y = f(yield)', 'y = yield', 'z = (yield x)',
  'x = [*a for a in b]', 'x = *a, b', 'x = (*a)', 'x = [1, *a]', 'x[*a]', 'x[1:2, *a]', 'print(*a, sep="")',
  'if (n := 10) > 5: pass', 'x = y := 1', '{a := 1}', 'lambda a=1, b: 0', 'lambda *, **k: 0', 'lambda *a, *b: 0', 'lambda: 0',
  'def f(a=1, b): pass', 'def f(a, /, b, *, c): pass', 'def f(*, **k): pass', 'def f(**k, a): pass', 'def f((a, b)): pass',
  'def f[T](x: T) -> T: return x', 'class C[T]: pass', 'type Alias = int', 'type(x).attr = 1', 'def f(*args: *Ts): pass',
  'match x:\n    case [a, *rest] as whole: pass', 'with (open(a) as f, open(b) as g): pass', 'with a as b, c as d: pass', 'with a, : pass',
  'try:\n    pass\nexcept* ValueError:\n    pass', 'try:\n    pass\nexcept ValueError:\n    pass\nexcept* TypeError:\n    pass',
  'try:\n    pass\nfinally:\n    pass', 'try:\n    x = 1\n', 'try:\n    pass\nelse:\n    pass', 'except A, B as e: pass',
  'try:\n    pass\nexcept A, B:\n    pass', 'try:\n    pass\nexcept (A, B) as e:\n    pass', 'for (*a) in b: pass', 'x = [y for y in a, b]',
  'for x in a, b: pass', 'async def g():\n    await x ** 2\n    async with a as b: pass', '@(lambda f: f)\ndef h(): pass', '@dec.attr(1)\ndef h(): pass',
  'x = a @ b', 'x @= b', 'def f(a, b): return *a, b', 'def f(): yield *a, b', 'async = 1', 'await = 2', 'x = f"{await}"', 'x = f"{async}"',
  'lambda a=lambda: 0, b: 0', 'with a if b else c as d: pass', 'with lambda: x as y: pass', 'except E as e: pass', 'x = _f"{a}"', 'from m import (a as b, c)',
  'def h(p: T[k]()) -> T[k][j]: pass', 'x: T[k] if a else b = 1', 'def h(p: A[*T()]): pass', 'with (a as b,): pass', 'with (a as b), c: pass',
  'x = 1if y else 2', 'x = `y`', '"""Use ``code`` here."""', 'x = "a" "b" f"{c}"', 'x = rb"\\x"', 'x = Rb"\u00e9"', 'x = """a\nb"""', "x = '''\nexcept E:\n'''",
];

function snippetModule(): fc.Arbitrary<string> {
  const line = fc.constantFrom(...SNIPPETS);
  return fc
    .record({ lines: fc.array(line, { minLength: 1, maxLength: 6 }), indented: fc.boolean() })
    .map(({ lines, indented }) => {
      const body = lines.join('\n');
      return indented ? `def outer():\n${body.replace(/^/gm, '    ')}\n` : `${body}\n`;
    });
}

describe('HG011: the cheap path finds what the full walk finds', () => {
  it('on every Python fixture', () => {
    const sources = pyFiles(path.join(REPO, 'fixtures')).map((f) => ({ name: path.relative(REPO, f), source: readFileSync(f, 'utf8') }));
    expect(sources.length).toBeGreaterThan(100);
    expect(differences(sources)).toEqual([]);
  });

  it("on the syntax-differential cases (hand-written and generated, CPython 3.11's verdicts)", () => {
    const text = readFileSync(path.join(REPO, 'test/data/hg011-snippets.txt'), 'utf8');
    const sample = (arb: fc.Arbitrary<string>, seed: number, n: number): string[] => fc.sample(arb, { seed, numRuns: n });
    const cases = [
      ...text.split(/^#----\n/m).slice(1),
      ...sample(fstringModule(), 701, 250),
      ...sample(indentationModule(), 11, 120),
      ...sample(statementModule(), 572, 250),
    ];
    expect(differences(cases.map((source, i) => ({ name: `case ${i}`, source })))).toEqual([]);
  });

  it('on modules made of statements a check objects to (fast-check, fixed seed)', () => {
    const modules = fc.sample(snippetModule(), { seed: 20261126, numRuns: 400 });
    const cheap = modules.filter((m) => syntaxTriggers(m, 11, scanLayout(m, true).tokens) !== 'full');
    // Most of them must really take the cheap path, or this proves nothing.
    expect(cheap.length).toBeGreaterThan(modules.length / 2);
    expect(differences(modules.map((source, i) => ({ name: `module ${i}`, source })))).toEqual([]);
  });

  it('on random statement soup that tree-sitter parses without error (seeded)', () => {
    const next = pythonSoup(7);
    const modules = Array.from({ length: 1500 }, next).filter((source) => {
      const { tree } = parseTolerant(parser, source);
      const clean = !tree.rootNode.hasError;
      tree.delete();
      return clean;
    });
    expect(modules.length).toBeGreaterThan(400);
    expect(differences(modules.map((source, i) => ({ name: `soup ${i}`, source })))).toEqual([]);
  });

  it('on a generated project tree (bench/generate.mjs)', { timeout: 120_000 }, () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'hg-cheap-'));
    dirs.push(out);
    execFileSync(process.execPath, [path.join(REPO, 'bench/generate.mjs'), '--out', out, '--files', '150', '--seed', '3'], { stdio: 'ignore' });
    const sources = pyFiles(out).map((f) => ({ name: path.relative(out, f), source: readFileSync(f, 'utf8') }));
    expect(sources.length).toBeGreaterThan(100);
    expect(differences(sources)).toEqual([]);
  });
});
