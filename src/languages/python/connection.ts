// Is the receiver of a receive a WebSocket connection, and of which framework?
// Decided by annotation, then provenance, then name (SPEC §3).
import { DEFAULT_CONNECTION_NAMES } from '../../config/types.js';
import type { Confidence, Framework } from '../../model.js';
import { callsIn, resolveRepoCall } from './calls.js';
import { dottedChain, qualify } from './imports.js';
import { boundNames, OTHER_WEBSOCKET_FRAMEWORKS, type Param, type PyFunction, type PyModule } from './module.js';
import { field, findInScope, kids, named, statements, unwrap, walk, type PyNode } from './nodes.js';

export interface Connection {
  framework: Framework;
  /** Why the framework completes the handshake before user code can receive, if it does. */
  guaranteed: string | null;
  confidence: Confidence;
  /** The name it was recognised by, alone, in a module that imports no WebSocket library. */
  nameOnly?: string;
  /**
   * A web framework the evidence names whose WebSocket is not Starlette's (the annotation's
   * package, else the module's imports: `falcon`, `blacksheep`): framework `unknown`, and `fix`
   * must not poll Starlette's states on it.
   */
  other?: string;
}

/** Frameworks whose receive cannot run before the handshake completes. */
const GUARANTEED: Partial<Record<Framework, string>> = {
  websockets: 'the websockets library completes the handshake before calling the handler',
  sanic: 'Sanic completes the handshake before calling the websocket handler',
  quart: "Quart's websocket receive accepts the connection itself",
  litestar: "Litestar's receive accepts the connection itself",
  'starlette-testclient': "Starlette's TestClient session is connected when websocket_connect returns",
};

type Verdict = Connection | 'not-a-connection' | null;

function connection(framework: Framework, confidence: Confidence, reason?: string | null): Connection {
  return { framework, guaranteed: reason === undefined ? (GUARANTEED[framework] ?? null) : reason, confidence };
}

/**
 * A connection the module's imports place (a route handler's parameter, `ws.accept()`, an
 * annotation `WebSocket` from elsewhere): the first framework the module imports; else
 * `unknown` — tied to another framework (`import falcon`) when the module imports one —, never
 * Starlette on no evidence.
 */
function byModule(module: PyModule, confidence: Confidence): Connection {
  const fw = module.frameworks[0];
  if (fw) return connection(fw, confidence);
  const c = connection('unknown', confidence);
  return module.otherFramework ? { ...c, other: module.otherFramework } : c;
}

/** The websockets library's connection classes (legacy protocols, asyncio/sync/sans-I/O-era connections). */
const WEBSOCKETS_CONNECTION = /\.(?:WebSocket(?:Server|Client|Common)Protocol|(?:Server|Client)?Connection)$/;

/** Classifies a type annotation's qualified names. */
function fromAnnotation(annotation: PyNode, module: PyModule): Verdict {
  const names: string[] = [];
  walk(annotation, (n) => {
    if (n.type === 'attribute' || n.type === 'identifier') {
      const q = qualify(n, module.imports);
      if (q) names.push(q);
      return false;
    }
    if (n.type === 'string') {
      // A string annotation: `"WebSocket"`.
      const text = n.text.replace(/^[rbuf]*['"]+|['"]+$/gi, '');
      for (const part of text.split(/[^\w.]+/)) if (part) names.push(module.imports.names.get(part.split('.')[0] ?? '') ? qualifyText(part, module) : part);
      return false;
    }
    return true;
  });
  const meaningful = names.filter((q) => !['typing.Optional', 'Optional', 'None', 'typing.Union', 'Union'].includes(q));
  if (meaningful.length === 0) return null;
  for (const q of meaningful) {
    if (/^(fastapi|starlette)(\.websockets)?\.WebSocket$/.test(q)) return connection(q.startsWith('fastapi') ? 'fastapi' : 'starlette', 'high');
    if (/^litestar(\.connection)?(\.websocket)?\.WebSocket$/.test(q)) return connection('litestar', 'high');
    // Connection classes only: `Sequence[Frame]`, `list[Data]` hold frames and messages.
    if (q.startsWith('websockets.')) {
      if (WEBSOCKETS_CONNECTION.test(q)) return connection('websockets', 'high');
      continue;
    }
    if (/^aiohttp\.(client_ws\.)?ClientWebSocketResponse$/.test(q)) return connection('aiohttp', 'high', CLIENT_CONNECTED);
    if (/^aiohttp\.(web\.|web_ws\.)?WebSocketResponse$/.test(q)) {
      return connection('aiohttp', 'high', 'aiohttp hands out the response after the handshake (prepare)');
    }
    if (q.startsWith('sanic.') && /Websocket/i.test(q)) return connection('sanic', 'high');
    if (q.startsWith('quart.') && /Websocket/i.test(q)) return connection('quart', 'high');
    if (/(^|\.)WebSocketTestSession$/.test(q)) return connection('starlette-testclient', 'high');
    if (/(^|\.)WebSocket$/.test(q)) {
      // `falcon.asgi.WebSocket`, `blacksheep.server.websocket.WebSocket`: another framework's.
      const top = q.split('.')[0] ?? '';
      if (q.includes('.') && OTHER_WEBSOCKET_FRAMEWORKS.has(top)) return { ...connection('unknown', 'medium', null), other: top };
      return { ...byModule(module, 'medium'), guaranteed: null };
    }
  }
  return 'not-a-connection';
}

function qualifyText(dotted: string, module: PyModule): string {
  const [head, ...rest] = dotted.split('.');
  return [module.imports.names.get(head ?? '') ?? head, ...rest].join('.');
}

const NOT_CONNECTION_FACTORIES = [
  /^anyio\./,
  /^trio\./,
  /^asyncio\.(open_connection|open_unix_connection)$/,
  /^asyncio\.(Queue|LifoQueue|PriorityQueue)$/,
  /^queue\./,
  /^multiprocessing\./,
  /^trio\.open_memory_channel$/,
  /^zmq\./,
  /^socket\./,
  /^ssl\./,
];

const CLIENT_CONNECTED = 'an aiohttp ClientWebSocketResponse is open once ws_connect returns it';

/** Client libraries whose connect returns after the opening handshake. */
const CLIENT_FACTORIES: [RegExp, string][] = [
  [/^websocket\.(create_connection|WebSocket)$/, 'websocket-client connects (handshake included) before returning'],
  [/^httpx_ws\.(connect_ws|aconnect_ws)$/, 'httpx-ws completes the handshake before yielding the session'],
];

/** Classifies the value a name was bound from: `web.WebSocketResponse()`, `websockets.connect(...)`. */
function fromFactory(value: PyNode, fn: PyFunction, name: string, at: PyNode | null = null, element: number | null = null): Verdict {
  const call = unwrap(value);
  if (call.type !== 'call') return null;
  const callee = field(call, 'function');
  if (!callee) return null;
  const q = qualify(callee, fn.module.imports) ?? '';
  const method = field(callee, 'attribute')?.text ?? callee.text;
  if (NOT_CONNECTION_FACTORIES.some((re) => re.test(q))) return 'not-a-connection';
  if (method === 'socket' || method === 'Queue') return 'not-a-connection';
  // A factory's connection is its whole value, not an element of a tuple unpacked from it.
  const whole = element === null;
  for (const [re, reason] of CLIENT_FACTORIES) if (whole && re.test(q)) return connection('unknown', 'high', reason);
  // Before the TestClient's method name: `from websockets.asyncio.client import connect as websocket_connect` (pipecat).
  if (whole && /^websockets(\..+)?\.connect$/.test(q)) return connection('websockets', 'high', 'websockets.connect returns after the opening handshake');
  if (whole && method === 'websocket_connect') return connection('starlette-testclient', 'high');
  if (whole && method === 'ws_connect') return connection('aiohttp', 'high', 'aiohttp ws_connect returns after the opening handshake');
  // `await asyncio.wait_for(session.ws_connect(url), timeout=5)`: what the awaited call returns.
  if (q === 'asyncio.wait_for' || q === 'asyncio.shield') {
    const inner = named(field(call, 'arguments') ?? call)[0];
    return inner && inner.type !== 'keyword_argument' ? fromFactory(inner, fn, name, at, element) : null;
  }
  // `ws = await self._acquire()` / `await backend.acquire()` (a module class's method, by the
  // object's annotation or construction) where the getter is annotated
  // `-> aiohttp.ClientWebSocketResponse`; `ws, cfg = …` with `-> tuple[ClientWebSocketResponse, …]`:
  // the tuple's element at the name's position.
  const getter = functionRef(callee, fn) ?? resolveRepoCall(call, fn, null);
  const returns = getter ? field(getter.node, 'return_type') : null;
  const part = returns ? returnPart(returns, element) : null;
  const declared = part ? fromAnnotation(part, getter?.module ?? fn.module) : null;
  if (declared && declared !== 'not-a-connection') return declared;
  if (element !== null) return null;
  if (/^aiohttp\.(web\.)?WebSocketResponse$/.test(q)) {
    const isPrepare = prepareOf([name]);
    // SPEC: the handshake is complete only after `await ws.prepare(request)` — one that runs
    // before the receive on every path when the receive is known, else one anywhere in the function.
    const prepared = at ? precededBy(at, fn.node, (st) => runsCall(st, isPrepare)) : findInScope(fn.node, new Set(['call'])).some(isPrepare);
    return prepared ? preparedAiohttp(name) : connection('aiohttp', 'high', null);
  }
  return null;
}

/**
 * The part of a return annotation a binding gets: the whole annotation for a plain name
 * (`element` null), the element at `element` of a `tuple[A, B]` / `Tuple[A, B]` for a name in a
 * tuple pattern (none for `tuple[A, ...]` or anything else).
 */
function returnPart(returns: PyNode, element: number | null): PyNode | null {
  const isTuple = returns.type === 'generic_type' || returns.type === 'subscript' || returns.type === 'type';
  if (element === null) return returns;
  const t = returns.type === 'type' ? named(returns)[0] : returns;
  if (!isTuple || !t) return null;
  const head = t.type === 'subscript' ? field(t, 'value') : named(t)[0];
  if (!head || !/^(typing\.)?(tuple|Tuple)$/.test(head.text)) return null;
  const args = t.type === 'subscript' ? named(t).slice(1) : named(named(t)[1] ?? t);
  const items = args.map((a) => (a.type === 'type' ? (named(a)[0] ?? a) : a));
  if (items.some((a) => a.type === 'ellipsis')) return null;
  return items[element] ?? null;
}

/** A test for `<one of names>.prepare(…)`. */
function prepareOf(names: readonly string[]): (call: PyNode) => boolean {
  return (c) => {
    const f = field(c, 'function');
    return f?.type === 'attribute' && field(f, 'attribute')?.text === 'prepare' && names.includes(field(f, 'object')?.text ?? '');
  };
}

function preparedAiohttp(name: string): Connection {
  return connection('aiohttp', 'high', `aiohttp completes the handshake in \`await ${name}.prepare(request)\``);
}

/**
 * Whether a statement makes a call that passes the test whenever it completes: in its expression
 * (`await ws.prepare(r)`, `x = await asyncio.wait_for(ws.prepare(r), 5)`), or in the body of a
 * `try`/`with` it is (`try: await ws.prepare(r)` / `except …: return`).
 */
function runsCall(st: PyNode, test: (call: PyNode) => boolean): boolean {
  if (st.type === 'expression_statement') return callsIn(st).some(test);
  if (st.type === 'try_statement' || st.type === 'with_statement') return statements(field(st, 'body')).some((s) => runsCall(s, test));
  return false;
}

/**
 * Whether a statement satisfying the test runs before the node on every path: a preceding
 * statement of a block that holds the node, at any level up to the scope (nested defs included:
 * a closure runs after the statements before its definition).
 */
function precededBy(node: PyNode, scope: PyNode, test: (statement: PyNode) => boolean): boolean {
  for (let child = node, n = node.parent; n && child.id !== scope.id; child = n, n = n.parent) {
    if (n.type !== 'block' && n.type !== 'module') continue;
    for (const st of named(n)) {
      if (st.startIndex >= child.startIndex) break;
      if (test(st)) return true;
    }
  }
  return false;
}

/** Where a local name came from in a function: parameter, assignment or with-item. */
function provenance(name: string, fn: PyFunction, depth = 0, at: PyNode | null = null): Verdict {
  const param = fn.params.find((p) => p.name === name);
  if (param) {
    if (param.annotation) {
      const v = fromAnnotation(param.annotation, fn.module);
      if (v) return v;
    }
    if (isRouteHandler(fn)) return byModule(fn.module, 'high');
    return depth < 4 ? fromCallSites(param, fn, depth) : null;
  }
  for (const n of findInScope(fn.node, new Set(['assignment', 'with_item']))) {
    if (n.type === 'assignment') {
      const left = field(n, 'left');
      const right = field(n, 'right');
      if (!left || !right) continue;
      if (left.type === 'identifier' && left.text === name) {
        const ann = field(n, 'type');
        if (ann) {
          const v = fromAnnotation(ann, fn.module);
          if (v) return v;
        }
        const v = fromFactory(right, fn, name, at);
        if (v) return v;
        // An alias: `peer = websocket` is the same connection.
        const value = unwrap(right);
        if (value.type === 'identifier' && value.text !== name && depth < 4) {
          const aliased = provenance(value.text, fn, depth + 1, at);
          if (aliased) return aliased;
        }
        // `wsock = self.wsock` (Home Assistant's shape): the attribute's connection.
        if (value.type === 'attribute' && field(value, 'object')?.text === 'self') {
          const aliased = attributeProvenance(field(value, 'attribute')?.text ?? '', fn, at, [name]);
          if (aliased) return aliased;
        }
      } else if ((left.type === 'pattern_list' || left.type === 'tuple_pattern') && named(left).some((c) => c.text === name)) {
        const v = fromFactory(right, fn, name, at, named(left).findIndex((c) => c.text === name));
        if (v) return v;
        // `conn, addr = server.accept()`: a TCP socket (a WebSocket's accept() returns None).
        const call = unwrap(right);
        if (call.type === 'call' && field(field(call, 'function') ?? call, 'attribute')?.text === 'accept') return 'not-a-connection';
      }
    } else {
      const value = field(n, 'value');
      if (value?.type === 'as_pattern') {
        const target = field(value, 'alias');
        const expr = named(value)[0];
        if (target && expr && target.text === name) {
          const v = fromFactory(expr, fn, name, at);
          if (v) return v;
        }
      }
    }
  }
  // A name the function binds itself is its own local (Python's scoping): the enclosing
  // function's binding of the same name is another variable, unless declared nonlocal/global.
  if (!fn.parent || (bindsLocally(name, fn) && !declaresOuter(name, fn))) return null;
  return provenance(name, fn.parent, depth, at);
}

const localNames = new WeakMap<PyFunction, Set<string>>();

function bindsLocally(name: string, fn: PyFunction): boolean {
  let names = localNames.get(fn);
  if (!names) localNames.set(fn, (names = boundNames(fn.node, fn.params)));
  return names.has(name);
}

/** `nonlocal name` / `global name` in the function itself (not in a nested scope). */
function declaresOuter(name: string, fn: PyFunction): boolean {
  let found = false;
  walk(fn.node, (n) => {
    if (found) return false;
    if (n.id !== fn.node.id && (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda')) return false;
    if (n.type === 'nonlocal_statement' || n.type === 'global_statement') found = named(n).some((c) => c.type === 'identifier' && c.text === name);
    return !found;
  });
  return found;
}

/** A call in the module that hands arguments to one of its functions. */
interface CallSite {
  caller: PyFunction;
  /** Positional arguments from the function's first parameter (after `self`). */
  positional: PyNode[];
  keywords: Map<string, PyNode>;
  /** Handed to a stream server (`listener.serve(handler)`): its parameters are byte streams. */
  stream: boolean;
}

/** Calls that run a function they are given with the arguments that follow it. */
const SPAWNS = new Set([
  'start_soon', 'start', 'run_sync', 'to_thread', 'run_in_threadpool', 'partial', 'submit', 'call_soon',
  'call_soon_threadsafe', 'run_in_executor', 'spawn',
]);
/** Stream servers: the function they are given is called with a TCP/Unix stream (SPEC §3: not a connection). */
const STREAM_SERVERS = /^(trio\.serve_(tcp|ssl_over_tcp|listeners)|asyncio\.start_(unix_)?server|anyio\.(streams\.)?.*serve.*)$/;

const callSiteCache = new WeakMap<PyModule, Map<PyFunction, CallSite[]>>();

/** The module function an expression names: `handler`, a closure, `self._pump`. */
function functionRef(expr: PyNode, caller: PyFunction): PyFunction | null {
  const module = caller.module;
  if (expr.type === 'identifier') {
    for (let scope: PyFunction | null = caller; scope; scope = scope.parent) {
      const nested = module.functions.find((f) => f.parent === scope && f.name === expr.text && !f.classNode);
      if (nested) return nested;
    }
    return module.byName.get(expr.text) ?? null;
  }
  const chain = expr.type === 'attribute' ? dottedChain(expr) : null;
  // `self` in a closure is the enclosing method's.
  let method: PyFunction | null = caller;
  while (method && !method.classNode) method = method.parent;
  const cls = method?.classNode;
  if (chain?.length === 2 && (chain[0] === 'self' || chain[0] === 'cls') && cls) {
    return module.functions.find((f) => f.classNode?.id === cls.id && f.name === chain[1]) ?? null;
  }
  return null;
}

function callSites(module: PyModule): Map<PyFunction, CallSite[]> {
  let sites = callSiteCache.get(module);
  if (sites) return sites;
  const built = new Map<PyFunction, CallSite[]>();
  callSiteCache.set(module, built);
  const names = new Set(module.functions.map((f) => f.name));
  const add = (target: PyFunction, site: CallSite) => {
    let list = built.get(target);
    if (!list) built.set(target, (list = []));
    list.push(site);
  };
  for (const caller of [module.top, ...module.functions]) {
    for (const call of findInScope(caller.node, new Set(['call']))) {
      const callee = field(call, 'function');
      const chain = callee ? dottedChain(callee) : null;
      const last = chain?.[chain.length - 1] ?? '';
      const args = named(field(call, 'arguments') ?? call);
      const positional = args.filter((a) => a.type !== 'keyword_argument');
      const keywords = new Map<string, PyNode>();
      for (const a of args) {
        const k = a.type === 'keyword_argument' ? field(a, 'name')?.text : null;
        const v = a.type === 'keyword_argument' ? field(a, 'value') : null;
        if (k && v) keywords.set(k, v);
      }
      if (!callee || !chain) continue;
      if (names.has(last)) {
        const target = functionRef(callee, caller);
        if (target) add(target, { caller, positional, keywords, stream: false });
      }
      const q = qualify(callee, module.imports) ?? '';
      const served = STREAM_SERVERS.test(q) || (last === 'serve' && chain.length > 1 && objectIsNotConnection(field(callee, 'object'), caller));
      if (SPAWNS.has(last) || served) {
        const at = positional.findIndex((a) => a.type !== 'list_splat' && functionRef(a, caller) !== null);
        const ref = positional[at];
        const target = ref ? functionRef(ref, caller) : null;
        if (target) add(target, { caller, positional: served ? [] : positional.slice(at + 1), keywords: new Map(), stream: served });
      }
      // `threading.Thread(target=f, args=(ws,))`
      const target = keywords.get('target');
      const fn = target ? functionRef(target, caller) : null;
      const tuple = keywords.get('args');
      if (fn && tuple && (tuple.type === 'tuple' || tuple.type === 'list')) add(fn, { caller, positional: named(tuple), keywords: new Map(), stream: false });
    }
  }
  return built;
}

function objectIsNotConnection(obj: PyNode | null, fn: PyFunction): boolean {
  return obj?.type === 'identifier' && provenance(obj.text, fn, 4) === 'not-a-connection';
}

const RISK: Record<string, number> = { connection: 2, guaranteed: 1 };

/**
 * A parameter's connection from the arguments the module's calls pass it (`tg.start_soon(self._pump,
 * websocket)`, `await relay(websocket, upstream)`): the riskiest connection any call passes (a
 * connection whose handshake user code completes over one the framework completes), at most
 * medium confidence (other modules may call it too); not a connection only when every call
 * passes something that is not one (a stream server's handler gets byte streams).
 */
function fromCallSites(param: Param, fn: PyFunction, depth: number): Verdict {
  if (param.kind !== 'positional') return null;
  const sites = callSites(fn.module).get(fn) ?? [];
  if (sites.length === 0) return null;
  const offset = fn.classNode && ['self', 'cls'].includes(fn.params[0]?.name ?? '') && !isStaticMethod(fn) ? 1 : 0;
  let best: Connection | null = null;
  let notConnection = 0;
  for (const site of sites) {
    if (site.stream) {
      notConnection++;
      continue;
    }
    const at = param.index - offset;
    // After a `*args` the positions are unknown.
    const known = !site.positional.slice(0, at + 1).some((a) => a.type === 'list_splat');
    const arg = site.keywords.get(param.name) ?? (known ? site.positional[at] : undefined);
    const v = arg ? fromArgument(unwrap(arg), site.caller, depth + 1) : null;
    if (v === 'not-a-connection') notConnection++;
    else if (v && (!best || RISK[v.guaranteed ? 'guaranteed' : 'connection'] > RISK[best.guaranteed ? 'guaranteed' : 'connection'])) best = v;
  }
  if (best) return { ...best, confidence: best.confidence === 'high' ? 'medium' : best.confidence };
  return notConnection === sites.length ? 'not-a-connection' : null;
}

function isStaticMethod(fn: PyFunction): boolean {
  return fn.decorators.some((d) => /^@\s*staticmethod\b/.test(d.text));
}

/** What an argument passed at a call site is, in the caller. */
function fromArgument(arg: PyNode, caller: PyFunction, depth: number): Verdict {
  if (arg.type === 'identifier') {
    const v = provenance(arg.text, caller, depth, arg);
    if (v) return v;
    return acceptsHere(arg.text, caller) ? byModule(caller.module, 'high') : null;
  }
  if (arg.type === 'attribute' && field(arg, 'object')?.text === 'self') return attributeProvenance(field(arg, 'attribute')?.text ?? '', caller, arg);
  return null;
}

/**
 * `self.ws` in a method: the class annotation or the `__init__` parameter it was set from. An
 * aiohttp `WebSocketResponse` made in one method and prepared in another (`await
 * self.wsock.prepare(request)`, or through a local alias) is prepared where `await …prepare(…)`
 * precedes `at` on every path in `fn`.
 */
function attributeProvenance(attr: string, fn: PyFunction, at: PyNode | null = null, aliases: readonly string[] = []): Verdict {
  const verdict = attributeVerdict(attr, fn);
  if (at && verdict && verdict !== 'not-a-connection' && verdict.framework === 'aiohttp' && verdict.guaranteed === null) {
    let outer = fn;
    while (outer.parent) outer = outer.parent;
    for (const name of [`self.${attr}`, ...aliases]) {
      const isPrepare = prepareOf([name]);
      if (precededBy(at, outer.node, (st) => runsCall(st, isPrepare))) return preparedAiohttp(name);
    }
  }
  return verdict;
}

/** `Class.attr` whose assignments `attributeVerdict` is reading (a cycle through a local alias). */
const visitingAttributes = new Set<string>();

function attributeVerdict(attr: string, fn: PyFunction): Verdict {
  const cls = fn.classNode;
  if (!cls) return null;
  const key = `${fn.module.absPath}:${cls.startIndex}:${attr}`;
  const body = field(cls, 'body');
  if (!body) return null;
  let verdict: Verdict = null;
  walk(body, (n) => {
    if (verdict) return false;
    if (n.type === 'assignment') {
      const left = field(n, 'left');
      const ann = field(n, 'type');
      const isTarget =
        (left?.type === 'identifier' && left.text === attr) ||
        (left?.type === 'attribute' && field(left, 'attribute')?.text === attr && field(left, 'object')?.text === 'self');
      if (!isTarget) return true;
      if (ann) verdict = fromAnnotation(ann, fn.module);
      const right = field(n, 'right');
      if (!verdict && right && unwrap(right).type === 'call') {
        const method = fn.module.functions.find((f) => f.node.startIndex <= n.startIndex && n.endIndex <= f.node.endIndex && f.classNode?.id === cls.id);
        const v = fromFactory(right, method ?? fn, `self.${attr}`);
        if (v) verdict = v;
      }
      if (!verdict && right?.type === 'identifier') {
        const method = fn.module.functions.find((f) => f.node.startIndex <= n.startIndex && n.endIndex <= f.node.endIndex && f.classNode?.id === cls.id);
        const p = method?.params.find((x) => x.name === right.text);
        if (p?.annotation) verdict = fromAnnotation(p.annotation, fn.module);
        // `async with session.ws_connect(url) as websocket: self._ws = websocket`: where the local
        // came from (at the deepest level: no call sites, no alias chains; `x = self.a` … `self.a = x`
        // in one method must not loop).
        else if (method && !p && !visitingAttributes.has(key)) {
          visitingAttributes.add(key);
          try {
            verdict = provenance(right.text, method, 4, n);
          } finally {
            visitingAttributes.delete(key);
          }
        }
      }
    }
    return true;
  });
  return verdict;
}

/**
 * `entry.ws` where `entry: Entry` and the module's class `Entry` annotates `ws: T` in its body
 * (a dataclass field): what `T` says.
 */
function memberVerdict(member: PyNode, fn: PyFunction): Verdict {
  const obj = field(member, 'object');
  const attr = field(member, 'attribute')?.text;
  const annotation = obj?.type === 'identifier' ? fn.params.find((p) => p.name === obj.text)?.annotation : null;
  if (!annotation || !attr) return null;
  const names = new Set<string>();
  walk(annotation, (n) => {
    if (n.type === 'identifier') names.add(n.text);
    return n.type !== 'attribute';
  });
  for (const st of statements(fn.module.root)) {
    const cls = st.type === 'decorated_definition' ? field(st, 'definition') : st;
    if (cls?.type !== 'class_definition' || !names.has(field(cls, 'name')?.text ?? '')) continue;
    for (const item of statements(field(cls, 'body'))) {
      const a = item.type === 'expression_statement' ? named(item)[0] : null;
      const type = a?.type === 'assignment' && field(a, 'left')?.text === attr ? field(a, 'type') : null;
      if (type) return fromAnnotation(type, fn.module);
    }
  }
  return null;
}

const ROUTE_DECORATORS = new Set(['websocket', 'websocket_route', 'ws', 'websocket_listener']);

export function isRouteHandler(fn: PyFunction): boolean {
  return fn.decorators.some((d) => {
    const expr = named(d)[0];
    if (!expr) return false;
    const callee = expr.type === 'call' ? field(expr, 'function') : expr;
    const chain = callee ? dottedChain(callee) : null;
    return chain !== null && ROUTE_DECORATORS.has(chain[chain.length - 1] ?? '');
  });
}

/** Whether `name.accept()` is called in the function: a Starlette-style connection. */
function acceptsHere(name: string, fn: PyFunction): boolean {
  return findInScope(fn.node, new Set(['call'])).some((c) => {
    const f = field(c, 'function');
    return f?.type === 'attribute' && field(f, 'attribute')?.text === 'accept' && field(f, 'object')?.text === name;
  });
}

function byName(text: string, fn: PyFunction, names: readonly string[]): Connection | null {
  const last = (text.split('.').pop() ?? text).replace(/^_+/, '').toLowerCase();
  if (!names.includes(last)) return null;
  const fw = fn.module.frameworks[0] ?? 'unknown';
  if (fw === 'aiohttp') return connection('aiohttp', 'low', null);
  if (fw !== 'unknown') return connection(fw, 'medium');
  const other = fn.module.otherFramework;
  return other ? { ...connection(fw, 'low'), nameOnly: last, other } : { ...connection(fw, 'low'), nameOnly: last };
}

/** Receive methods only a WebSocket has (a channel, stream or queue has `receive`/`recv`, not these). */
const WEBSOCKET_ONLY_RECEIVES = /^(receive|iter)_(text|bytes|json|str)$/;
/** Names that say WebSocket, not just connection or socket. */
const WEBSOCKET_NAME = /(^|_)(ws|websocket|web_socket)(_|$)/i;
const GENERIC_DEFAULT_NAMES = new Set(DEFAULT_CONNECTION_NAMES.filter((n) => !WEBSOCKET_NAME.test(n)));

/**
 * SPEC §3: a receive on a channel or a stream is not a message loop. In a module that imports no
 * WebSocket library, a receiver known by a generic name only (`conn`, `socket`, `connection`)
 * is a WebSocket when the method is one only WebSockets have (`receive_text`), or the name is
 * configured (beyond the defaults); `self.conn.receive()` on a trio channel is not one.
 */
export function nameIsEvidence(name: string, method: string): boolean {
  return WEBSOCKET_ONLY_RECEIVES.test(method) || WEBSOCKET_NAME.test(name) || !GENERIC_DEFAULT_NAMES.has(name);
}

/**
 * Classifies the receiver of a receive call. Returns null when it is not a connection
 * (a stream, a queue, an unknown object).
 */
export function classifyConnection(
  receiver: PyNode,
  fn: PyFunction,
  connectionNames: readonly string[],
  resolve?: (call: PyNode) => PyFunction | null,
): Connection | null {
  const r = unwrap(receiver);
  const module = fn.module;
  const q = qualify(r, module.imports) ?? '';
  if (q === 'quart.websocket') return connection('quart', 'high');
  let verdict: Verdict = null;
  if (r.type === 'identifier') {
    verdict = provenance(r.text, fn, 0, r);
    if (!verdict && acceptsHere(r.text, fn)) verdict = byModule(module, 'high');
  } else if (r.type === 'attribute' && field(r, 'object')?.text === 'self') {
    verdict = attributeProvenance(field(r, 'attribute')?.text ?? '', fn, r);
  } else if (r.type === 'attribute') {
    verdict = memberVerdict(r, fn);
  } else if (r.type === 'call') {
    verdict = fromGetter(r, fn, connectionNames, resolve);
  } else if (r.type === 'subscript') {
    return fromContainer(r, fn, connectionNames);
  }
  if (verdict === 'not-a-connection') return null;
  if (verdict) return verdict;
  if (r.type !== 'identifier' && r.type !== 'attribute') return null;
  const named = byName(r.text, fn, connectionNames);
  // A synchronous test function of a module that uses Starlette's TestClient.
  if (named && !fn.isAsync && [...module.imports.modules].some((m) => m === 'starlette.testclient' || m === 'fastapi.testclient')) {
    return connection('starlette-testclient', 'medium');
  }
  return named;
}

/** `self.rooms[room_id].receive_text()`: the container's annotation, else its (plural) name. */
function fromContainer(sub: PyNode, fn: PyFunction, names: readonly string[]): Connection | null {
  const container = field(sub, 'value');
  if (!container) return null;
  let verdict: Verdict = null;
  if (container.type === 'identifier') verdict = provenance(container.text, fn);
  else if (container.type === 'attribute' && field(container, 'object')?.text === 'self') verdict = attributeProvenance(field(container, 'attribute')?.text ?? '', fn);
  if (verdict === 'not-a-connection') return null;
  if (verdict) return verdict;
  const last = (container.text.split('.').pop() ?? '').replace(/^_+/, '').toLowerCase();
  const singular = last.replace(/(?:^active_)?(.*?)s$/, '$1');
  return names.includes(singular) ? byName(singular, fn, names) : null;
}

/** `self._get_websocket().receive_text()`: the getter's return annotation, else its name. */
function fromGetter(call: PyNode, fn: PyFunction, names: readonly string[], resolve?: (call: PyNode) => PyFunction | null): Verdict {
  const target = resolve?.(call) ?? null;
  const returns = target ? field(target.node, 'return_type') : null;
  if (returns) {
    const v = fromAnnotation(returns, target?.module ?? fn.module);
    if (v) return v;
  }
  const callee = field(call, 'function');
  const last = (callee?.text.split('.').pop() ?? '').replace(/^_*(get_)?_*/, '');
  return names.includes(last.toLowerCase()) ? byName(last, fn, names) : null;
}

/** Receive methods per framework, beyond the Starlette set and the configured ones. */
export const FRAMEWORK_RECEIVES: Partial<Record<Framework, readonly string[]>> = {
  websockets: ['recv'],
  aiohttp: ['receive', 'receive_str', 'receive_bytes', 'receive_json'],
  sanic: ['recv', 'receive'],
  quart: ['receive', 'receive_json'],
  litestar: ['receive_data', 'receive_text', 'receive_bytes', 'receive_json', 'receive_msgpack', 'iter_data', 'iter_json', 'iter_msgpack'],
};

/** Connections iterated directly (`async for msg in websocket`) receive. */
export const ITERABLE_CONNECTIONS = new Set<Framework>(['websockets', 'aiohttp', 'sanic']);

export function isAsyncKeyword(node: PyNode): boolean {
  return kids(node).some((c) => c.type === 'async');
}
