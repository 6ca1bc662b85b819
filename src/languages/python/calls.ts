// What a call is, by its qualified name: a clock, a sleep, a logger call.
import type { Clock, SleepKind } from '../../model.js';
import { dottedChain, qualify, type ImportTable } from './imports.js';
import type { PyFunction } from './module.js';
import { field, findInScope, named, statements, unwrap, walk, type PyNode } from './nodes.js';
import { importedName, resolveCall, type RepoIndex } from './repo-index.js';

const CLOCKS: Record<string, Clock> = {
  'time.time': 'wall',
  'time.time_ns': 'wall',
  'datetime.datetime.now': 'wall',
  'datetime.datetime.utcnow': 'wall',
  'datetime.datetime.today': 'wall',
  'time.monotonic': 'monotonic',
  'time.monotonic_ns': 'monotonic',
  'time.perf_counter': 'monotonic',
  'time.perf_counter_ns': 'monotonic',
  'anyio.current_time': 'loop',
  'trio.current_time': 'loop',
};

const ASYNC_SLEEPS = new Set(['asyncio.sleep', 'anyio.sleep', 'trio.sleep']);
const BLOCKING_SLEEPS = new Set(['time.sleep']);
const LOG_METHODS = new Set(['debug', 'info', 'warning', 'warn', 'error', 'exception', 'critical', 'fatal', 'log', 'msg']);

export function calleeName(call: PyNode, table: ImportTable): string | null {
  const fn = field(call, 'function');
  return fn ? qualify(fn, table) : null;
}

/** The clock a call reads, if it is a clock read. */
export function clockOf(call: PyNode, table: ImportTable): Clock | null {
  if (call.type !== 'call') return null;
  const name = calleeName(call, table);
  if (name && CLOCKS[name]) return CLOCKS[name] ?? null;
  const fn = field(call, 'function');
  if (fn?.type !== 'attribute' || field(fn, 'attribute')?.text !== 'time') return null;
  // `loop.time()`, `asyncio.get_running_loop().time()`, `self._loop.time()`.
  const obj = field(fn, 'object');
  if (!obj) return null;
  if (obj.type === 'call') {
    const inner = calleeName(obj, table);
    if (inner === 'asyncio.get_event_loop' || inner === 'asyncio.get_running_loop') return 'loop';
    return null;
  }
  const chain = dottedChain(obj);
  const last = chain?.[chain.length - 1] ?? '';
  return /^_?(event_)?loop$/.test(last) ? 'loop' : null;
}

export interface SleepCall {
  kind: SleepKind;
  argument: PyNode | null;
}

export function sleepOf(call: PyNode, table: ImportTable): SleepCall | null {
  if (call.type !== 'call') return null;
  const name = calleeName(call, table);
  const kind: SleepKind | null = name && ASYNC_SLEEPS.has(name) ? 'async' : name && BLOCKING_SLEEPS.has(name) ? 'blocking' : null;
  if (!kind) return null;
  const args = named(field(call, 'arguments') ?? call);
  const positional = args.find((a) => a.type !== 'keyword_argument') ?? null;
  const keyword = args.find((a) => a.type === 'keyword_argument' && ['delay', 'seconds', 'secs'].includes(field(a, 'name')?.text ?? ''));
  return { kind, argument: positional ?? (keyword ? field(keyword, 'value') : null) };
}

/** `logger.warning(...)`, `self.log.info(...)`, `logging.error(...)`, loguru/structlog loggers. */
export function isLogCall(call: PyNode, table: ImportTable): boolean {
  if (call.type !== 'call') return false;
  const fn = field(call, 'function');
  if (fn?.type !== 'attribute') return false;
  const method = field(fn, 'attribute')?.text ?? '';
  if (!LOG_METHODS.has(method)) return false;
  const obj = field(fn, 'object');
  if (!obj) return false;
  const q = qualify(obj, table) ?? '';
  if (q === 'logging' || q.startsWith('loguru') || q.startsWith('structlog')) return true;
  const chain = dottedChain(obj);
  const last = chain?.[chain.length - 1] ?? obj.text;
  return /log/i.test(last);
}

/** Every call inside a node (not entering nested scopes), unwrapping `await`. */
export function callsIn(node: PyNode): PyNode[] {
  const out: PyNode[] = [];
  const stack: PyNode[] = [node];
  while (stack.length) {
    const n = stack.pop() as PyNode;
    if (n.id !== node.id && (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition')) continue;
    if (n.type === 'call') out.push(n);
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return out.sort((a, b) => a.startIndex - b.startIndex);
}

/** The call an expression statement makes, if it is one: `await x(...)` or `x(...)`. */
export function statementCall(st: PyNode): PyNode | null {
  if (st.type !== 'expression_statement') return null;
  const expr = named(st)[0];
  if (!expr) return null;
  const inner = unwrap(expr);
  return inner.type === 'call' ? inner : null;
}

/**
 * The repository function a call goes to (`resolveCall`), or, for `obj.method(…)` where obj's
 * class is only known from a type annotation — a parameter (`conn: Wrapper`), an annotated local,
 * or an attribute set from an annotated `__init__` parameter or annotated itself
 * (`self._client: Client`) —, that class's method (SPEC §3: helpers one level deep).
 */
export function resolveRepoCall(call: PyNode, fn: PyFunction, index: RepoIndex | null): PyFunction | null {
  const direct = resolveCall(call, fn, index);
  if (direct) return direct;
  const callee = field(call, 'function');
  if (callee?.type !== 'attribute') return null;
  const method = field(callee, 'attribute')?.text;
  const obj = field(callee, 'object');
  if (!method || !obj) return null;
  const annotation = annotationOf(unwrap(obj), fn);
  if (!annotation) return null;
  const module = annotation.fn.module;
  for (const cls of classNames(annotation.node)) {
    const local = module.functions.find((f) => f.qualifiedName === `${cls}.${method}` && f.classNode !== null);
    if (local) return local;
    const head = cls.split('.')[0] ?? '';
    const q = importedName(head, module, index);
    if (!q || !index) continue;
    const found = index.lookup([q, ...cls.split('.').slice(1), method].join('.'), module.absPath);
    if (found) return found;
  }
  return null;
}

/** The annotation that gives an object its class, and the function whose module names it. */
function annotationOf(obj: PyNode, fn: PyFunction): { node: PyNode; fn: PyFunction } | null {
  if (obj.type === 'identifier') {
    const param = fn.params.find((p) => p.name === obj.text);
    if (param) return param.annotation ? { node: param.annotation, fn } : null;
    let bound = false;
    for (const a of findInScope(fn.node, ASSIGNMENTS)) {
      if (field(a, 'left')?.text !== obj.text) continue;
      const type = field(a, 'type');
      if (type) return { node: type, fn };
      bound = true;
    }
    // A module-level name the function does not bind itself: `manager: ConnectionManager` there.
    if (bound || fn.node.id === fn.module.root.id) return null;
    for (const a of findInScope(fn.module.root, ASSIGNMENTS)) {
      const type = field(a, 'type');
      if (type && field(a, 'left')?.text === obj.text) return { node: type, fn: fn.module.top };
    }
    return null;
  }
  if (obj.type !== 'attribute' || field(obj, 'object')?.text !== 'self' || !fn.classNode) return null;
  const attr = field(obj, 'attribute')?.text;
  const cls = fn.classNode;
  // `attr: Client` in the class body.
  for (const st of statements(field(cls, 'body'))) {
    const a = st.type === 'expression_statement' ? named(st)[0] : null;
    const type = a?.type === 'assignment' ? field(a, 'type') : null;
    if (a && type && field(a, 'left')?.text === attr) return { node: type, fn };
  }
  // `self.attr: Client = …`, or `self.attr = client` where `client: Client` is the method's parameter.
  for (const method of fn.module.functions.filter((f) => f.classNode?.id === cls.id)) {
    for (const a of findInScope(method.node, ASSIGNMENTS)) {
      const left = field(a, 'left');
      if (left?.type !== 'attribute' || field(left, 'object')?.text !== 'self' || field(left, 'attribute')?.text !== attr) continue;
      const type = field(a, 'type');
      if (type) return { node: type, fn: method };
      const right = field(a, 'right');
      const param = right?.type === 'identifier' ? method.params.find((p) => p.name === right.text) : undefined;
      if (param?.annotation) return { node: param.annotation, fn: method };
    }
  }
  return null;
}

const ASSIGNMENTS = new Set(['assignment']);
const NOT_CLASSES = /^(typing\.)?(Optional|Union|Annotated|Final|ClassVar|None)$/;

/** The dotted class names an annotation mentions: `Client`, `Optional[Client]`, `Client | None`, `"mod.Client"`. */
function classNames(annotation: PyNode): string[] {
  const out: string[] = [];
  walk(annotation, (n) => {
    if (n.type === 'identifier' || n.type === 'attribute') {
      if (dottedChain(n) && !NOT_CLASSES.test(n.text)) out.push(n.text);
      return false;
    }
    if (n.type === 'string') {
      for (const part of n.text.replace(/^[rbuf]*['"]+|['"]+$/gi, '').split(/[^\w.]+/)) if (part && !NOT_CLASSES.test(part)) out.push(part);
      return false;
    }
    return true;
  });
  return out;
}
