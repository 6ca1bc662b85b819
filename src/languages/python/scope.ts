// Name binding for HG010: is every name a guard needs bound in the module, the function,
// an enclosing function, or builtins? (Not under `if TYPE_CHECKING:`, which never runs.)
import type { NameUse } from '../../model.js';
import { boundNames, type PyFunction, type PyModule } from './module.js';
import { field, startOf, walk, type PyNode } from './nodes.js';

const BUILTINS = new Set(
  (
    'abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex ' +
    'copyright credits delattr dict dir divmod enumerate eval exec exit filter float format frozenset getattr ' +
    'globals hasattr hash help hex id input int isinstance issubclass iter len license list locals map max ' +
    'memoryview min next object oct open ord pow print property quit range repr reversed round set setattr ' +
    'slice sorted staticmethod str sum super tuple type vars zip __import__ __name__ __file__ __doc__ ' +
    '__package__ __spec__ __loader__ __builtins__ __debug__ __class__ NotImplemented Ellipsis ' +
    'BaseException BaseExceptionGroup Exception ExceptionGroup ArithmeticError AssertionError AttributeError ' +
    'BlockingIOError BrokenPipeError BufferError ChildProcessError ConnectionAbortedError ConnectionError ' +
    'ConnectionRefusedError ConnectionResetError EOFError EnvironmentError FileExistsError FileNotFoundError ' +
    'FloatingPointError GeneratorExit IOError ImportError IndentationError IndexError InterruptedError ' +
    'IsADirectoryError KeyError KeyboardInterrupt LookupError MemoryError ModuleNotFoundError NameError ' +
    'NotADirectoryError NotImplementedError OSError OverflowError PermissionError ProcessLookupError ' +
    'RecursionError ReferenceError RuntimeError StopAsyncIteration StopIteration SyntaxError TabError ' +
    'SystemError SystemExit TimeoutError TypeError UnboundLocalError UnicodeDecodeError UnicodeEncodeError ' +
    'UnicodeError UnicodeTranslateError ValueError ZeroDivisionError Warning UserWarning DeprecationWarning ' +
    'PendingDeprecationWarning SyntaxWarning RuntimeWarning FutureWarning ImportWarning UnicodeWarning ' +
    'BytesWarning ResourceWarning EncodingWarning True False None self cls'
  ).split(' '),
);

const moduleBindings = new WeakMap<PyModule, Set<string>>();
const functionBindings = new WeakMap<PyFunction, Set<string>>();

function bindingsOf(fn: PyFunction): Set<string> {
  let s = functionBindings.get(fn);
  if (!s) {
    s = boundNames(fn.node, fn.params, true);
    functionBindings.set(fn, s);
  }
  return s;
}

function moduleBound(module: PyModule): Set<string> {
  let s = moduleBindings.get(module);
  if (!s) {
    s = boundNames(module.root, [], true);
    moduleBindings.set(module, s);
  }
  return s;
}

/** Names bound when `if TYPE_CHECKING:` blocks count: the module's and those of the function and its parents. */
function typeCheckingBound(module: PyModule, fn: PyFunction): Set<string> {
  const out = new Set(boundNames(module.root, [], false));
  for (let f: PyFunction | null = fn; f; f = f.parent) if (f.node.type !== 'module') for (const n of boundNames(f.node, f.params, false)) out.add(n);
  return out;
}

/** Identifiers the code reads (not attribute names, keyword names or assignment targets). */
function readNames(node: PyNode): PyNode[] {
  const out: PyNode[] = [];
  walk(node, (n) => {
    if (n.type === 'identifier') {
      const p = n.parent;
      if (p?.type === 'attribute' && field(p, 'attribute')?.id === n.id) return false;
      if (p?.type === 'keyword_argument' && field(p, 'name')?.id === n.id) return false;
      out.push(n);
      return false;
    }
    if (n.type === 'lambda' || n.type === 'function_definition' || n.type === 'class_definition') return false;
    return true;
  });
  return out;
}

/** The names used in the given nodes that nothing binds (HG010), de-duplicated by name. */
export function unboundNames(nodes: PyNode[], fn: PyFunction): NameUse[] {
  const module = fn.module;
  if (module.imports.hasStarImport) return [];
  const bound = new Set<string>([...moduleBound(module), ...BUILTINS]);
  for (let f: PyFunction | null = fn; f; f = f.parent) if (f.node.type !== 'module') for (const n of bindingsOf(f)) bound.add(n);
  const seen = new Set<string>();
  const out: NameUse[] = [];
  for (const node of nodes) {
    for (const id of readNames(node)) {
      if (bound.has(id.text) || seen.has(id.text)) continue;
      seen.add(id.text);
      const use: NameUse = { name: id.text, position: startOf(id) };
      if (typeCheckingBound(module, fn).has(id.text)) use.typeCheckingOnly = true;
      out.push(use);
    }
  }
  return out;
}
