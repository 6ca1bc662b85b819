import { describe, expect, it } from 'vitest';
import {
  diffPublicApi,
  diffReexports,
  extractPublicApi,
  renderSignature,
  type ApiDefinition,
} from '../src/languages/python/public-api.js';

async function api(source: string): Promise<ApiDefinition[]> {
  const result = await extractPublicApi(source);
  expect(result.syntaxErrorLine).toBeNull();
  return result.definitions;
}

async function breaks(before: string, after: string): Promise<string[]> {
  return diffPublicApi(await api(before), await api(after)).map((b) => b.message);
}

describe('extractPublicApi', () => {
  it('lists public functions, classes and their public methods with parameter kinds', async () => {
    const defs = await api(
      [
        'import typing',
        'def _private(a): pass',
        '@decorator',
        'async def handle(a, /, b, *args, c, d=1, **kw) -> None:',
        '    def nested(x): pass',
        'class Router(Base):',
        '    def __init__(self, app, *, prefix: str = ""): pass',
        '    def __call__(self, scope): pass',
        '    def __repr__(self): pass',
        '    def _helper(self): pass',
        '    @staticmethod',
        '    def build(x: int, y: int = 2): pass',
        '    async def handle(self, ws): pass',
        'class _Hidden:',
        '    def visible(self): pass',
      ].join('\n'),
    );
    expect(defs.map((d) => [d.name, d.kind, d.async])).toEqual([
      ['handle', 'function', true],
      ['Router', 'class', false],
      ['Router.__init__', 'method', false],
      ['Router.__call__', 'method', false],
      ['Router.build', 'method', false],
      ['Router.handle', 'method', true],
    ]);
    expect(defs[0]?.params).toEqual([
      { name: 'a', kind: 'positional-only', hasDefault: false },
      { name: 'b', kind: 'positional-or-keyword', hasDefault: false },
      { name: 'args', kind: 'var-positional', hasDefault: false },
      { name: 'c', kind: 'keyword-only', hasDefault: false },
      { name: 'd', kind: 'keyword-only', hasDefault: true },
      { name: 'kw', kind: 'var-keyword', hasDefault: false },
    ]);
    expect(defs[0]?.line).toBe(3);
    expect(defs[1]?.params?.map((p) => p.name)).toEqual(['self', 'app', 'prefix']);
    expect(defs.map(renderSignature)).toEqual([
      'async handle(a, /, b, *args, c, d=…, **kw)',
      'Router(app, *, prefix=…)',
      'Router.__init__(self, app, *, prefix=…)',
      'Router.__call__(self, scope)',
      'Router.build(x, y=…)',
      'async Router.handle(self, ws)',
    ]);
  });

  it('walks TYPE_CHECKING and try blocks at top level', async () => {
    const defs = await api(
      [
        'from typing import TYPE_CHECKING',
        'if TYPE_CHECKING:',
        '    def typed(a): ...',
        'try:',
        '    from fast import parse',
        'except ImportError:',
        '    def parse(text): ...',
        'def outer():',
        '    def inner(): ...',
      ].join('\n'),
    );
    expect(defs.map((d) => d.name)).toEqual(['typed', 'parse', 'outer']);
  });

  it('keeps the last binding of a name, dropping the methods of a replaced class', async () => {
    const defs = await api(
      ['try:', '    class Codec:', '        def fast(self): pass', 'except ImportError:', '    class Codec:', '        def slow(self): pass'].join('\n'),
    );
    expect(defs.map((d) => [d.name, d.line])).toEqual([
      ['Codec', 5],
      ['Codec.slow', 6],
    ]);
  });

  it('reports where a source does not parse', async () => {
    const result = await extractPublicApi('def ok(a): pass\n\ndef broken(:\n    pass\n');
    expect(result.syntaxErrorLine).toBe(3);
  });
});

describe('diffPublicApi', () => {
  it('reports a removed function and a removed method', async () => {
    expect(
      await breaks(
        'def serve(a): pass\nclass Router:\n    def handle(self, ws): pass\n',
        'class Router:\n    pass\n',
      ),
    ).toEqual(['removed serve', 'removed Router.handle']);
  });

  it('a class gone (or no longer a class) is one removal: its methods are not listed again', async () => {
    const router = 'class Router:\n    def __init__(self, app): pass\n    def handle(self, ws): pass\n';
    expect(await breaks(`${router}def serve(a): pass\n`, 'def serve(a): pass\n')).toEqual(['removed Router']);
    expect(await breaks(router, 'def Router(app): pass\n')).toEqual(['Router(app) → Router(app) (class became function)']);
  });

  it('reports a new required parameter and names the change', async () => {
    expect(
      await breaks('class Router:\n    def handle(self, ws): pass\n', 'class Router:\n    def handle(self, ws, timeout): pass\n'),
    ).toEqual(['Router.handle(self, ws) → Router.handle(self, ws, timeout) (timeout added without a default)']);
  });

  it('does not report an added defaulted parameter, method or class', async () => {
    expect(
      await breaks(
        'class Router:\n    def handle(self, ws): pass\n',
        'class Router:\n    def handle(self, ws, timeout=3.0, *, strict=False): pass\n    def more(self): pass\nclass New: pass\n',
      ),
    ).toEqual([]);
  });

  it('reports renamed, reordered, made-required, kind and async changes', async () => {
    const cases: [string, string, string][] = [
      ['def f(a, b): pass', 'def f(a, c): pass', 'b removed or renamed'],
      ['def f(a, b): pass', 'def f(b, a): pass', 'a moved'],
      ['def f(a, b=1): pass', 'def f(a, b): pass', 'b made required'],
      ['def f(a, b): pass', 'def f(a, *, b): pass', 'b became keyword-only'],
      ['def f(a, b): pass', 'def f(a, b, /): pass', 'a became positional-only'],
      ['def f(a): pass', 'async def f(a): pass', 'became async'],
      ['def f(a, *args): pass', 'def f(a): pass', '*args removed'],
      ['def f(a, **kw): pass', 'def f(a): pass', '**kw removed'],
      ['def f(a): pass', 'def f(a, *, key): pass', 'key added without a default'],
      ['def f(a, b=1): pass', 'def f(a, c=2, b=1): pass', 'b moved'],
      ['def f(a): pass', 'class f(Base): pass', 'function became class)'],
    ];
    for (const [before, after, reason] of cases) {
      const found = await breaks(before, after);
      expect(found, `${before} → ${after}`).toHaveLength(1);
      expect(found[0]).toContain(reason);
    }
  });

  it('names every reason: a required parameter taking the slot of a defaulted one is added as well as the other moved', async () => {
    expect(await breaks('def f(a, b=1): pass', 'def f(a, c, b=1): pass')).toEqual(['f(a, b=…) → f(a, c, b=…) (b moved; c added without a default)']);
    // A slot callers always filled may take a new name (positional-only before: no caller named it).
    expect(await breaks('def f(a, /): pass', 'def f(x): pass')).toEqual([]);
  });

  it('accepts changes no caller can notice', async () => {
    const cases: [string, string][] = [
      ['def f(a, /): pass', 'def f(x, /): pass'],
      ['def f(a, /, b): pass', 'def f(a, b): pass'],
      ['def f(a, *, b): pass', 'def f(a, b): pass'],
      ['def f(a, b): pass', 'def f(a, b=1): pass'],
      ['class C:\n    def m(self, x): pass', 'class C:\n    def m(this, x): pass'],
      ['class C:\n    @property\n    def p(self): pass', 'class C:\n    @property\n    def p(self): pass\n    @p.setter\n    def p(self, v): pass'],
    ];
    for (const [before, after] of cases) expect(await breaks(before, after), `${before} → ${after}`).toEqual([]);
  });

  it('a plain class without __init__ is constructed with no argument: one added is compared against that', async () => {
    expect(await breaks('class Client:\n    pass\n', 'class Client:\n    def __init__(self, url): pass\n')).toEqual(['Client() → Client(url) (url added without a default)']);
    expect(await breaks('class Client(object):\n    def __init__(self, url): pass\n', 'class Client(object):\n    pass\n')).toEqual(['Client(url) → Client() (url removed or renamed)']);
    expect(await breaks('class Client:\n    pass\n', 'class Client:\n    def __init__(self, url=None): pass\n')).toEqual([]);
  });

  it('a @dataclass without __init__ is constructed with its fields', async () => {
    const dc = (fields: string, decorator = '@dataclass'): string => `${decorator}\nclass Point:\n${fields}`;
    expect(await breaks(dc('    x: int\n'), dc('    x: int\n    y: int\n'))).toEqual(['Point(x) → Point(x, y) (y added without a default)']);
    expect(await breaks(dc('    x: int\n    y: int = 0\n'), dc('    x: int\n    y: int\n'))).toEqual(['Point(x, y=…) → Point(x, y) (y made required)']);
    expect(await breaks(dc('    x: int\n'), dc('    x: int\n', '@dataclass(kw_only=True)'))).toEqual(['Point(x) → Point(*, x) (x became keyword-only)']);
    expect(await breaks(dc('    x: int\n    y: int\n'), dc('    x: int\n    _: KW_ONLY\n    y: int\n'))).toEqual(['Point(x, y) → Point(x, *, y) (y became keyword-only)']);
    // Defaults (a value, a field with default or default_factory), ClassVars, init=False fields and methods add nothing required.
    expect(
      await breaks(
        dc('    x: int\n'),
        dc('    x: int\n    y: int = 0\n    tags: list = field(default_factory=list)\n    count: ClassVar[int] = 0\n    cache: dict = field(init=False)\n    label = "p"\n    def norm(self): pass\n', '@dataclasses.dataclass(frozen=True)'),
      ),
    ).toEqual([]);
    // Another decorator beside it, a base class, or init=False: not declared here.
    expect((await api(dc('    x: int\n', '@dataclass\n@total_ordering')))[0]?.params).toBeNull();
    expect((await api('@dataclass\nclass Point(Base):\n    x: int\n'))[0]?.params).toBeNull();
    expect((await api(dc('    x: int\n', '@dataclass(init=False)')))[0]?.params).toBeNull();
  });

  it('a constructor declared on one side only, the other taking it from a base class or decorator, is not decidable here', async () => {
    const diff = async (before: string, after: string) => diffPublicApi(await api(before), await api(after));
    expect(await diff('class Client(Base):\n    def __init__(self, url): pass\n', 'class Client(Base):\n    pass\n')).toEqual([
      { name: 'Client', line: 1, message: 'Client: __init__ removed, the constructor now comes from a base class or decorator: not compared', unsure: true },
    ]);
    expect(await diff('@attr.s\nclass Point:\n    x = attr.ib()\n', '@attr.s\nclass Point:\n    x = attr.ib()\n    def __init__(self, x, y): pass\n')).toMatchObject([{ name: 'Point', unsure: true }]);
    expect(await diff('class Point:\n    def __new__(cls, x): pass\n', 'class Point:\n    def __new__(cls, x): pass\n    def __init__(self, x): pass\n')).toMatchObject([{ unsure: true }]);
    // Neither side declares it: nothing here to compare.
    expect(await diff('class Client(Base):\n    pass\n', 'class Client(Base):\n    def more(self): pass\n')).toEqual([]);
  });

  it("reports a class's constructor change once, on the class", async () => {
    expect(
      await breaks('class Router:\n    def __init__(self, app): pass\n', 'class Router:\n    def __init__(self, app, prefix): pass\n'),
    ).toEqual(['Router(app) → Router(app, prefix) (prefix added without a default)']);
  });
});

describe('diffPublicApi: names no longer defined but still bound', () => {
  /** The breaks with the module's bindings now: `[message, unsure]`. */
  async function bound(before: string, after: string): Promise<[string, boolean][]> {
    const cur = await extractPublicApi(after);
    expect(cur.syntaxErrorLine).toBeNull();
    return diffPublicApi(await api(before), cur.definitions, cur.bindings).map((b) => [b.message, b.unsure === true]);
  }

  it('a class now an alias of a class of the module is compared as that class', async () => {
    expect(await bound('class Params:\n    def get(self, k): pass\n', 'class Base:\n    def get(self, k): pass\n\nParams = Base\n')).toEqual([]);
    expect(await bound('class Params:\n    def get(self, k): pass\n', 'class Base:\n    def get(self): pass\n\nParams = Base\n')).toEqual([['Params.get(self, k) → Params.get(self) (k removed or renamed)', false]]);
  });

  it('a name now imported or assigned from elsewhere is not decidable here, not removed', async () => {
    expect(await bound('class Params:\n    a: int\n', 'from .other import Base\n\nParams = Base\n')).toEqual([['Params is now assigned (Params = Base); its signature is not declared here: not compared', true]]);
    expect(await bound('def f10(a):\n    pass\n\ndef f1(a):\n    pass\n', 'def f1(a):\n    pass\n\nfrom part2 import f10\n')).toEqual([['f10 is now imported; its signature is not declared here: not compared', true]]);
    expect(await bound('def f(a):\n    pass\n', 'try:\n    from fast import f\nexcept ImportError:\n    from slow import f as f\n')).toEqual([['f is now imported; its signature is not declared here: not compared', true]]);
    expect(await bound('def f(a):\n    pass\n', 'from helpers import *\n')).toEqual([['f no longer defined here; maybe brought by from helpers import *', true]]);
    // Truly gone: still removed.
    expect(await bound('def f(a):\n    pass\n\ndef g(): pass\n', 'import os\n\ndef g(): pass\n')).toEqual([['removed f', false]]);
  });

  it('a method moved to a base class of the module is inherited: compared with the base one', async () => {
    const before = 'class Base:\n    pass\n\nclass Child(Base):\n    def send(self, data):\n        return data\n';
    expect(await bound(before, 'class Base:\n    def send(self, data):\n        return data\n\nclass Child(Base):\n    pass\n')).toEqual([]);
    // Through a private base, two levels up.
    expect(await bound(before, 'class _Core:\n    def __init__(self):\n        pass\n\n    def send(self, data, flush=True):\n        return data\n\nclass Base(_Core):\n    pass\n\nclass Child(Base):\n    pass\n')).toEqual([]);
    expect(await bound(before, 'class Base:\n    def send(self):\n        pass\n\nclass Child(Base):\n    pass\n')).toEqual([['Child.send(self, data) → Child.send(self) (data removed or renamed)', false]]);
    // A generic base class of the module (`_Auth[Identity]`).
    expect(await bound('class Auth(Generic[T]):\n    def get_token(self): pass\n', 'class _Auth(Generic[T]):\n    def get_token(self): pass\n\nclass Auth(_Auth[Identity]):\n    pass\n')).toEqual([]);
    // A constructor now inherited from a base of the module is compared with that one.
    expect(await bound('class C:\n    def __init__(self, url): pass\n', 'class _B:\n    def __init__(self, url, *, timeout=None): pass\n\nclass C(_B):\n    pass\n')).toEqual([]);
    expect(await bound('class C:\n    def __init__(self, url): pass\n', 'class _B:\n    def __init__(self): pass\n\nclass C(_B):\n    pass\n')).toEqual([['C(url) → C() (url removed or renamed)', false]]);
    // A base from another module: not known here, the method is removed as before.
    expect(await bound(before, 'from x import Base\n\nclass Child(Base):\n    pass\n')).toEqual([
      ['Base is now imported; its signature is not declared here: not compared', true],
      ['removed Child.send', false],
    ]);
  });

  it('a property now a class attribute reads the same; a method now an attribute is not decidable', async () => {
    expect(await bound('class C:\n    @property\n    def state(self):\n        return 1\n', 'class C:\n    state = 1\n')).toEqual([]);
    expect(await bound('class C:\n    @property\n    def state(self):\n        return 1\n', 'class C:\n    state: int\n')).toEqual([]);
    expect(await bound('class C:\n    def run(self):\n        pass\n', 'class C:\n    run = other\n')).toEqual([['C.run: method now a class attribute; whether it is still callable so is not declared here', true]]);
  });
});

describe('Python: static methods and re-exports', () => {
  it('a @staticmethod or @classmethod made an instance method is a break: calls on the class fail', async () => {
    expect(await breaks('class A:\n    @staticmethod\n    def make(x): pass\n', 'class A:\n    def make(self, x): pass\n')).toEqual(['A.make(x) → A.make(self, x) (became an instance method (calls on the class fail))']);
    expect(await breaks('class A:\n    @classmethod\n    def make(cls, x): pass\n', 'class A:\n    def make(self, x): pass\n')).toHaveLength(1);
    // The other way, or between the two class-level kinds: calls still work.
    expect(await breaks('class A:\n    def make(self, x): pass\n', 'class A:\n    @staticmethod\n    def make(x): pass\n')).toEqual([]);
    expect(await breaks('class A:\n    @staticmethod\n    def make(x): pass\n', 'class A:\n    @classmethod\n    def make(cls, x): pass\n')).toEqual([]);
  });

  it("a package's re-exports and __all__: a name dropped from either is a break", async () => {
    const cmp = async (before: string, after: string | null, init = true): Promise<string[]> =>
      diffReexports(await extractPublicApi(before), after === null ? null : await extractPublicApi(after), init).map((b) => b.message);
    const base = 'from .a import x, y\nfrom .c import z as z\n\n__all__ = ["x", "y"]\n';
    expect(await cmp(base, 'from .b import x\nfrom .c import z as z\n\n__all__ = ["x"]\n')).toEqual(['removed y (listed in __all__)']);
    expect(await cmp(base, 'from .a import x, y\nfrom .c import z as z\n\n__all__ = ["x"]\n')).toEqual(['y removed from __all__ (`from … import *` no longer brings it)']);
    expect(await cmp(base, 'from .a import x, y\n\n__all__ = ["x", "y"]\n')).toEqual(['removed re-export z']);
    // Moved to another relative module, or defined here now: still there.
    expect(await cmp(base, 'from .b import x\nfrom .c import z as z\n\ndef y(): pass\n\n__all__ = ["x", "y"]\n')).toEqual([]);
    // In a plain module a relative import is the module's own business (but `as z` re-exports).
    expect(await cmp('from .a import helper\nfrom .c import z as z\n', '', false)).toEqual(['removed re-export z']);
    // A definition removed is diffPublicApi's; its __all__ entry adds nothing.
    expect(await cmp('def f(): pass\n\n__all__ = ["f"]\n', '__all__ = []\n')).toEqual([]);
  });
});
