// Generators of small Python modules for the HG011 differential test: each draws from the
// constructs where tree-sitter's grammar and CPython's parser part ways — f-strings, indentation,
// targets, argument and parameter lists, where `:=` and `*x` may stand, version-gated statements.
import fc from 'fast-check';

const pick = <T>(...items: T[]): fc.Arbitrary<T> => fc.constantFrom(...items);

// ---- f-strings -------------------------------------------------------------------------------

const QUOTES = ['"', "'", '"""', "'''"] as const;
type Quote = (typeof QUOTES)[number];

function other(q: Quote): string {
  return q.startsWith('"') ? "'" : '"';
}

/** One replacement-field expression, written for the enclosing quote `q`. */
function fieldExpression(q: Quote): fc.Arbitrary<string> {
  const o = other(q);
  const s = q[0] as string;
  return fc.oneof(
    {
      weight: 6,
      arbitrary: pick('x', 'user', 'a + b', 'a!=b', 'a<b', 'x >= 1', 'n * 2', ' x ', 'f(x)', 'obj.attr', '(x:=5)', '(lambda: 1)()', 'x if y else z', '*a,', 'yield'),
    },
    { weight: 3, arbitrary: pick(`d[${o}k${o}]`, `${o}-${o}.join(xs)`, `{${o}a${o}: 1}`, `[i for i in range(3)]`, `{1, 2}`) },
    // The enclosing quote reused: PEP 701 only.
    { weight: 1, arbitrary: pick(`d[${s}k${s}]`, `${s}x${s}`) },
    // Backslashes, comments and line breaks inside the field: PEP 701 only.
    { weight: 1, arbitrary: pick(`${o}\\n${o}.join(xs)`, 'x # note\n', 'a +\nb', '\nx\n') },
    // Never valid.
    { weight: 1, arbitrary: pick('', ' ', '*a', 'lambda x: 1', 'x = 1', ')', 'a[', 'a}b') },
  );
}

const conversion = fc.oneof({ weight: 8, arbitrary: pick('', '', '!r', '!s', '!a') }, { weight: 1, arbitrary: pick('!x', '!', '!r ', '! r') });
const selfDoc = pick('', '', '', '', '=', ' = ');

function formatSpec(q: Quote): fc.Arbitrary<string> {
  const o = other(q);
  return fc.oneof(
    { weight: 8, arbitrary: pick('', '', '', '', ':>10', ':.2f', ':,', ':x', ':{width}', ':{width}.{prec}', `:{${o}>${o}}10`, ':=5') },
    { weight: 1, arbitrary: pick(':{w:{z}}', ':\\n', ':{}', ':{w!z}') },
  );
}

function field(q: Quote): fc.Arbitrary<string> {
  return fc.tuple(fieldExpression(q), selfDoc, conversion, formatSpec(q)).map(([e, d, c, f]) => `{${e}${d}${c}${f}}`);
}

const literal = fc.oneof(
  { weight: 8, arbitrary: pick('', 'text ', ' - ', '{{', '}}', '\\n', '\\t', '\\x41', '\\u00e9', '\\N{BULLET}', '\\N{latin small letter a}', '\\\\', '%s', '\\{') },
  { weight: 1, arbitrary: pick('}', '\\x4', '\\N{', '\\N{ - }', '\\U00110000', '{') },
);

export function fstringModule(): fc.Arbitrary<string> {
  return fc
    .tuple(
      pick<Quote>(...QUOTES),
      pick('f', 'f', 'f', 'F', 'rf', 'fr', 'Rf'),
      fc.array(fc.oneof({ weight: 2, arbitrary: literal }, { weight: 3, arbitrary: fc.constant(0 as const) }), { minLength: 1, maxLength: 3 }),
    )
    .chain(([q, prefix, parts]) =>
      fc.tuple(...parts.map((p) => (p === 0 ? field(q) : fc.constant(p)))).map((pieces) => `message = ${prefix}${q}${pieces.join('')}${q}\n`),
    );
}

// ---- indentation -----------------------------------------------------------------------------

const INDENTS = ['    ', '  ', '\t', '        ', '\t    ', '    \t', ' \t', '\f    '];
const HEADERS = ['if x:', 'for i in y:', 'while x:', 'with a:', 'try:', 'def g():', 'class K:'];
const SIMPLE = ['x = 1', 'pass', 'return x', 'y = (1,\n  2)', 'z = """a\nb"""', 's = "a" \\\n    "b"', '# a comment', ''];

/**
 * A function whose body is a well-indented block structure in one indent unit — then, half of
 * the time, one line's indentation is changed: another unit, tabs for spaces, a column off.
 */
export function indentationModule(): fc.Arbitrary<string> {
  const step = fc.tuple(fc.boolean(), pick(...HEADERS), pick(...SIMPLE), fc.integer({ min: 0, max: 2 }));
  return fc
    .tuple(
      pick(...INDENTS),
      fc.array(step, { minLength: 1, maxLength: 6 }),
      fc.option(fc.tuple(fc.nat(), pick(...INDENTS, ' ', '', '\t\t')), { freq: 2 }),
    )
    .map(([unit, steps, mutation]) => {
      const lines: { depth: number; text: string }[] = [];
      let depth = 1;
      for (const [header, head, simple, dedent] of steps) {
        if (header) {
          lines.push({ depth, text: head });
          lines.push({ depth: depth + 1, text: 'x = 2' });
          depth = Math.max(1, depth + 1 - dedent);
        } else lines.push({ depth, text: simple });
      }
      const out = lines.map((l) => `${unit.repeat(l.depth)}${l.text}`);
      if (mutation) {
        const [at, indent] = mutation;
        const i = at % out.length;
        const l = lines[i] as { depth: number; text: string };
        out[i] = `${unit.repeat(l.depth - 1)}${indent}${l.text}`;
      }
      return `def f(x, y):\n${out.join('\n')}\n`;
    });
}

// ---- statements ------------------------------------------------------------------------------

const TARGETS = ['a', 'a.b', 'a[0]', '(a)', '(a, b)', '[a, b]', 'a, *b', '*a', '(*a)', 'f()', '1', 'None', 'a + 1', 'a if b else c', '(yield)', 'lambda: 1', '[a for a in b]', '{a: 1}', 'f"x"', '...', '-a', 'await x', '()', '[]', 'a.b.c[1:2]'];

function targetStatement(): fc.Arbitrary<string> {
  return fc.tuple(pick(...TARGETS), pick('=', '+=', ': int =', ': int', 'del', 'for', 'with', 'comp')).map(([t, form]) => {
    switch (form) {
      case 'del':
        return `del ${t}\n`;
      case 'for':
        return `for ${t} in items:\n    pass\n`;
      case 'with':
        return `with open(p) as ${t}:\n    pass\n`;
      case 'comp':
        return `values = [1 for ${t} in items]\n`;
      case ': int':
        return `${t}: int\n`;
      default:
        return `${t} ${form} value\n`;
    }
  });
}

const ARGS = ['x', 'k=1', '*xs', '**kw', 'y for y in ys', '(y for y in ys)', 'z := 1', 'k=z := 1', 'j=2', '*ys'];

function callStatement(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.array(pick(...ARGS), { minLength: 1, maxLength: 3 }), fc.boolean(), pick('f', 'class C'))
    .map(([args, comma, head]) => {
      const list = `${args.join(', ')}${comma ? ',' : ''}`;
      return head === 'f' ? `f(${list})\n` : `class C(${list}):\n    pass\n`;
    });
}

const PARAMS = ['a', 'b=1', 'c: int', 'd: int = 2', '*', '*args', '**kw', '/', '*args: *Ts', '(e, f)', 'g'];

function parameterStatement(): fc.Arbitrary<string> {
  return fc.tuple(fc.array(pick(...PARAMS), { minLength: 1, maxLength: 4 }), fc.boolean()).map(([params, lambda]) => {
    const unique = params.map((p, i) => p.replace(/^([a-z])\b/, `$1${i}`));
    const list = unique.join(', ');
    return lambda ? `handler = lambda ${list.replace(/: [^,=]+/g, '')}: 0\n` : `def handler(${list}):\n    pass\n`;
  });
}

const WALRUS = ['y := 1', '(y := 1)', 'f(y := 1)', '[y := 1]', '{y := 1}', 'a[y := 1]', 'x = y := 1', 'x = (y := 1)', '[y := 1 for q in r]', '{y := 1 for q in r}', '[q for q in r if y := 1]', 'lambda: y := 1', 'assert y := 1', 'f(k=y := 1)', 'a[1:y := 2]', '{k: y := 1}', '(y := 1, 2)', 'y := 1, 2'];
const STARS = ['x = *a', 'x = *a,', 'x = (*a)', 'x = [*a]', 'x = {*a}', 'x = a[*b]', 'x = a[*b, c]', 'x = [*a for a in b]', 'x = y if z else *w', 'f(*a)', 'f((*a))', 'x = -*a', 'x = not *a', 'for q in *a, *b:\n    pass', 'x += *a', 'x = {**a}', 'x = {*a: 1}', 'print(*range(3))', 'x = [*range(3)][0]', 'x = *a, *b'];

function placementStatement(): fc.Arbitrary<string> {
  return fc.oneof(
    pick(...WALRUS).map((s) => `${s}\n`),
    pick(...STARS).map((s) => `${s}\n`),
    pick('if y := 1:\n    pass', 'while y := next(it):\n    pass', 'match y := 1:\n    case 1:\n        pass').map((s) => `${s}\n`),
  );
}

const GATED = [
  'match command:\n    case "go":\n        pass\n    case _:\n        pass\n',
  'try:\n    pass\nexcept* ValueError:\n    pass\n',
  'try:\n    pass\nexcept* ValueError:\n    pass\nexcept TypeError:\n    pass\n',
  'try:\n    pass\nexcept*:\n    pass\n',
  'try:\n    pass\nexcept ValueError, TypeError:\n    pass\n',
  'try:\n    pass\nexcept (ValueError, TypeError) as e:\n    pass\n',
  'try:\n    pass\n',
  'type Alias = list[int]\n',
  'type(x).attr = 1\n',
  'def first[T](xs: list[T]) -> T:\n    return xs[0]\n',
  'class Box[T]:\n    pass\n',
  'with (open(a) as f, open(b) as g):\n    pass\n',
  'with (open(a), open(b)):\n    pass\n',
  'with (\n    open(a) as f,\n    open(b) as g,\n):\n    pass\n',
  '@buttons[0].clicked.connect\ndef on_click():\n    pass\n',
  'async def main():\n    async with lock:\n        await run()\n',
  'async = 1\n',
  'def f():\n    await = 1\n',
  'import a,\n',
  'from a import b,\n',
  'from a import (b,)\n',
  'assert x, "m", 1\n',
  'raise E, "message"\n',
  'print "hello"\n',
  'print >>sys.stderr, "hello"\n',
  'exec "code"\n',
  'x = b"caf\u00e9"\n',
  'x = ur"raw"\n',
  'x = b"a" "b"\n',
  'x = "\\x4"\n',
  'x = "\\N{BULLET}"\n',
  'x = 1_000_\n',
  'x = 0o17 + 0b101 + 0x_ff + 1_0.5e-3j\n',
  'x = 0777\n',
  'x = 1\u00a0+ 2\n',
  'x = [i for i in a, b]\n',
  'x = a as b\n',
];

export function statementModule(): fc.Arbitrary<string> {
  return fc.oneof(targetStatement(), callStatement(), parameterStatement(), placementStatement(), pick(...GATED));
}
