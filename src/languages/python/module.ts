// One parsed Python module and its functions, as the loop analysis sees them.
import type { Framework } from '../../model.js';
import { classConstants, ConstEnv, evalNumber, scopeConstants, EMPTY_ENV } from './constants.js';
import { buildImportTable, moduleNameOf, type ImportTable } from './imports.js';
import { field, hasAsyncKeyword, named, statements, unwrap, walk, type PyNode } from './nodes.js';

export interface Param {
  name: string;
  index: number;
  annotation: PyNode | null;
  defaultValue: PyNode | null;
  kind: 'positional' | 'var-positional' | 'keyword-only' | 'var-keyword';
}

export interface PyFunction {
  node: PyNode;
  name: string;
  /** Dotted: `Router._main_message_loop`, `create_router.endpoint.pump`; `<module>` at top level. */
  qualifiedName: string;
  isAsync: boolean;
  params: Param[];
  decorators: PyNode[];
  /** The class a method is defined in, directly. */
  classNode: PyNode | null;
  parent: PyFunction | null;
  module: PyModule;
  /** Constants visible in the function: parameter defaults, locals assigned once, class and module constants. */
  env: ConstEnv;
  /** The constants of the enclosing scope (class, function or module). */
  outerEnv: ConstEnv;
}

export interface PyModule {
  file: string;
  absPath: string;
  source: string;
  root: PyNode;
  moduleName: string;
  imports: ImportTable;
  /** Frameworks the module imports, in the order of precedence used for unknown receivers. */
  frameworks: Framework[];
  /**
   * A web framework the module imports whose WebSocket is not Starlette's (`falcon`,
   * `blacksheep`, …: `OTHER_WEBSOCKET_FRAMEWORKS`), null when it imports none.
   */
  otherFramework: string | null;
  env: ConstEnv;
  functions: PyFunction[];
  /** Top-level `def`s by name, and methods by `Class.method`. */
  byName: Map<string, PyFunction>;
  /** The module-level pseudo-function (loops at top level). */
  top: PyFunction;
}

const STATEMENT_CONTAINERS = new Set([
  'block', 'if_statement', 'elif_clause', 'else_clause', 'try_statement', 'except_clause', 'except_group_clause',
  'finally_clause', 'with_statement', 'for_statement', 'while_statement', 'decorated_definition', 'match_statement',
  'case_clause',
]);

const FRAMEWORK_PREFIXES: [string, Framework][] = [
  ['fastapi', 'fastapi'],
  ['starlette', 'starlette'],
  ['quart', 'quart'],
  ['sanic', 'sanic'],
  ['litestar', 'litestar'],
  ['websockets', 'websockets'],
  ['aiohttp', 'aiohttp'],
];

/**
 * Top-level packages of web frameworks whose WebSocket has neither Starlette's states nor its
 * `WebSocketState` (BlackSheep and Lilya have their own enum, Falcon and Tornado no state at
 * all): a connection the evidence ties to one of them is no Starlette connection.
 */
export const OTHER_WEBSOCKET_FRAMEWORKS: ReadonlySet<string> = new Set([
  'falcon', 'blacksheep', 'tornado', 'channels', 'django', 'robyn', 'socketify', 'flask_sock', 'simple_websocket',
  'emmett', 'lilya', 'muffin', 'asgi_tools', 'autobahn', 'trio_websocket', 'wsproto',
]);

function otherFrameworkOf(imports: ImportTable): string | null {
  for (const m of imports.modules) {
    const top = m.split('.')[0] ?? m;
    if (OTHER_WEBSOCKET_FRAMEWORKS.has(top)) return top;
  }
  return null;
}

function frameworksOf(imports: ImportTable): Framework[] {
  const out: Framework[] = [];
  for (const [prefix, fw] of FRAMEWORK_PREFIXES) {
    for (const m of imports.modules) {
      if (m === prefix || m.startsWith(`${prefix}.`)) {
        if (!out.includes(fw)) out.push(fw);
        break;
      }
    }
  }
  return out;
}

function paramsOf(fn: PyNode): Param[] {
  const list = field(fn, 'parameters');
  const out: Param[] = [];
  let keywordOnly = false;
  for (const p of list ? named(list) : []) {
    let name: string | null = null;
    let annotation: PyNode | null = null;
    let defaultValue: PyNode | null = null;
    let kind: Param['kind'] = keywordOnly ? 'keyword-only' : 'positional';
    switch (p.type) {
      case 'identifier':
        name = p.text;
        break;
      case 'typed_parameter': {
        const inner = named(p)[0];
        annotation = field(p, 'type');
        if (inner?.type === 'identifier') name = inner.text;
        else if (inner?.type === 'list_splat_pattern') { name = named(inner)[0]?.text ?? null; kind = 'var-positional'; keywordOnly = true; }
        else if (inner?.type === 'dictionary_splat_pattern') { name = named(inner)[0]?.text ?? null; kind = 'var-keyword'; }
        break;
      }
      case 'default_parameter':
      case 'typed_default_parameter':
        name = field(p, 'name')?.text ?? null;
        annotation = field(p, 'type');
        defaultValue = field(p, 'value');
        break;
      case 'list_splat_pattern':
        name = named(p)[0]?.text ?? null;
        kind = 'var-positional';
        keywordOnly = true;
        break;
      case 'dictionary_splat_pattern':
        name = named(p)[0]?.text ?? null;
        kind = 'var-keyword';
        break;
      case 'keyword_separator':
        keywordOnly = true;
        continue;
      default:
        continue;
    }
    if (name) out.push({ name, index: out.length, annotation, defaultValue, kind });
  }
  return out;
}

function decoratorsOf(fn: PyNode): PyNode[] {
  const parent = fn.parent;
  if (parent?.type !== 'decorated_definition') return [];
  return named(parent).filter((c) => c.type === 'decorator');
}

export function buildModule(file: string, absPath: string, source: string, root: PyNode): PyModule {
  const moduleName = moduleNameOf(file);
  const isPackage = /(^|\/)__init__\.pyi?$/.test(file);
  const imports = buildImportTable(root, moduleName, isPackage);
  const env = scopeConstants(root, EMPTY_ENV);
  const module = { file, absPath, source, root, moduleName, imports, frameworks: frameworksOf(imports), otherFramework: otherFrameworkOf(imports), env } as PyModule;
  const top: PyFunction = {
    node: root,
    name: '<module>',
    qualifiedName: '<module>',
    isAsync: false,
    params: [],
    decorators: [],
    classNode: null,
    parent: null,
    module,
    env,
    outerEnv: EMPTY_ENV,
  };
  const functions: PyFunction[] = [];
  const byName = new Map<string, PyFunction>();
  // Iterative walk carrying the qualified-name prefix, the enclosing function and class.
  type Frame = { node: PyNode; prefix: string; parent: PyFunction | null; classNode: PyNode | null; classEnv: ConstEnv | null };
  const stack: Frame[] = [{ node: root, prefix: '', parent: null, classNode: null, classEnv: null }];
  while (stack.length) {
    const { node, prefix, parent, classNode, classEnv } = stack.pop() as Frame;
    for (const child of [...named(node)].reverse()) {
      if (child.type === 'function_definition') {
        const name = field(child, 'name')?.text ?? '<anonymous>';
        const base = classEnv ?? parent?.env ?? env;
        const fn: PyFunction = {
          node: child,
          name,
          qualifiedName: prefix ? `${prefix}.${name}` : name,
          isAsync: hasAsyncKeyword(child),
          params: paramsOf(child),
          decorators: decoratorsOf(child),
          classNode,
          parent,
          module,
          env: EMPTY_ENV,
          outerEnv: base,
        };
        lazyEnv(fn);
        functions.push(fn);
        if (!parent) byName.set(fn.qualifiedName, fn);
        stack.push({ node: child, prefix: fn.qualifiedName, parent: fn, classNode: null, classEnv: null });
      } else if (child.type === 'class_definition') {
        const name = field(child, 'name')?.text ?? '<class>';
        const qn = prefix ? `${prefix}.${name}` : name;
        stack.push({ node: child, prefix: qn, parent, classNode: child, classEnv: classConstants(child, parent?.env ?? env) });
      } else if (STATEMENT_CONTAINERS.has(child.type)) {
        // defs and classes are statements: expressions never hold one (lambdas are not defs).
        stack.push({ node: child, prefix, parent, classNode, classEnv });
      }
    }
  }
  functions.sort((a, b) => a.node.startIndex - b.node.startIndex);
  module.functions = functions;
  module.byName = byName;
  module.top = top;
  return module;
}

/** The innermost function (or the module) containing a node. */
export function functionAt(module: PyModule, node: PyNode): PyFunction {
  let best: PyFunction = module.top;
  for (const fn of module.functions) {
    if (fn.node.startIndex <= node.startIndex && node.endIndex <= fn.node.endIndex) {
      if (best === module.top || fn.node.startIndex >= best.node.startIndex) best = fn;
    }
  }
  return best;
}

/**
 * The body of `if TYPE_CHECKING:` (`typing.TYPE_CHECKING`, `t.TYPE_CHECKING`, a module's own
 * `TYPE_CHECKING = False`): it never runs, so what it binds is unbound at run time. Its `else`
 * runs.
 */
export function isTypeCheckingBlock(n: PyNode): boolean {
  // The type first: `parent` costs O(depth) in tree-sitter, and every node of a scope is asked.
  if (n.type !== 'block') return false;
  const owner = n.parent;
  if (owner?.type !== 'if_statement' || field(owner, 'consequence')?.id !== n.id) return false;
  const cond = field(owner, 'condition');
  return cond !== null && /^(?:[A-Za-z_]\w*\.)*TYPE_CHECKING$/.test(unwrap(cond).text);
}

/**
 * Every name a scope binds, with what it is imported as (`from a import b as c` → `c`, `a.b`;
 * null for any other binding): assignment, augmented, `:=`, `for`, `with … as` / `except … as`
 * targets, imports, nested `def`/`class` names (not their bodies, nor lambdas'). `runtime`: not
 * what only `if TYPE_CHECKING:` binds. `comprehensions`: a comprehension's own `for` targets too
 * (they do not leak in Python 3; `:=` inside one does either way). `declared`: names a `global` /
 * `nonlocal` statement declares.
 */
export function visitBindings(
  scope: PyNode,
  opts: { runtime?: boolean; comprehensions?: boolean; declared?: boolean },
  bind: (name: string, importedAs: string | null) => void,
): void {
  const addTarget = (t: PyNode | null): void => {
    if (!t) return;
    walk(t, (n) => {
      if (n.type === 'identifier') bind(n.text, null);
      return n.type !== 'attribute' && n.type !== 'subscript';
    });
  };
  walk(scope, (n) => {
    if (opts.runtime && isTypeCheckingBlock(n)) return false;
    if (n.id !== scope.id && (n.type === 'function_definition' || n.type === 'class_definition')) {
      addTarget(field(n, 'name'));
      return false;
    }
    if (n.id !== scope.id && n.type === 'lambda') return false;
    switch (n.type) {
      case 'assignment':
      case 'augmented_assignment':
      case 'for_statement':
        addTarget(field(n, 'left'));
        break;
      case 'for_in_clause':
        if (opts.comprehensions) addTarget(field(n, 'left'));
        break;
      case 'named_expression':
        addTarget(field(n, 'name'));
        break;
      case 'as_pattern_target':
        addTarget(n);
        break;
      case 'except_clause':
        for (const c of named(n)) if (c.type === 'as_pattern') addTarget(field(c, 'alias'));
        break;
      case 'global_statement':
      case 'nonlocal_statement':
        if (opts.declared) for (const c of named(n)) if (c.type === 'identifier') bind(c.text, null);
        break;
      case 'import_statement':
      case 'import_from_statement': {
        const from = n.type === 'import_from_statement' ? `${field(n, 'module_name')?.text ?? ''}.` : '';
        for (const item of n.childrenForFieldName('name')) {
          if (!item) continue;
          const alias = item.type === 'aliased_import' ? field(item, 'alias') : null;
          const dotted = (alias ? field(item, 'name')?.text : item.text) ?? item.text;
          const name = alias ? alias.text : (dotted.split('.')[0] ?? dotted);
          bind(name, from + (alias ? dotted : name));
        }
        return false;
      }
      default:
        break;
    }
    return true;
  });
}

/** The names a scope binds; with `runtime`, not those bound only under `if TYPE_CHECKING:`. */
export function boundNames(scope: PyNode, params: Param[] = [], runtime = false): Set<string> {
  const out = new Set(params.map((p) => p.name));
  visitBindings(scope, { runtime, comprehensions: true, declared: true }, (name) => out.add(name));
  return out;
}

export function moduleStatements(module: PyModule): PyNode[] {
  return statements(module.root);
}

/**
 * The constants of a function with some parameters bound (a helper called with arguments):
 * parameter defaults, then the overrides, then locals assigned once.
 */
/** `unknown`: parameters a call passes a value we cannot read, so that their defaults do not apply. */
export function functionEnv(fn: PyFunction, overrides: ReadonlyMap<string, number>, unknown: ReadonlySet<string> = new Set()): ConstEnv {
  const params = new Map<string, number>();
  for (const p of fn.params) {
    if (unknown.has(p.name)) continue;
    const v = overrides.get(p.name) ?? (p.defaultValue ? evalNumber(p.defaultValue, fn.outerEnv) : null);
    if (v !== null && v !== undefined) params.set(p.name, v);
  }
  const selfName = fn.classNode ? (fn.params[0]?.name ?? null) : null;
  return scopeConstants(fn.node, fn.outerEnv.with(params), selfName);
}

/** Constants are only needed for functions with loops or guards: compute them on first use. */
function lazyEnv(fn: PyFunction): void {
  let cached: ConstEnv | null = null;
  Object.defineProperty(fn, 'env', {
    get: () => (cached ??= functionEnv(fn, new Map())),
    enumerable: true,
    configurable: true,
  });
}
