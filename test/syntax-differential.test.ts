// HG011 against CPython: for every case — hand-written ones in test/data/hg011-snippets.txt and
// modules generated with fast-check (fixed seeds, so a failure reproduces) — handshake-guard's
// verdict at target 3.11 must be CPython 3.11's `ast.parse` verdict (error or not). The
// interpreter is the machine's `python3`, which must be 3.11; it is run once, through the same
// batched `--python` cross-check code the CLI uses.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import type { Parser } from 'web-tree-sitter';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';
import type { SyntaxProblem } from '../src/model.js';
import { interpreterParse } from '../src/languages/python/interpreter-check.js';
import { loadParser, parseTolerant } from '../src/languages/python/parser.js';
import { pythonSyntaxProblems } from '../src/languages/python/syntax-check.js';
import { fstringModule, indentationModule, statementModule } from './helpers/python-snippets.js';

const PYTHON = 'python3';

function handWritten(): string[] {
  const text = readFileSync(path.resolve(__dirname, 'data/hg011-snippets.txt'), 'utf8');
  return text.split(/^#----\n/m).slice(1);
}

function generated(): string[] {
  const sample = (arb: fc.Arbitrary<string>, seed: number, n: number): string[] => fc.sample(arb, { seed, numRuns: n });
  return [...sample(fstringModule(), 701, 250), ...sample(indentationModule(), 11, 120), ...sample(statementModule(), 572, 250)];
}

let parser: Parser;

function problems(source: string, version: string): SyntaxProblem[] {
  const { tree, text } = parseTolerant(parser, source);
  try {
    return pythonSyntaxProblems(tree.rootNode, text, { pythonVersion: version, source: 'test' }, parser, { original: source });
  } finally {
    tree.delete();
  }
}

function pythonVersion(): string {
  try {
    return execFileSync(PYTHON, ['--version'], { encoding: 'utf8' }).trim();
  } catch (e) {
    return `none (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
  }
}

beforeAll(async () => {
  parser = await loadParser();
});

describe('HG011 agrees with CPython 3.11 ast.parse', () => {
  it('python3 is CPython 3.11', () => {
    const version = pythonVersion();
    expect(version, `this test compares with CPython 3.11: \`${PYTHON} --version\` says ${version}; install Python 3.11 as python3`).toMatch(
      /^Python 3\.11\./,
    );
  });

  const suites: [string, () => string[]][] = [
    ['hand-written cases', handWritten],
    ['generated cases (fast-check)', generated],
  ];
  for (const [name, cases] of suites) {
    it(name, async () => {
      expect(pythonVersion(), `needs CPython 3.11 as ${PYTHON}`).toMatch(/^Python 3\.11\./);
      const sources = [...new Set(cases())];
      expect(sources.length).toBeGreaterThan(150);
      const answer = await interpreterParse(PYTHON, sources.map((source, i) => ({ name: `case${i}.py`, source })));
      const disagreements: string[] = [];
      let errors = 0;
      sources.forEach((source, i) => {
        const cpython = answer.results[i] ?? null;
        const ours = problems(source, '3.11');
        if (cpython) errors++;
        if ((cpython !== null) !== (ours.length > 0)) {
          disagreements.push(
            `${JSON.stringify(source)}\n    CPython:         ${cpython ? `line ${cpython.line}: ${cpython.message}` : 'parses'}\n` +
              `    handshake-guard: ${ours.length ? ours.map((p) => `line ${p.position.line}: ${p.message}`).join(' | ') : 'parses'}`,
          );
        }
      });
      // Both verdicts must be well represented, or agreeing would prove little.
      expect(errors).toBeGreaterThan(sources.length / 5);
      expect(sources.length - errors).toBeGreaterThan(sources.length / 5);
      expect(disagreements, `${disagreements.length} of ${sources.length} disagree:\n${disagreements.join('\n')}`).toEqual([]);
    });
  }
});

describe('the same verdicts through a scan with --python-version 3.11', () => {
  it('hand-written cases as files of one repository: HG011 on exactly the files CPython rejects', async () => {
    const sources = [...new Set(handWritten())];
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-differential-'));
    try {
      sources.forEach((source, i) => writeFileSync(path.join(dir, `case${String(i).padStart(4, '0')}.py`), source));
      const [answer, result] = await Promise.all([
        interpreterParse(PYTHON, sources.map((source, i) => ({ name: `case${i}.py`, source }))),
        run({ cwd: dir, paths: ['.'], pythonVersion: '3.11' }),
      ]);
      const flagged = new Set(result.findings.filter((f) => f.ruleId === 'HG011').map((f) => f.file));
      const disagreements = sources.flatMap((source, i) => {
        const file = `case${String(i).padStart(4, '0')}.py`;
        const cpython = answer.results[i] ?? null;
        return (cpython !== null) === flagged.has(file) ? [] : [`${file} ${JSON.stringify(source)}: CPython ${cpython ? cpython.message : 'parses'}`];
      });
      expect(disagreements, disagreements.join('\n')).toEqual([]);
      expect(result.report.target).toEqual({ pythonVersion: '3.11', source: '--python-version' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// PEP 701 f-strings and PEP 695 type parameters: valid at 3.12, each one reported at 3.11 with
// the construct, the version it needs and the target.
const PEP_701_695: [string, RegExp][] = [
  ['songs = ["a", "b"]\nprint(f"{", ".join(songs)}")\n', /f-string reuses its quote " inside \{…\}: needs Python 3\.12/],
  ["user = {'id': 1}\nprint(f'{user['id']}')\n", /reuses its quote ' inside/],
  ['print(f"{f"{f"{1}"}"}")\n', /reuses its quote/],
  ['print(f"{"\\n".join(lines)}")\n', /reuses its quote|backslash/],
  ["print(f'{'\\n'.join(lines)}')\n", /reuses its quote|backslash/],
  ['print(f"{\'\\t\'.join(cells)}")\n', /backslash inside \{…\} of an f-string: needs Python 3\.12/],
  ['print(f"""{\n    value  # the value\n}""")\n', /comment inside \{…\} of an f-string: needs Python 3\.12/],
  ['print(f"{value\n}")\n', /line break inside \{…\} of a single-quoted f-string: needs Python 3\.12/],
  ['print(f"{\n    a + b\n}")\n', /line break inside/],
  ['print(f"{x:{"<"}10}")\n', /reuses its quote/],
  ['type Point = tuple[float, float]\n', /`type` statement: needs Python 3\.12/],
  ['type Pair[T] = tuple[T, T]\n', /`type` statement: needs Python 3\.12/],
  ['def first[T](items: list[T]) -> T:\n    return items[0]\n', /generic parameter list on `def`: needs Python 3\.12/],
  ['def call[**P, R](f: Callable[P, R]) -> R: ...\n', /generic parameter list on `def`/],
  ['def pack[*Ts](*args: *Ts) -> tuple[*Ts]: ...\n', /generic parameter list on `def`/],
  ['class Box[T: (int, str)]:\n    item: T\n', /generic parameter list on `class`: needs Python 3\.12/],
  ['class Stack[T](list[T]):\n    pass\n', /generic parameter list on `class`/],
  ['type Args[*Ts] = tuple[*Ts]\n', /`type` statement: needs Python 3\.12/],
  ['type Hook[**P] = Callable[P, None]\n', /`type` statement: needs Python 3\.12/],
  ['def wrap[**P](f: Callable[P, int]) -> Callable[P, int]:\n    return f\n', /generic parameter list on `def`/],
];

describe('PEP 701 and PEP 695 syntax', () => {
  it('parses at 3.12', () => {
    for (const [source] of PEP_701_695) expect(problems(source, '3.12'), source).toEqual([]);
  });

  it('is reported at 3.11 with the construct, the version it needs and the target', async () => {
    const answer = await interpreterParse(PYTHON, PEP_701_695.map(([source], i) => ({ name: `pep${i}.py`, source })));
    PEP_701_695.forEach(([source, message], i) => {
      expect(answer.results[i], `CPython 3.11 rejects ${JSON.stringify(source)}`).not.toBeNull();
      const found = problems(source, '3.11');
      expect(found.map((p) => p.message).join('\n'), source).toMatch(message);
      expect(found[0]?.message, source).toMatch(/target is 3\.11 \(from test\)/);
    });
  });

  it('still reports what 3.12 rejects too', () => {
    for (const source of ['x = f"{}"\n', 'x = f"{x!z}"\n', 'x = f"{x:{y:{z}}}"\n', 'x = f"}"\n', 'x = f"{*a}"\n']) {
      expect(problems(source, '3.12').length, source).toBeGreaterThan(0);
    }
  });
});

// Parenthesised context managers (PEP 617, 3.10; CPython 3.9's parser already took them): the
// with list's parentheses, which tree-sitter reads around a lone item as an expression or a
// one-element tuple. Valid for CPython 3.11, reported below 3.10, silent from 3.10.
const PARENTHESISED_WITH = [
  'with (open("a") as f,):\n    pass\n',
  'with (\n    open("a") as f,\n):\n    pass\n',
  'async def f():\n    async with (a() as x,):\n        pass\n',
  'with (a as b): pass\n',
  'with (a as b, c as d): pass\n',
  'with (a as b, c as d,): pass\n',
  'with (a, b as c,): pass\n',
  'with (a as (b, c),): pass\n',
];

describe('parenthesised context managers', () => {
  it('parse for CPython 3.11 and from target 3.10; below it they are reported with the version they need', async () => {
    const answer = await interpreterParse(PYTHON, PARENTHESISED_WITH.map((source, i) => ({ name: `with${i}.py`, source })));
    PARENTHESISED_WITH.forEach((source, i) => {
      expect(answer.results[i] ?? null, `CPython 3.11 parses ${JSON.stringify(source)}`).toBeNull();
      for (const version of ['3.10', '3.11', '3.12', '3.13']) expect(problems(source, version), `${source} @${version}`).toEqual([]);
      for (const version of ['3.7', '3.8', '3.9']) {
        expect(problems(source, version).map((p) => p.message), `${source} @${version}`).toEqual([
          `parenthesised context managers: needs Python 3.10, target is ${version} (from test)`,
        ]);
      }
    });
  });

  it('a tuple of plain items needs nothing', () => {
    for (const version of ['3.7', '3.8', '3.11']) {
      for (const source of ['with (a,): pass\n', 'with (a, b): pass\n', 'with (a) as b: pass\n']) expect(problems(source, version), source).toEqual([]);
    }
  });
});

// tree-sitter reads `*T[k]` and `*f()` as `(*T)[k]` and `(*f)()`: the star is deeper than the item.
describe('a starred item that is a call, subscript or attribute, in a subscript or an annotation', () => {
  it('is `starred expression in a subscript` (3.11), as `a[*b]` is', () => {
    const sources = ['def h(p: A[*T()]): pass\n', 'def h(p: A[*T[k]]): pass\n', 'x: A[*T[k]] = 1\n', 'y = A[*T[k]]\n', 'y = A[x, *f()]\n', 'y = A[*b.c]\n'];
    for (const source of sources) {
      for (const version of ['3.11', '3.12', '3.13']) expect(problems(source, version), `${source} @${version}`).toEqual([]);
      expect(problems(source, '3.10').map((p) => p.message), source).toEqual(['starred expression in a subscript: needs Python 3.11, target is 3.10 (from test)']);
    }
  });
});

// tree-sitter reads an annotation that starts with `Name[…]` as a generic type and rejects what
// follows it (`p: T[k]()`); parseTolerant re-parses with a `+` in the blank before the annotation.
describe('an annotation that continues after `Name[…]`', () => {
  it('parses, and the rest of the file is checked where it stands', () => {
    const source = 'def h(p: T[k](), q: U[j][i]) -> V[k](1):\n    x: T[k] if a else b = 1\n    return f(a=1, b)\n';
    const { tree, text } = parseTolerant(parser, source);
    try {
      expect(tree.rootNode.hasError).toBe(false);
      expect(text).toHaveLength(source.length);
      expect(text).toBe('def h(p:+T[k](), q:+U[j][i]) ->+V[k](1):\n    x:+T[k] if a else b = 1\n    return f(a=1, b)\n');
    } finally {
      tree.delete();
    }
    for (const version of ['3.8', '3.11', '3.13']) {
      expect(problems(source, version).map((p) => `${p.position.line}:${p.position.column} ${p.message}`)).toEqual([
        '3:19 syntax error: positional argument follows keyword argument',
      ]);
    }
  });

  it('annotations tree-sitter parses are left as they are; the starred patch still applies', () => {
    const source = 'def h(p: T[k], q: T[k].x, r: T[k] | None) -> T[k]:\n    pass\nx = (1, *await g())\ny: T[k]()\n';
    const { tree, text } = parseTolerant(parser, source);
    try {
      expect(tree.rootNode.hasError).toBe(false);
      expect(text).toBe(source.replace('y: T', 'y:+T').replace(', *await', ',  await'));
    } finally {
      tree.delete();
    }
  });
});
