// What a call is, by its qualified name: a clock, a sleep, a logger call.
import type { Clock, SleepKind } from '../../model.js';
import { dottedChain, qualify, type ImportTable } from './imports.js';
import { field, named, unwrap, type PyNode } from './nodes.js';

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
