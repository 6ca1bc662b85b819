// Which expressions are WebSocket connections, and whether they may still be CONNECTING
// (SPEC §3b): client sockets made with `new WebSocket(…)` (ws, isomorphic-ws, undici, the
// DOM/Deno/Bun global) or typed as one may be; sockets a server framework hands over are open.
import type { Framework } from '../../model.js';
import type { TsNode } from './compiler.js';
import { ancestor, bareExpression, calledFunction, descendants, isFunctionLike, promiseParamUses, returnedExpressions, throughReexports, type TsModule } from './module.js';
import { openAt } from './cf-accept.js';
import { collectionOf, openCollectionElement, throughSubsets } from './collections.js';

/** Modules whose WebSocket class makes client sockets. */
const CLIENT_MODULES = new Set(['ws', 'isomorphic-ws', 'undici', 'isomorphic-ws/browser', 'partysocket', 'reconnecting-websocket']);
/** Modules whose sockets are EventEmitters (`events.once` rejects on 'error'). */
const EMITTER_MODULES = new Set(['ws', 'isomorphic-ws']);

/** The `framework` a client module's sockets report (the wrappers around the global stay `unknown`). */
const MODULE_FRAMEWORKS: Readonly<Record<string, Framework>> = {
  ws: 'ws',
  'isomorphic-ws': 'isomorphic-ws',
  'isomorphic-ws/browser': 'isomorphic-ws',
  undici: 'undici',
};

function frameworkOfModule(module: string): Framework {
  return MODULE_FRAMEWORKS[module] ?? 'unknown';
}

const globalFrameworks = new WeakMap<TsModule, Framework>();

/**
 * The global `WebSocket` (and WebSocketStream) is the WHATWG one: `dom` in browsers and Node ≥ 22;
 * a file that uses Deno's, Bun's or Cloudflare Workers' own API runs there, and says so.
 */
export function globalFramework(m: TsModule): Framework {
  // Asked for every global socket of a file: the text is searched once per file.
  let f = globalFrameworks.get(m);
  if (f === undefined) {
    f = /\bDeno\.[A-Za-z]/.test(m.source) ? 'deno' : /\bBun\.[A-Za-z]/.test(m.source) ? 'bun' : /\bWebSocketPair\b|['"]cloudflare:workers['"]/.test(m.source) ? 'cloudflare' : 'dom';
    globalFrameworks.set(m, f);
  }
  return f;
}

/** A server's sockets (`'connection'` callbacks, `clients`): the ws flavour the file imports, if any. */
function serverFramework(m: TsModule): Framework {
  for (const imp of m.imports.values()) if (imp.module === 'ws' || imp.module === 'isomorphic-ws') return frameworkOfModule(imp.module);
  return 'unknown';
}

export type SocketKind =
  /** May be CONNECTING: a client socket, or Deno's upgraded socket before the response is returned. */
  | 'client'
  /** Open by construction: a server framework hands it over. */
  | 'framework'
  /** The server end of a Cloudflare WebSocketPair (accept() is HG012's concern). */
  | 'cf-server';

export interface SocketInfo {
  kind: SocketKind;
  /** The node that makes the socket what it is (its declaration, or the callback). */
  origin: TsNode;
  reason: string;
  /** Node `ws` sockets are EventEmitters: `events.once(ws, 'open')` rejects when the handshake fails. */
  emitter: boolean;
  /** Known from a type annotation or an import, not only from a name. */
  typed: boolean;
  /** The library or runtime the socket comes from (`unknown` when the file does not say). */
  framework: Framework;
  /** Placed only by its name (config `connectionNames`): reported at low confidence. */
  byName?: boolean;
}

/** The class a `new X(…)` makes, when it is a WebSocket-ish class. */
export function constructed(m: TsModule, expr: TsNode): { cls: 'client' | 'server' | 'pair' | 'stream'; emitter: boolean; framework: Framework } | null {
  const ts = m.ts;
  let e = expr;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isAwaitExpression(e)) e = e.expression;
  if (!ts.isNewExpression(e)) return null;
  const callee = e.expression;
  if (ts.isIdentifier(callee)) {
    const name = callee.text;
    const imp = m.imports.get(name);
    if (imp) {
      if (!CLIENT_MODULES.has(imp.module)) return null;
      const framework = frameworkOfModule(imp.module);
      if (imp.imported === 'WebSocketServer' || imp.imported === 'Server') return { cls: 'server', emitter: true, framework };
      if (['default', '*', 'WebSocket'].includes(imp.imported)) return { cls: 'client', emitter: EMITTER_MODULES.has(imp.module), framework };
      return null;
    }
    if (m.declarations.has(name)) return null; // a local class of that name
    if (name === 'WebSocket') return { cls: 'client', emitter: false, framework: globalFramework(m) };
    if (name === 'WebSocketPair') return { cls: 'pair', emitter: false, framework: 'cloudflare' };
    if (name === 'WebSocketStream') return { cls: 'stream', emitter: false, framework: globalFramework(m) };
    return null;
  }
  // `new WebSocket.Server(…)`, `new WebSocket.WebSocketServer(…)`
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)) {
    const imp = m.imports.get(callee.expression.text);
    const framework = imp ? frameworkOfModule(imp.module) : 'unknown';
    if (imp && EMITTER_MODULES.has(imp.module) && ['Server', 'WebSocketServer'].includes(callee.name.text)) return { cls: 'server', emitter: true, framework };
    if (imp && CLIENT_MODULES.has(imp.module) && callee.name.text === 'WebSocket') return { cls: 'client', emitter: EMITTER_MODULES.has(imp.module), framework };
  }
  return null;
}

/** Whether a type annotation names a client WebSocket (`WebSocket`, `WebSocket | null`, `import('ws').WebSocket`). */
function typedClient(m: TsModule, type: TsNode | undefined): { emitter: boolean; framework: Framework } | null {
  if (!type) return null;
  const t = m.text(type);
  const match = /(?:^|[\s|(<])(?:([A-Za-z_$][\w$]*)\.)?(WebSocket|WS)(?![\w$])/.exec(t);
  if (!match || /WebSocketServer|WebSocketPair|WebSocketStream/.test(t)) return null;
  const qualifier = match[1];
  const name = qualifier ?? (match[2] as string);
  const imp = m.imports.get(name);
  if (imp) return CLIENT_MODULES.has(imp.module) ? { emitter: EMITTER_MODULES.has(imp.module), framework: frameworkOfModule(imp.module) } : null;
  const imported = /import\(['"](ws|isomorphic-ws)['"]\)/.exec(t);
  if (imported) return { emitter: true, framework: frameworkOfModule(imported[1] as string) };
  return match[2] === 'WebSocket' && !declaresType(m, 'WebSocket') ? { emitter: false, framework: globalFramework(m) } : null;
}

/**
 * Whether the file declares a type of this name. Types and values live apart: a variable or a
 * destructured option named `WebSocket` (reconnecting-websocket's `{ WebSocket = … } = options`)
 * leaves the global type in annotations alone; a class, interface, type alias or enum does not.
 */
function declaresType(m: TsModule, name: string): boolean {
  const ts = m.ts;
  return (m.declarations.get(name) ?? []).some((d) => ts.isClassDeclaration(d) || ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d) || ts.isEnumDeclaration(d));
}

/** The callee's method name and receiver of a call such as `wss.on('connection', fn)`. */
function methodCall(m: TsModule, call: TsNode): { receiver: TsNode; method: string } | null {
  const ts = m.ts;
  if (!ts.isCallExpression(call)) return null;
  const callee = call.expression;
  if (ts.isPropertyAccessExpression(callee)) return { receiver: callee.expression, method: callee.name.text };
  return null;
}

function stringArg(m: TsModule, call: TsNode, i: number): string | null {
  const ts = m.ts;
  if (!ts.isCallExpression(call)) return null;
  const a = call.arguments[i];
  return a && (ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a)) ? a.text : null;
}

/** Why a function passed as `arg` to this call gets framework-guaranteed sockets, if it does. */
function serverCallbackRole(m: TsModule, call: TsNode, arg: TsNode): string | null {
  const ts = m.ts;
  const mc = methodCall(m, call);
  if (!mc || !ts.isCallExpression(call)) return null;
  if (['on', 'once', 'addListener'].includes(mc.method) && stringArg(m, call, 0) === 'connection' && call.arguments.includes(arg as never)) return "a ws server's 'connection' callback";
  if (mc.method === 'handleUpgrade' && call.arguments[3] === arg) return "a ws server's handleUpgrade callback";
  if (mc.method === 'forEach' && isServerClients(m, mc.receiver, 0) && call.arguments.includes(arg as never)) return "a ws server's clients";
  if (mc.method === 'forEach' && isAcceptedSet(m, mc.receiver, 0) && call.arguments.includes(arg as never)) return DURABLE_OBJECT_SOCKETS;
  return null;
}

/**
 * `wss.clients` — a ws server's sockets, open by construction —, through a cast
 * (`this.server.clients as Set<WebSocketWithIsAlive>`, automerge-repo) or a name bound to it
 * (`const clients = this.server.clients`).
 */
export function isServerClients(m: TsModule, e: TsNode, depth: number): boolean {
  const ts = m.ts;
  const x = bareExpression(ts, e);
  if (ts.isPropertyAccessExpression(x)) return x.name.text === 'clients';
  if (!ts.isIdentifier(x) || depth > 2) return false;
  const init = m.initializerOf(x);
  return init !== null && isServerClients(m, init, depth + 1);
}

const DURABLE_OBJECT_SOCKETS = "a Durable Object's accepted sockets (ctx.getWebSockets())";

/**
 * Cloudflare Durable Objects: `state.getWebSockets()` lists the sockets the object accepted
 * (`acceptWebSocket`), open by construction — directly or through a name bound to the list.
 */
function isAcceptedSet(m: TsModule, e: TsNode, depth: number): boolean {
  const ts = m.ts;
  const x = bareExpression(ts, e);
  if (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression) && x.expression.name.text === 'getWebSockets') return true;
  if (ts.isConditionalExpression(x)) return depth <= 2 && isAcceptedSet(m, x.whenTrue, depth + 1) && isAcceptedSet(m, x.whenFalse, depth + 1);
  // A helper of this file (`this.#getwebsockets()`, crossws) whose every return is such a set.
  const helper = ts.isCallExpression(x) && depth <= 2 ? calledFunction(m, x) : null;
  const body = helper ? (helper.fn as { body?: TsNode }).body : undefined;
  if (body) {
    const returned = returnedExpressions(ts, body);
    return returned.length > 0 && returned.every((r) => r !== undefined && isAcceptedSet(m, r, depth + 1));
  }
  if (!ts.isIdentifier(x) || depth > 2) return false;
  const init = m.initializerOf(x);
  return init !== null && isAcceptedSet(m, init, depth + 1);
}

const namedRoles = new WeakMap<TsModule, Map<TsNode, string>>();

/** `wss.on('connection', onConnection)` with `function onConnection(ws) {…}` elsewhere in the file. */
function namedCallbackRole(m: TsModule, fn: TsNode): string | null {
  const ts = m.ts;
  const holder = fn.parent && (ts.isVariableDeclaration(fn.parent) || ts.isPropertyDeclaration(fn.parent)) && fn.parent.initializer === fn ? fn.parent : null;
  const decl = ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn) ? fn : holder;
  if (!decl) return null;
  let roles = namedRoles.get(m);
  if (!roles) {
    const found = new Map<TsNode, string>();
    for (const n of descendants(ts, m.sf, true)) {
      if (!ts.isCallExpression(n)) continue;
      for (const a of n.arguments) {
        const role = serverCallbackRole(m, n, a);
        const d = role ? namedFunction(m, a) : null;
        if (role && d) found.set(d, role);
      }
    }
    roles = found;
    namedRoles.set(m, roles);
  }
  return roles.get(decl) ?? null;
}

/**
 * The declaration a callback argument names: `onConnection` (a function or a variable), a member
 * of the class around the call — `this.onConnection` (a method or an arrow-function field, as
 * zigbee2mqtt registers its `@bind` method) —, either one `.bind(…)`.
 */
function namedFunction(m: TsModule, arg: TsNode): TsNode | null {
  const ts = m.ts;
  let x = bareExpression(ts, arg);
  if (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression) && x.expression.name.text === 'bind') x = bareExpression(ts, x.expression.expression);
  if (ts.isIdentifier(x)) return m.declarationOf(x.text, x);
  if (!ts.isPropertyAccessExpression(x) || x.expression.kind !== ts.SyntaxKind.ThisKeyword) return null;
  const cls = ancestor(x, (n) => ts.isClassDeclaration(n) || ts.isClassExpression(n));
  if (!cls || !(ts.isClassDeclaration(cls) || ts.isClassExpression(cls))) return null;
  const name = x.name.text;
  for (const member of cls.members) {
    const named = member.name && (ts.isIdentifier(member.name) || ts.isPrivateIdentifier(member.name)) && member.name.text === name;
    if (named && (ts.isMethodDeclaration(member) || (ts.isPropertyDeclaration(member) && member.initializer && isFunctionLike(ts, member.initializer)))) return member;
  }
  return null;
}

/** Why the parameters of this function are framework-guaranteed sockets, if they are. */
function frameworkCallback(m: TsModule, fn: TsNode, param: TsNode): { why: string; framework: Framework } | null {
  const ts = m.ts;
  const parent = fn.parent;
  if (!parent) return null;
  const first = ts.isParameter(param) && (fn as { parameters?: readonly TsNode[] }).parameters?.[0] === param;
  if (!first) return null;
  const role = ts.isCallExpression(parent) ? serverCallbackRole(m, parent, fn) : namedCallbackRole(m, fn);
  if (role) return { why: role, framework: role === DURABLE_OBJECT_SOCKETS ? 'cloudflare' : serverFramework(m) };
  const wrapped = ts.isCallExpression(parent) ? wrappedServerCallback(m, parent, fn) : null;
  if (wrapped) return wrapped;
  // Bun.serve({ websocket: { open(ws) {…}, message(ws, msg) {…} } })
  const holder = ts.isMethodDeclaration(fn) ? fn.parent : ts.isPropertyAssignment(parent) ? parent.parent : null;
  if (holder && ts.isObjectLiteralExpression(holder) && ts.isPropertyAssignment(holder.parent) && ts.isIdentifier(holder.parent.name) && holder.parent.name.text === 'websocket') {
    return { why: "Bun's websocket handler", framework: 'bun' };
  }
  // Cloudflare Durable Objects' hibernation API: `webSocketMessage(ws, message)` runs when `ws` has
  // just delivered a message, as after a receive on the same socket (a method or an arrow field).
  const member = ts.isMethodDeclaration(fn) ? fn : ts.isPropertyDeclaration(parent) && parent.initializer === fn ? parent : null;
  if (member && member.name && ts.isIdentifier(member.name) && member.name.text === 'webSocketMessage' && member.parent && ts.isClassLike(member.parent)) {
    return { why: DURABLE_OBJECT_MESSAGE, framework: 'cloudflare' };
  }
  return null;
}

/**
 * A callback handed to a repository wrapper that registers it as a ws server's, one level down:
 * playwright's `server.onceWebSocketConnection(async (ws) => …)`, whose body is
 * `this._wsServer.once('connection', handler)`. The wrapper is a function of the repository
 * (`wrap(fn)`, `ns.wrap(fn)`), a method of the class around the call (`this.wrap(fn)`), or a
 * method of the class the receiver is declared as (`server: TestServer`, this file or a relative
 * import): an untyped receiver names no class.
 */
function wrappedServerCallback(m: TsModule, call: TsNode, fn: TsNode): { why: string; framework: Framework } | null {
  const ts = m.ts;
  if (!ts.isCallExpression(call)) return null;
  const index = call.arguments.indexOf(fn as never);
  const target = index >= 0 ? wrapperOf(m, call) : null;
  if (!target) return null;
  const { module: wm, fn: wfn } = target;
  const param = ((wfn as { parameters?: readonly TsNode[] }).parameters ?? [])[index];
  const body = (wfn as { body?: TsNode }).body;
  if (!param || !ts.isParameter(param) || !ts.isIdentifier(param.name) || param.dotDotDotToken || !body) return null;
  const name = param.name.text;
  for (const n of descendants(ts, body)) {
    if (!ts.isCallExpression(n)) continue;
    for (const a of n.arguments) {
      if (!ts.isIdentifier(a) || a.text !== name || wm.declarationOf(name, a) !== param) continue;
      const role = serverCallbackRole(wm, n, a);
      if (role && /'connection' callback|handleUpgrade callback/.test(role)) return { why: `${role} (registered by ${m.text(call.expression)})`, framework: serverFramework(wm) };
    }
  }
  return null;
}

/** The function a call runs, where this file can read it: see `wrappedServerCallback`. */
function wrapperOf(m: TsModule, call: TsNode): { module: TsModule; fn: TsNode } | null {
  const ts = m.ts;
  if (!ts.isCallExpression(call)) return null;
  const callee = call.expression;
  if (ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const own = calledFunction(m, call);
    return own ? { module: m, fn: own.fn } : null;
  }
  if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.expression)) return localOrImportedFunction(m, callee);
  const local = m.imports.has(callee.expression.text) ? localOrImportedFunction(m, callee) : null;
  if (local) return local;
  // `server.method(…)` with `server: TestServer`: the class the declared type names.
  const d = m.declarationOf(callee.expression.text, callee.expression);
  const type = d && (ts.isParameter(d) || ts.isVariableDeclaration(d)) ? d.type : undefined;
  if (!type || !ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName)) return null;
  const cls = classNamed(m, type.typeName.text);
  if (!cls) return null;
  const method = callee.name.text;
  for (const member of (cls.cls as { members?: readonly TsNode[] }).members ?? []) {
    const mn = (member as { name?: TsNode }).name;
    if (!mn || !ts.isIdentifier(mn) || mn.text !== method) continue;
    if (ts.isMethodDeclaration(member) && member.body) return { module: cls.module, fn: member };
    if (ts.isPropertyDeclaration(member) && member.initializer && (ts.isArrowFunction(member.initializer) || ts.isFunctionExpression(member.initializer))) return { module: cls.module, fn: member.initializer };
  }
  return null;
}

/** A class declared in this file, or imported from a relative module (through its re-exports). */
function classNamed(m: TsModule, name: string): { module: TsModule; cls: TsNode } | null {
  const ts = m.ts;
  const declared = (module: TsModule, n: string): { module: TsModule; cls: TsNode } | null => {
    const c = (module.declarations.get(n) ?? []).find((x) => ts.isClassDeclaration(x));
    return c ? { module, cls: c } : null;
  };
  const imp = m.imports.get(name);
  if (!imp) return declared(m, name);
  const target = imp.imported === '*' ? null : m.importedModule(imp.module);
  return target ? throughReexports(target, imp.imported === 'default' ? name : imp.imported, declared) : null;
}

const DURABLE_OBJECT_MESSAGE = "a Durable Object's webSocketMessage handler (it just delivered a message)";

/** What a receiver expression is, following aliases, declarations, class properties and callbacks. */
export function resolveSocket(m: TsModule, expr: TsNode, depth = 0): SocketInfo | null {
  const ts = m.ts;
  if (depth > 6) return null;
  const e = bareExpression(ts, expr);
  if (ts.isIdentifier(e)) {
    const d = m.declarationOf(e.text, e);
    const r = d ? fromDeclaration(m, d, e.text, depth) : null;
    if (r || (d && ts.isVariableDeclaration(d) && ts.isObjectBindingPattern(d.name))) return r;
    const kept = openCollectionElement(m, d, (mm, x) => resolveSocket(mm, x, depth + 1)) ?? createdElement(m, d);
    return kept ?? fromTypes(m, e) ?? serverClient(m, d) ?? (unplaced(m, d) ? fromName(m, e, e.text) : null);
  }
  if (!ts.isPropertyAccessExpression(e)) return fromTypes(m, e);
  const self = e.expression.kind === ts.SyntaxKind.ThisKeyword;
  const upgraded = self ? null : denoSocketOf(m, e);
  if (upgraded) return denoSocket(upgraded.parent && ts.isVariableDeclaration(upgraded.parent) ? upgraded.parent : upgraded);
  const syntactic = self ? fromClassProperty(m, e, e.name.text) : null;
  return syntactic ?? fromTypes(m, e) ?? (!self || unplaced(m, m.classProperty(e, e.name.text)) ? fromName(m, e, e.name.text) : null);
}

/**
 * The sockets a collection was made of, when it is made of new client sockets only: the object
 * literal `Object.values(x)` reads (`{ a: new WebSocket(…), b: … }`), an array literal of them, or
 * `urls.map((u) => new WebSocket(u))` — directly or through the `const` it initialises.
 */
export function createdCollection(m: TsModule, coll: TsNode): { root: TsNode; made: TsNode[] } | null {
  const ts = m.ts;
  let x = throughSubsets(m, coll);
  let values = false;
  if (ts.isCallExpression(x) && m.text(x.expression) === 'Object.values' && x.arguments.length === 1) {
    x = bareExpression(ts, x.arguments[0] as TsNode);
    values = true;
  }
  const root = x;
  const init = ts.isIdentifier(x) ? m.initializerOf(x) : x;
  const d = ts.isIdentifier(x) ? m.declarationOf(x.text, x) : null;
  if (!init || (d && !(ts.isVariableDeclaration(d) && d.parent && ts.isVariableDeclarationList(d.parent) && (d.parent.flags & ts.NodeFlags.Const) !== 0))) return null;
  const v = bareExpression(ts, init);
  let made: TsNode[] = [];
  if (values && ts.isObjectLiteralExpression(v)) {
    for (const p of v.properties) {
      if (!ts.isPropertyAssignment(p)) return null;
      made.push(p.initializer);
    }
  } else if (!values && ts.isArrayLiteralExpression(v)) made = [...v.elements];
  else if (!values && ts.isCallExpression(v) && ts.isPropertyAccessExpression(v.expression) && v.expression.name.text === 'map') {
    const fn = v.arguments[0];
    const body = fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) ? fn.body : undefined;
    if (!body) return null;
    if (!ts.isBlock(body)) made = [body];
    else {
      const rets = descendants(ts, body).filter((n) => ts.isReturnStatement(n)).map((n) => (n as { expression?: TsNode }).expression);
      if (rets.some((r) => r === undefined)) return null;
      made = rets as TsNode[];
    }
  } else return null;
  return made.length > 0 && made.every((e) => constructed(m, e)?.cls === 'client') ? { root, made } : null;
}

/** An element (`for…of`, a `forEach` callback's parameter) of a collection made of new client sockets: one of them. */
function createdElement(m: TsModule, d: TsNode | null): SocketInfo | null {
  const coll = d ? collectionOf(m, d) : null;
  const made = coll ? createdCollection(m, coll) : null;
  const c = made ? constructed(m, made.made[0] as TsNode) : null;
  if (!d || !made || !c) return null;
  return { kind: 'client', origin: d, reason: `created by ${m.brief(made.made[0] as TsNode, 40)} (an element of ${m.brief(made.root, 30)})`, emitter: c.emitter, typed: true, framework: c.framework };
}

/**
 * `for (const client of wss.clients)`, as `wss.clients.forEach((client) => …)`: a server's
 * sockets, open (where the type checker has not placed it already).
 */
function serverClient(m: TsModule, d: TsNode | null): SocketInfo | null {
  const ts = m.ts;
  const loop = d?.parent?.parent;
  if (!d || !ts.isVariableDeclaration(d) || !ts.isIdentifier(d.name) || !loop || !ts.isForOfStatement(loop) || loop.initializer !== d.parent) return null;
  if (!isServerClients(m, loop.expression, 0)) return null;
  return { kind: 'framework', origin: loop, reason: "socket from a ws server's clients", emitter: true, typed: false, framework: serverFramework(m) };
}

/**
 * Whether a declaration says nothing about what its name holds: none at all, an untyped (or
 * `any`) parameter, a field or variable with neither type nor initializer. What a type or an
 * initializer says wins over a name: `const socket = dgram.createSocket('udp4')` is no connection.
 */
function unplaced(m: TsModule, d: TsNode | null): boolean {
  const ts = m.ts;
  if (d === null) return true;
  if (ts.isParameter(d)) return d.type === undefined || d.type.kind === ts.SyntaxKind.AnyKeyword;
  if (ts.isVariableDeclaration(d) || ts.isPropertyDeclaration(d)) return d.type === undefined && d.initializer === undefined;
  return false;
}

const usesWebSockets = new WeakMap<TsModule, boolean>();

/**
 * Config `connectionNames`: a receiver nothing else places, named like a connection (`ws`,
 * `this.socket`, case-insensitive, leading `_`/`#` ignored), in a file that uses WebSockets
 * (imports a client module or names `WebSocket`) — `send` is too common a method to trust a name
 * anywhere else. It may be CONNECTING, as any client socket; confidence is low.
 */
function fromName(m: TsModule, e: TsNode, name: string): SocketInfo | null {
  const names = m.project.names.connectionNames;
  const key = name.replace(/^[_#]+/, '').toLowerCase();
  if (!names.some((n) => n.toLowerCase() === key)) return null;
  let uses = usesWebSockets.get(m);
  if (uses === undefined) {
    uses = [...m.imports.values()].some((imp) => CLIENT_MODULES.has(imp.module)) || namesWebSocket(m);
    usesWebSockets.set(m, uses);
  }
  if (!uses) return null;
  // A type the checker knows and no WebSocket can have (partykit's `{ id; send }` connections) places it: not by its name.
  const start = e.getStart(m.sf);
  if (m.project.types?.nonSocketAt(m.absPath, start, e.getEnd() - start)) return null;
  const framework = serverFramework(m);
  return { kind: 'client', origin: e, reason: `named ${name} (connectionNames)`, emitter: framework !== 'unknown', typed: false, framework: 'unknown', byName: true };
}

/** Whether the code names `WebSocket` (a value, a type, a property): a word in a comment or a string is no evidence. */
function namesWebSocket(m: TsModule): boolean {
  const ts = m.ts;
  if (!/\bWebSocket\b/.test(m.source)) return false;
  return descendants(ts, m.sf, true).some((n) => ts.isIdentifier(n) && n.text === 'WebSocket');
}

/** The type-aware mode: what the checker says, for what provenance could not place. */
function fromTypes(m: TsModule, e: TsNode): SocketInfo | null {
  const ts = m.ts;
  const types = m.project.types;
  if (!types) return null;
  const start = e.getStart(m.sf);
  const t = types.socketAt(m.absPath, start, e.getEnd() - start);
  if (!t) return null;
  // Elements of a server's client set are open: `for (const c of wss.clients)`. Only where the
  // checker answered, so that a file without a usable checker reads as on the syntax-only path.
  if (ts.isIdentifier(e)) {
    const d = m.declarationOf(e.text, e);
    const loop = d?.parent?.parent;
    if (loop && ts.isForOfStatement(loop) && loop.initializer === d?.parent && isServerClients(m, loop.expression, 0)) {
      return { kind: 'framework', origin: loop, reason: "socket from a ws server's clients", emitter: true, typed: true, framework: t.framework };
    }
  }
  return { kind: 'client', origin: e, reason: `typed ${t.type} (type checker)`, emitter: t.emitter, typed: true, framework: t.framework };
}

/** The reason of a fetch() Upgrade response's socket (HG012 names it apart from a pair's server end). */
export const FETCH_UPGRADE_SOCKET = 'the WebSocket of a fetch() Upgrade response (Cloudflare: usable once accept()ed)';

function fromInitializer(m: TsModule, init: TsNode, origin: TsNode, depth: number): SocketInfo | null {
  const ts = m.ts;
  const c = constructed(m, init);
  if (c?.cls === 'client') return { kind: 'client', origin, reason: `created by ${m.brief(init, 40)}`, emitter: c.emitter, typed: true, framework: c.framework };
  if (c) return null;
  const e = bareExpression(ts, init);
  // `pair[1]` of a `new WebSocketPair()`: the server end (or `pair[0]`, when `pair[1]` is the end the Response gets).
  if (ts.isElementAccessExpression(e) && ts.isNumericLiteral(e.argumentExpression)) {
    const pair = pairOf(m, e.expression);
    if (pair && Number(e.argumentExpression.text) === serverIndex(m, pair)) {
      return pairServer(origin);
    }
  }
  // `resp.webSocket` of `const resp = await fetch(url, { headers: { Upgrade: 'websocket' } })`: a
  // Cloudflare Worker's outbound WebSocket, usable once accept()ed, like a pair's server end.
  if (ts.isPropertyAccessExpression(e) && e.name.text === 'webSocket' && isFetchResponse(m, bareExpression(ts, e.expression))) {
    return { kind: 'cf-server', origin, reason: FETCH_UPGRADE_SOCKET, emitter: false, typed: true, framework: 'cloudflare' };
  }
  // `const ws = upgrade.socket` of `const upgrade = Deno.upgradeWebSocket(req)`.
  if (ts.isPropertyAccessExpression(e) && denoSocketOf(m, e) !== null) return denoSocket(origin);
  // `Object.assign(server, { id })` returns its first argument.
  if (ts.isCallExpression(e) && m.text(e.expression) === 'Object.assign' && e.arguments[0] && depth < 6) return fromInitializer(m, e.arguments[0], origin, depth + 1);
  if (ts.isIdentifier(e) || (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword)) return resolveSocket(m, e, depth + 1);
  return openedByHelper(m, e, origin, depth);
}

/** `fetch(…)` or `await fetch(…)` (the global's), directly or through a `const` it initialises. */
function isFetchResponse(m: TsModule, e: TsNode): boolean {
  const ts = m.ts;
  const call = (x: TsNode): boolean => {
    const b = bareExpression(ts, ts.isAwaitExpression(x) ? x.expression : x);
    return ts.isCallExpression(b) && ts.isIdentifier(b.expression) && b.expression.text === 'fetch' && !m.declarations.has('fetch') && !m.imports.has('fetch');
  };
  if (call(e)) return true;
  if (!ts.isIdentifier(e)) return false;
  const d = m.declarationOf(e.text, e);
  return !!d && ts.isVariableDeclaration(d) && d.initializer !== undefined && call(d.initializer);
}

/**
 * A function `name` of this file (`function f`, `const f = () => …`), or of the relative import that
 * binds it — by name, or as a member of a namespace import (`import * as ns`, `const ns = require(…)`:
 * `ns.f`).
 */
function localOrImportedFunction(m: TsModule, callee: TsNode): { module: TsModule; fn: TsNode } | null {
  const ts = m.ts;
  let target: TsModule | null;
  let name: string;
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)) {
    const ns = m.imports.get(callee.expression.text);
    if (!ns || ns.imported !== '*') return null;
    target = m.importedModule(ns.module);
    name = callee.name.text;
  } else if (ts.isIdentifier(callee)) {
    const imp = m.imports.get(callee.text);
    target = imp ? m.importedModule(imp.module) : m;
    name = imp ? (imp.imported === 'default' || imp.imported === '*' ? callee.text : imp.imported) : callee.text;
  } else return null;
  if (!target) return null;
  const declared = (module: TsModule, n: string): { module: TsModule; fn: TsNode } | null => {
    for (const d of module.declarations.get(n) ?? []) {
      if (ts.isFunctionDeclaration(d) && d.body) return { module, fn: d };
      if (ts.isVariableDeclaration(d) && d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))) return { module, fn: d.initializer };
    }
    return null;
  };
  // A relative import may name a barrel (`export * from './sockets'`); this file's own names are its own.
  return target === m ? declared(m, name) : throughReexports(target, name, declared);
}

/**
 * `const ws = await openSocket(url)` where the helper hands the socket over only once it opened:
 * it returns `new Promise((resolve) => { …; ws.addEventListener('open', () => resolve(ws)) })`
 * (every `resolve` in an 'open' listener of the socket it resolves with — hocuspocus' tests), or
 * `ws.accept(); return ws` (a Cloudflare socket from an upgrade response, usable once accepted).
 * The caller's socket is open, as a server framework's is (SPEC §3b): both modes say so, the
 * type checker's `WebSocket` no longer makes it a client.
 */
export function openedByHelper(m: TsModule, call: TsNode, origin: TsNode, depth = 0, prop: string | null = null): SocketInfo | null {
  const ts = m.ts;
  let e = call;
  while (ts.isAwaitExpression(e) || ts.isParenthesizedExpression(e)) e = e.expression;
  if (!ts.isCallExpression(e) || depth > 4) return null;
  const found = localOrImportedFunction(m, e.expression);
  if (!found) return null;
  const { module: hm, fn } = found;
  const body = (fn as { body?: TsNode }).body;
  if (!body) return null;
  const returned: TsNode[] = [];
  if (!ts.isBlock(body)) returned.push(body);
  else for (const n of descendants(ts, body)) if (ts.isReturnStatement(n) && n.expression) returned.push(n.expression);
  if (returned.length === 0) return null;
  let inner: SocketInfo | null = null;
  let how = '';
  for (const r of returned) {
    let x = r;
    while (ts.isAwaitExpression(x) || ts.isParenthesizedExpression(x)) x = x.expression;
    // `const { ws } = await connect(url)`: the helper's every return is an object with that member.
    if (prop !== null) {
      const member = ts.isObjectLiteralExpression(x) ? x.properties.find((p) => p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === prop) : undefined;
      const value = member && ts.isShorthandPropertyAssignment(member) ? member.name : member && ts.isPropertyAssignment(member) ? bareExpression(ts, member.initializer) : null;
      if (!value) return null;
      x = value;
    }
    const resolved = prop === null ? resolvedOnOpen(hm, x) : null;
    const accepted = resolved ? null : acceptedBeforeReturn(hm, x, body);
    const sock = resolved ?? accepted;
    if (!sock) return null;
    how = resolved ? "resolves it in the socket's 'open' handler" : 'accepts it before returning it';
    inner ??= resolveSocket(hm, sock, depth + 1);
  }
  const name = m.text((e as { expression: TsNode }).expression) + (prop === null ? '()' : `()'s \`${prop}\``);
  const framework = how.startsWith('accepts') ? 'cloudflare' : (inner?.framework ?? 'unknown');
  return { kind: 'framework', origin, reason: `socket from ${name}, which ${how}`, emitter: inner?.emitter ?? false, typed: inner?.typed ?? false, framework };
}

/** `new Promise((resolve) => …)` whose every `resolve(x)` runs in an 'open' listener on `x`: that socket. */
function resolvedOnOpen(m: TsModule, x: TsNode): TsNode | null {
  const ts = m.ts;
  const p = promiseParamUses(m, x, 0);
  if (!p) return null;
  const executor = p.executor;
  let socket: TsNode | null = null;
  for (const n of p.uses) {
    // Every use is a call `resolve(ws)` in an 'open' listener of that `ws` (handed on, it could run anywhere).
    const c = n.parent;
    const arg = c && ts.isCallExpression(c) && c.expression === n ? c.arguments[0] : undefined;
    if (!arg) return null;
    const listener = ancestor(n, (a) => isFunctionLike(ts, a) && a !== executor && listenerOf(m, a) !== null);
    const l = listener ? listenerOf(m, listener) : null;
    if (!l || l.event !== 'open' || !sameSocket(m, l.socket, arg)) return null;
    socket ??= arg;
  }
  return socket;
}

/** `return ws` (or `return { ws }`) after an unconditional `ws.accept()` in the function's body: that socket. */
function acceptedBeforeReturn(m: TsModule, x: TsNode, body: TsNode): TsNode | null {
  const ts = m.ts;
  if (!ts.isIdentifier(x) || !ts.isBlock(body)) return null;
  const ret = ancestor(x, (a) => ts.isReturnStatement(a) || isFunctionLike(ts, a));
  if (!ret || !ts.isReturnStatement(ret) || ret.parent !== body) return null;
  const stmts = body.statements as readonly TsNode[];
  const accepted = stmts.slice(0, stmts.indexOf(ret)).some((st) => {
    if (!ts.isExpressionStatement(st)) return false;
    const c = st.expression;
    return ts.isCallExpression(c) && ts.isPropertyAccessExpression(c.expression) && c.expression.name.text === 'accept' && c.arguments.length === 0 && sameSocket(m, c.expression.expression, x);
  });
  return accepted ? x : null;
}

function fromDeclaration(m: TsModule, d: TsNode, name: string, depth: number): SocketInfo | null {
  const ts = m.ts;
  if (ts.isVariableDeclaration(d)) {
    // for (const ws of this.ctx.getWebSockets()) — sockets the Durable Object accepted.
    const loop = d.parent?.parent;
    if (loop && ts.isForOfStatement(loop) && isAcceptedSet(m, loop.expression, 0)) {
      return { kind: 'framework', origin: loop, reason: `socket from ${DURABLE_OBJECT_SOCKETS}`, emitter: false, typed: false, framework: 'cloudflare' };
    }
    if (ts.isIdentifier(d.name)) {
      if (d.initializer) {
        const r = fromInitializer(m, d.initializer, d, depth);
        if (r) return r;
      }
      const opened = assignedOnlyOpen(m, d, name, depth);
      if (opened) return opened;
      const typed = typedClient(m, d.type);
      if (typed) return { kind: 'client', origin: d, reason: `typed ${m.text(d.type as TsNode)}`, emitter: typed.emitter, typed: true, framework: typed.framework };
      // `let ws; … ws = new WebSocket(url)`
      for (const a of assignmentsTo(m, name, d)) {
        const r = fromInitializer(m, a, d, depth);
        if (r) return r;
      }
      return null;
    }
    // const { socket, response } = Deno.upgradeWebSocket(req)
    if (ts.isObjectBindingPattern(d.name) && d.initializer && isDenoUpgrade(m, d.initializer)) {
      const el = d.name.elements.find((b) => ts.isIdentifier(b.name) && b.name.text === name);
      const prop = el && (el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : name);
      if (prop === 'socket') return denoSocket(d);
    }
    // const [client, server] = Object.values(new WebSocketPair()) / Object.values(pair), const { 1: server } = pair
    const end = pairEndOfDeclaration(m, d, name, depth);
    if (end && end.index === serverIndex(m, end.pair)) return pairServer(d);
    // const [client, server] = [pair[0], pair[1]]
    const list = d.initializer ? bareExpression(ts, d.initializer) : null;
    if (ts.isArrayBindingPattern(d.name) && list && ts.isArrayLiteralExpression(list)) {
      const idx = d.name.elements.findIndex((b) => ts.isBindingElement(b) && ts.isIdentifier(b.name) && b.name.text === name);
      const el = list.elements[idx];
      const r = el && !ts.isSpreadElement(el) ? fromInitializer(m, el, d, depth + 1) : null;
      if (r) return r;
    }
    // const { ws } = await connectWS(url): a helper of the repository returning `{ ws }` of an open socket.
    if (ts.isObjectBindingPattern(d.name) && d.initializer) {
      const el = d.name.elements.find((b) => ts.isIdentifier(b.name) && b.name.text === name);
      const prop = el && !el.dotDotDotToken ? (el.propertyName ? (ts.isIdentifier(el.propertyName) || ts.isStringLiteral(el.propertyName) ? el.propertyName.text : null) : name) : null;
      const r = prop !== null ? openedByHelper(m, d.initializer, d, depth, prop) : null;
      if (r) return r;
    }
    return null;
  }
  if (ts.isParameter(d)) {
    const fn = d.parent;
    const why = frameworkCallback(m, fn, d);
    if (why) return { kind: 'framework', origin: fn, reason: `socket from ${why.why}`, emitter: true, typed: false, framework: why.framework };
    const passed = passedOpen(m, fn, d, depth);
    if (passed) return passed;
    const typed = typedClient(m, d.type);
    if (typed) return { kind: 'client', origin: d, reason: `parameter typed ${m.text(d.type as TsNode)}`, emitter: typed.emitter, typed: true, framework: typed.framework };
    return null;
  }
  return null;
}

/** What a value is as a socket: a name or `this.x` as `resolveSocket` reads it, else as an initializer (`await connect(url)`, `new WebSocket(url)`). */
export function valueSocket(m: TsModule, e: TsNode, depth = 0): SocketInfo | null {
  const x = bareExpression(m.ts, e);
  if (m.ts.isIdentifier(x) || m.ts.isPropertyAccessExpression(x)) return resolveSocket(m, x, depth);
  return fromInitializer(m, x, e, depth) ?? resolveSocket(m, x, depth);
}

const isNullish = (m: TsModule, e: TsNode): boolean => {
  const x = bareExpression(m.ts, e);
  return x.kind === m.ts.SyntaxKind.NullKeyword || (m.ts.isIdentifier(x) && x.text === 'undefined') || m.ts.isVoidExpression(x);
};

/**
 * `let ws: WebSocket | null = null; … ws = await connect(url)`, the name a closure sends on: a
 * variable that starts empty and is only ever assigned open sockets (a helper's that resolves on
 * 'open', a server's) holds an open one or none, whatever its type says. Any other write
 * (`??=`, destructuring, `for (ws of …)`) or value leaves it to its type.
 */
function assignedOnlyOpen(m: TsModule, d: TsNode, name: string, depth: number): SocketInfo | null {
  const ts = m.ts;
  if (!ts.isVariableDeclaration(d) || (d.initializer && !isNullish(m, d.initializer)) || depth > 4) return null;
  const list = d.parent;
  if (!ts.isVariableDeclarationList(list) || (list.flags & ts.NodeFlags.Const) !== 0 || (list.parent && !ts.isVariableStatement(list.parent))) return null;
  let first: SocketInfo | null = null;
  for (const r of referencesTo(m, d, name)) {
    const p = r.parent;
    if (!p) return null;
    if (ts.isBinaryExpression(p) && p.left === r) {
      const op = p.operatorToken.kind;
      if (op >= ts.SyntaxKind.FirstCompoundAssignment && op <= ts.SyntaxKind.LastCompoundAssignment) return null;
      if (op !== ts.SyntaxKind.EqualsToken) continue;
      if (isNullish(m, p.right)) continue;
      const info = fromInitializer(m, p.right, d, depth + 1);
      if (!info || info.kind !== 'framework') return null;
      first ??= info;
      continue;
    }
    // Written some other way, or in a place that may be a target: not read here.
    if (ts.isArrayLiteralExpression(p) || ts.isShorthandPropertyAssignment(p) || ts.isPropertyAssignment(p) || ts.isSpreadElement(p) || ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) return null;
    if ((ts.isForOfStatement(p) || ts.isForInStatement(p)) && p.initializer === r) return null;
  }
  if (!first) return null;
  return { kind: 'framework', origin: d, reason: `every value assigned is a ${first.reason}`, emitter: first.emitter, typed: first.typed, framework: first.framework };
}

const identifiersByName = new WeakMap<TsModule, Map<string, TsNode[]>>();

/** The identifiers of the file that name this declaration (one walk per file, then by name). */
function referencesTo(m: TsModule, decl: TsNode, name: string): TsNode[] {
  const ts = m.ts;
  let index = identifiersByName.get(m);
  if (!index) {
    index = new Map();
    for (const n of descendants(ts, m.sf, true)) {
      if (!ts.isIdentifier(n)) continue;
      const list = index.get(n.text);
      if (list) list.push(n);
      else index.set(n.text, [n]);
    }
    identifiersByName.set(m, index);
  }
  const own = (decl as { name?: TsNode }).name;
  return (index.get(name) ?? []).filter((n) => n !== own && m.declarationOf(name, n) === decl);
}

/** Calls `name(…)` of a declaration, or null when a reference to it is anything but a call (it escapes). */
function callsByName(m: TsModule, decl: TsNode): TsNode[] | null {
  const ts = m.ts;
  const name = (decl as { name?: TsNode }).name;
  if (!name || !ts.isIdentifier(name)) return null;
  const calls: TsNode[] = [];
  for (const r of referencesTo(m, decl, name.text)) {
    const p = r.parent;
    if (!p || !ts.isCallExpression(p) || p.expression !== r) return null;
    calls.push(p);
  }
  return calls;
}

/** The declaration that names a function: itself (`function f`), or `const f = () => …`. */
function namingDeclaration(m: TsModule, fn: TsNode): TsNode | null {
  const ts = m.ts;
  if (ts.isFunctionDeclaration(fn)) return fn.name ? fn : null;
  const p = fn.parent;
  return p && ts.isVariableDeclaration(p) && p.initializer === fn && ts.isIdentifier(p.name) ? p : null;
}

/**
 * The calls in this file that run a function: by its name, or — for the function a factory
 * returns (trpc's `getWSConnectionHandler(opts)` returns the connection handler) — through the
 * names bound to the factory's result. Null when a reference escapes (passed or stored, not
 * called): it may run with anything.
 */
export function callsOf(m: TsModule, fn: TsNode): TsNode[] | null {
  const ts = m.ts;
  const named = namingDeclaration(m, fn);
  if (named) return callsByName(m, named);
  const member = classMember(m, fn);
  if (member) return memberCalls(m, member);
  const p = fn.parent;
  const factory = p && ts.isReturnStatement(p) && p.expression === fn ? ancestor(p, (n) => isFunctionLike(ts, n)) : p && ts.isArrowFunction(p) && p.body === fn ? p : null;
  const fdecl = factory ? namingDeclaration(m, factory) : null;
  const made = fdecl ? callsByName(m, fdecl) : null;
  if (!made) return null;
  const calls: TsNode[] = [];
  for (const call of made) {
    const holder = call.parent;
    if (!holder || !ts.isVariableDeclaration(holder) || holder.initializer !== call) return null;
    const through = callsByName(m, holder);
    if (!through) return null;
    calls.push(...through);
  }
  return calls;
}

/**
 * The instance method (`async #runWS(ws) {…}`, `runWS(ws) {…}`) or arrow-function field a
 * function is, with its class: null for static members, computed names and anything else.
 */
function classMember(m: TsModule, fn: TsNode): { member: TsNode; name: string; cls: TsNode } | null {
  const ts = m.ts;
  const member = ts.isMethodDeclaration(fn) ? fn : fn.parent && ts.isPropertyDeclaration(fn.parent) && fn.parent.initializer === fn && isFunctionLike(ts, fn) ? fn.parent : null;
  if (!member || !ts.isClassElement(member) || !member.parent || !ts.isClassLike(member.parent)) return null;
  const name = (member as { name?: TsNode }).name;
  if (!name || !(ts.isIdentifier(name) || ts.isPrivateIdentifier(name))) return null;
  if ((ts.getCombinedModifierFlags(member as never) & ts.ModifierFlags.Static) !== 0) return null;
  return { member, name: name.text, cls: member.parent };
}

const accessesByName = new WeakMap<TsModule, Map<string, TsNode[]>>();

/**
 * The calls `this.name(…)` / `this.#name(…)` of a class member, made in its class with the
 * instance's `this` (not a nested `function`'s). Null when the file names the member anywhere else
 * (`other.runWS(x)`, `super.runWS(x)`, `this.runWS` handed on, `this['runWS']`): it may run with
 * anything. Calls in other files are not seen, as for an exported function.
 */
function memberCalls(m: TsModule, target: { member: TsNode; name: string; cls: TsNode }): TsNode[] | null {
  const ts = m.ts;
  let index = accessesByName.get(m);
  if (!index) {
    index = new Map();
    for (const n of descendants(ts, m.sf, true)) {
      const key = ts.isPropertyAccessExpression(n) ? n.name.text : ts.isElementAccessExpression(n) && ts.isStringLiteralLike(n.argumentExpression) ? n.argumentExpression.text : null;
      if (key === null) continue;
      const list = index.get(key);
      if (list) list.push(n);
      else index.set(key, [n]);
    }
    accessesByName.set(m, index);
  }
  const calls: TsNode[] = [];
  for (const a of index.get(target.name) ?? []) {
    const p = a.parent;
    if (!ts.isPropertyAccessExpression(a) || a.expression.kind !== ts.SyntaxKind.ThisKeyword || !p || !ts.isCallExpression(p) || p.expression !== a) return null;
    // `this` is the instance in the class's own instance members and the arrow functions inside them.
    const owner = ancestor(a, (n) => (isFunctionLike(ts, n) && !ts.isArrowFunction(n)) || ts.isPropertyDeclaration(n) || ts.isClassLike(n));
    // Another class's own `this.name()` (mitmproxy's StaticBackend calls its own `onOpen`): not
    // this member, unless that class may inherit it.
    if (owner?.parent && owner.parent !== target.cls && ts.isClassLike(owner.parent) && !ts.isClassLike(owner) && neverReaches(m, owner.parent, target.cls, target.name)) continue;
    if (!owner || owner.parent !== target.cls || (ts.getCombinedModifierFlags(owner as never) & ts.ModifierFlags.Static) !== 0) return null;
    calls.push(p);
  }
  return calls;
}

/**
 * Whether a `this.name` in class `cls` can never reach class `target`'s member `name`: `cls`, or a
 * class of this file it extends before reaching `target`, declares `name` itself, or the chain of
 * `extends` ends (in this file) without reaching `target`. A base class the file does not declare
 * may be `target`'s subclass: not known.
 */
function neverReaches(m: TsModule, cls: TsNode, target: TsNode, name: string): boolean {
  const ts = m.ts;
  let c: TsNode = cls;
  for (let i = 0; i < 8; i++) {
    if (c === target || !ts.isClassLike(c)) return false;
    const declares = c.members.some((mem) => {
      const n = mem.name;
      return n !== undefined && (ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) && n.text === name && (ts.getCombinedModifierFlags(mem as never) & ts.ModifierFlags.Static) === 0;
    });
    if (declares) return true;
    const ext = (c.heritageClauses ?? []).find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
    if (!ext) return true;
    const base = ts.isIdentifier(ext) ? m.declarationOf(ext.text, ext) : null;
    if (!base || !ts.isClassDeclaration(base)) return false;
    c = base;
  }
  return false;
}

/**
 * A parameter every call of its function in this file fills with an open socket
 * (`wss.on('connection', (ws) => handle(ws))`, trpc's handler called from its 'connection'
 * callback, a Cloudflare server end accepted before the call) is open. Calls in other files are not seen: an exported function counts by its
 * calls here, as a handler registered by name does.
 */
function passedOpen(m: TsModule, fn: TsNode, param: TsNode, depth: number): SocketInfo | null {
  const ts = m.ts;
  if (!ts.isParameter(param) || param.dotDotDotToken || depth > 4) return null;
  const index = ((fn as { parameters?: readonly TsNode[] }).parameters ?? []).indexOf(param);
  const calls = index >= 0 ? callsOf(m, fn) : null;
  if (!calls || calls.length === 0) return null;
  let first: SocketInfo | null = null;
  let emitter = true;
  for (const call of calls) {
    // A call inside the function itself passes on what it was given.
    if (call.pos >= fn.pos && call.end <= fn.end) continue;
    const arg = (call as { arguments?: readonly TsNode[] }).arguments?.[index];
    const info = arg ? valueSocket(m, arg, depth + 1) : null;
    // An accepted Cloudflare server end is open too (`server.accept(); void pipe(reader, server)`, workers-sdk).
    if (!info || !openAt(m, info, call, resolveSocket)) return null;
    first ??= info;
    emitter &&= info.emitter;
  }
  if (!first) return null;
  return { kind: 'framework', origin: fn, reason: `${first.reason}, passed by every call in this file`, emitter, typed: false, framework: first.framework };
}

/**
 * A class field every write of which is nullish or a socket open where it is written (`this.#ws =
 * ws` after `ws.accept()`, after a bounded wait, from a framework callback) holds an open socket
 * whenever it holds one, whatever its declared type says — as a `let` does (assignedOnlyOpen).
 */
function fieldAssignedOnlyOpen(m: TsModule, at: TsNode, name: string, prop: TsNode | null): SocketInfo | null {
  const ts = m.ts;
  if (prop && (!ts.isPropertyDeclaration(prop) || (prop.initializer && !isNullish(m, prop.initializer)))) return null;
  const cls = ancestor(at, (n) => ts.isClassDeclaration(n) || ts.isClassExpression(n));
  if (!cls) return null;
  let first: SocketInfo | null = null;
  for (const n of descendants(ts, cls, true)) {
    if (!ts.isPropertyAccessExpression(n) || n.expression.kind !== ts.SyntaxKind.ThisKeyword || n.name.text !== name) continue;
    const p = n.parent;
    if (!p || !ts.isBinaryExpression(p) || p.left !== n) {
      // Written another way (`[this.ws] = …`, `({ ws: this.ws } = …)`, `this.ws++`): not read here.
      const counted = p && (ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) && (p.operator === ts.SyntaxKind.PlusPlusToken || p.operator === ts.SyntaxKind.MinusMinusToken);
      if (p && (ts.isArrayLiteralExpression(p) || ts.isShorthandPropertyAssignment(p) || (ts.isPropertyAssignment(p) && p.initializer === n) || counted)) return null;
      continue;
    }
    if (p.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return null;
    if (isNullish(m, p.right)) continue;
    const info = fromInitializer(m, p.right, p, 1);
    if (!info || !openAt(m, info, p, resolveSocket)) return null;
    first ??= info;
  }
  if (!first) return null;
  return { kind: 'framework', origin: prop ?? first.origin, reason: `every value assigned to this.${name} is open (${first.reason})`, emitter: first.emitter, typed: first.typed, framework: first.framework };
}

function fromClassProperty(m: TsModule, at: TsNode, name: string): SocketInfo | null {
  const ts = m.ts;
  const prop = m.classProperty(at, name);
  const open = fieldAssignedOnlyOpen(m, at, name, prop ?? null);
  if (open) return open;
  if (prop && ts.isPropertyDeclaration(prop)) {
    if (prop.initializer) {
      const c = constructed(m, prop.initializer);
      if (c?.cls === 'client') return { kind: 'client', origin: prop, reason: `class field created by ${m.brief(prop.initializer, 40)}`, emitter: c.emitter, typed: true, framework: c.framework };
    }
    const typed = typedClient(m, prop.type);
    if (typed) return { kind: 'client', origin: prop, reason: `class field typed ${m.text(prop.type as TsNode)}`, emitter: typed.emitter, typed: true, framework: typed.framework };
  }
  // this.ws = new WebSocket(url) anywhere in the class (constructor, connect())
  const cls = ancestor(at, (n) => ts.isClassDeclaration(n) || ts.isClassExpression(n));
  if (!cls) return null;
  const stack: TsNode[] = [cls];
  while (stack.length) {
    const n = stack.pop() as TsNode;
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(n.left) &&
      n.left.expression.kind === ts.SyntaxKind.ThisKeyword &&
      n.left.name.text === name
    ) {
      const c = constructed(m, n.right);
      if (c?.cls === 'client') return { kind: 'client', origin: n, reason: `this.${name} = ${m.brief(n.right, 40)}`, emitter: c.emitter, typed: true, framework: c.framework };
    }
    n.forEachChild((c) => {
      stack.push(c);
    });
  }
  return null;
}

/** Right-hand sides of `name = …` assignments in the declaration's scope. */
const assignmentsByScope = new WeakMap<TsNode, Map<string, TsNode[]>>();

/** The right-hand sides of `name = …` in the declaration's scope (one walk per scope, not per name: a large file asks for thousands). */
function assignmentsTo(m: TsModule, name: string, decl: TsNode): TsNode[] {
  const ts = m.ts;
  const scope = m.scopeOf(decl);
  let byName = assignmentsByScope.get(scope);
  if (!byName) {
    byName = new Map();
    const stack: TsNode[] = [scope];
    while (stack.length) {
      const n = stack.pop() as TsNode;
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left)) {
        const list = byName.get(n.left.text);
        if (list) list.push(n.right);
        else byName.set(n.left.text, [n.right]);
      }
      n.forEachChild((c) => {
        stack.push(c);
      });
    }
    assignmentsByScope.set(scope, byName);
  }
  return byName.get(name) ?? [];
}

export function isDenoUpgrade(m: TsModule, expr: TsNode): boolean {
  const ts = m.ts;
  return ts.isCallExpression(expr) && ts.isPropertyAccessExpression(expr.expression) && m.text(expr.expression) === 'Deno.upgradeWebSocket';
}

/**
 * The `Deno.upgradeWebSocket(req)` call whose socket an expression is: `upgrade.socket` (or the
 * call's own `.socket`), the `socket` of `const { socket } = Deno.upgradeWebSocket(req)`, or a
 * `const` bound to one of these (`const ws = upgrade.socket`).
 */
export function denoSocketOf(m: TsModule, expr: TsNode, depth = 0): TsNode | null {
  const ts = m.ts;
  const e = bareExpression(ts, expr);
  if (depth > 6) return null;
  if (ts.isPropertyAccessExpression(e)) {
    if (e.name.text !== 'socket') return null;
    const x = bareExpression(ts, e.expression);
    if (isDenoUpgrade(m, x)) return x;
    const init = ts.isIdentifier(x) ? m.initializerOf(x) : null;
    const d = ts.isIdentifier(x) ? m.declarationOf(x.text, x) : null;
    return init && d && ts.isVariableDeclaration(d) && ts.isIdentifier(d.name) && isDenoUpgrade(m, bareExpression(ts, init)) ? bareExpression(ts, init) : null;
  }
  if (!ts.isIdentifier(e)) return null;
  const d = m.declarationOf(e.text, e);
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return null;
  if (ts.isObjectBindingPattern(d.name)) {
    const init = bareExpression(ts, d.initializer);
    const el = d.name.elements.find((b) => ts.isIdentifier(b.name) && b.name.text === e.text);
    const prop = el && (el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : e.text);
    return prop === 'socket' && isDenoUpgrade(m, init) ? init : null;
  }
  // Only a `const`: a `let` may be given another socket later.
  const list = d.parent;
  return ts.isIdentifier(d.name) && list && ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.Const) !== 0 ? denoSocketOf(m, d.initializer, depth + 1) : null;
}

/** What `denoSocketOf` finds, as a socket: CONNECTING until the handler returns its response. */
function pairServer(origin: TsNode): SocketInfo {
  return { kind: 'cf-server', origin, reason: 'the server end of a Cloudflare WebSocketPair', emitter: false, typed: true, framework: 'cloudflare' };
}

function denoSocket(origin: TsNode): SocketInfo {
  return { kind: 'client', origin, reason: 'Deno.upgradeWebSocket socket (CONNECTING until the response is returned)', emitter: false, typed: true, framework: 'deno' };
}

/** The `new WebSocketPair()` an expression is: that expression, or the initializer of a name bound to one. */
function pairOf(m: TsModule, expr: TsNode): TsNode | null {
  const e = bareExpression(m.ts, expr);
  if (constructed(m, e)?.cls === 'pair') return e;
  const init = m.ts.isIdentifier(e) ? m.initializerOf(e) : null;
  return init !== null && constructed(m, init)?.cls === 'pair' ? bareExpression(m.ts, init) : null;
}

/** The pair of `Object.values(new WebSocketPair())` / `Object.values(pair)`. */
function pairValues(m: TsModule, expr: TsNode, depth: number): TsNode | null {
  const ts = m.ts;
  if (!ts.isCallExpression(expr) || m.text(expr.expression) !== 'Object.values' || expr.arguments.length !== 1 || depth >= 4) return null;
  return pairOf(m, expr.arguments[0] as TsNode);
}

/**
 * Which end of a WebSocketPair an expression is: `pair[i]`, or a name bound to one — by
 * destructuring (`[a, b] = Object.values(pair)`, `{ 0: a, 1: b } = pair`, `[a, b] = [pair[0],
 * pair[1]]`), `const a = pair[i]`, `Object.assign(a, …)`.
 */
function pairEnd(m: TsModule, expr: TsNode, depth: number): { pair: TsNode; index: number } | null {
  const ts = m.ts;
  const e = bareExpression(ts, expr);
  if (depth > 6) return null;
  if (ts.isElementAccessExpression(e) && ts.isNumericLiteral(e.argumentExpression)) {
    const pair = pairOf(m, e.expression);
    return pair ? { pair, index: Number(e.argumentExpression.text) } : null;
  }
  if (ts.isCallExpression(e) && m.text(e.expression) === 'Object.assign' && e.arguments[0]) return pairEnd(m, e.arguments[0], depth + 1);
  if (!ts.isIdentifier(e)) return null;
  const d = m.declarationOf(e.text, e);
  return d ? pairEndOfDeclaration(m, d, e.text, depth) : null;
}

/** The pair end a declaration binds to `name`: `const s = pair[1]`, `[c, s] = Object.values(pair)`, `{ 1: s } = pair`, `[c, s] = [pair[0], pair[1]]`. */
function pairEndOfDeclaration(m: TsModule, d: TsNode, name: string, depth: number): { pair: TsNode; index: number } | null {
  const ts = m.ts;
  if (depth > 6 || !ts.isVariableDeclaration(d) || !d.initializer) return null;
  if (ts.isIdentifier(d.name)) return pairEnd(m, d.initializer, depth + 1);
  if (ts.isArrayBindingPattern(d.name)) {
    const idx = d.name.elements.findIndex((b) => ts.isBindingElement(b) && ts.isIdentifier(b.name) && b.name.text === name);
    if (idx < 0) return null;
    const values = pairValues(m, d.initializer, depth);
    if (values) return { pair: values, index: idx };
    const list = bareExpression(ts, d.initializer);
    const el = ts.isArrayLiteralExpression(list) ? list.elements[idx] : undefined;
    return el && !ts.isSpreadElement(el) ? pairEnd(m, el, depth + 1) : null;
  }
  if (ts.isObjectBindingPattern(d.name)) {
    const pair = constructed(m, d.initializer)?.cls === 'pair' ? bareExpression(ts, d.initializer) : null;
    const el = d.name.elements.find((b) => ts.isIdentifier(b.name) && b.name.text === name);
    const key = el?.propertyName ? m.text(el.propertyName) : null;
    return pair && (key === '0' || key === '1') ? { pair, index: Number(key) } : null;
  }
  return null;
}

const serverIndexes = new WeakMap<TsModule, Map<TsNode, number>>();

/**
 * The index of a pair's server end: the end the 101 response does not carry. The end given to
 * `new Response(null, { webSocket: x })` (any `webSocket:` property of the file) goes to the
 * client; the other is the server's, whichever name or position it has. Index 1 (the usual
 * `[client, server]`) when the file gives no end, or both, to a `webSocket:` property.
 */
function serverIndex(m: TsModule, pair: TsNode): number {
  const ts = m.ts;
  let byPair = serverIndexes.get(m);
  if (!byPair) {
    const given = new Map<TsNode, Set<number>>();
    for (const n of m.source.includes('webSocket') ? descendants(ts, m.sf, true) : []) {
      const value = ts.isPropertyAssignment(n) && m.text(n.name) === 'webSocket' ? n.initializer : ts.isShorthandPropertyAssignment(n) && n.name.text === 'webSocket' ? n.name : null;
      const end = value ? pairEnd(m, value, 0) : null;
      if (end && (end.index === 0 || end.index === 1)) given.set(end.pair, (given.get(end.pair) ?? new Set<number>()).add(end.index));
    }
    byPair = new Map();
    for (const [p, ends] of given) if (ends.size === 1) byPair.set(p, 1 - (ends.values().next().value as number));
    serverIndexes.set(m, byPair);
  }
  return byPair.get(pair) ?? 1;
}

/** The same socket: both expressions resolve to the same declaration (or are the same text). */
export function sameSocket(m: TsModule, a0: TsNode, b0: TsNode): boolean {
  const ts = m.ts;
  // `this._ws!`, `(this._ws)` and `on(ws as any, 'message')`'s `ws as any` are the socket.
  const a = bareExpression(ts, a0);
  const b = bareExpression(ts, b0);
  if (m.text(a) === m.text(b) && !ts.isIdentifier(a)) return true;
  if (ts.isIdentifier(a) && ts.isIdentifier(b)) {
    if (a.text !== b.text) return false;
    return m.declarationOf(a.text, a) === m.declarationOf(b.text, b);
  }
  return m.text(a) === m.text(b);
}

/** A socket and the event a callback is registered for on it. */
interface ListenedEvent {
  socket: TsNode;
  event: string;
}

const LISTEN_METHODS = ['on', 'once', 'addListener', 'addEventListener', 'prependListener', 'prependOnceListener'];

/** `ws.on('open', …)` (any of LISTEN_METHODS): what the call registers its second argument for. */
function listenCall(m: TsModule, call: TsNode): ListenedEvent | null {
  const mc = methodCall(m, call);
  const event = stringArg(m, call, 0);
  return mc && event && LISTEN_METHODS.includes(mc.method) ? { socket: mc.receiver, event } : null;
}

/** `ws.onopen = …`: what the assignment registers its right side for. */
function handlerAssignment(m: TsModule, n: TsNode): ListenedEvent | null {
  const ts = m.ts;
  if (!ts.isBinaryExpression(n) || n.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isPropertyAccessExpression(n.left)) return null;
  const prop = n.left.name.text;
  return /^on[a-z]+$/.test(prop) ? { socket: n.left.expression, event: prop.slice(2) } : null;
}

/** `ws.on('open', fn)`, `ws.addEventListener('open', fn)`, `ws.onopen = fn`: the event a callback listens to on a socket. */
export function listenerOf(m: TsModule, fn: TsNode): ListenedEvent | null {
  const ts = m.ts;
  if (!isFunctionLike(ts, fn)) return null;
  const parent = fn.parent;
  if (!parent) return null;
  if (ts.isCallExpression(parent) && parent.arguments[1] === fn) {
    const registered = listenCall(m, parent);
    if (registered) return registered;
  }
  if (ts.isBinaryExpression(parent) && parent.right === fn) {
    const assigned = handlerAssignment(m, parent);
    if (assigned) return assigned;
  }
  // A method or arrow-function field registered by name elsewhere in its class:
  // `this._ws.addEventListener('open', this._handleOpen)` (reconnecting-websocket).
  const member = ts.isMethodDeclaration(fn) ? fn : ts.isPropertyDeclaration(parent) && parent.initializer === fn ? parent : null;
  if (member && ts.isIdentifier(member.name) && member.parent && ts.isClassLike(member.parent)) return registrationOf(m, member.parent, member.name.text);
  return null;
}

/** Where a class registers its member `name` as a socket listener; an 'open' registration wins. */
function registrationOf(m: TsModule, cls: TsNode, name: string): ListenedEvent | null {
  const ts = m.ts;
  // `this.name`, or `this.name.bind(this)`
  const isMember = (e: TsNode | undefined): boolean => {
    let x = e;
    if (x && ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression) && x.expression.name.text === 'bind') x = x.expression.expression;
    return !!x && ts.isPropertyAccessExpression(x) && x.expression.kind === ts.SyntaxKind.ThisKeyword && x.name.text === name;
  };
  let found: ListenedEvent | null = null;
  for (const n of descendants(ts, cls, true)) {
    let hit: ListenedEvent | null = null;
    if (ts.isCallExpression(n) && isMember(n.arguments[1])) hit = listenCall(m, n);
    else if (ts.isBinaryExpression(n) && isMember(n.right)) hit = handlerAssignment(m, n);
    if (hit && (found === null || hit.event === 'open')) found = hit;
  }
  return found;
}
