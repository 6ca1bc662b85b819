// The exported names of a TS/JS file and the call signatures of those callers invoke (SPEC §5,
// breaking row): exported functions (every overload), classes and their public methods (static
// and instance members apart), `export const f = () => …`, `export { … }` of local declarations,
// CommonJS `module.exports.x = function` / `module.exports = { … }`; and, for their presence
// only, every other exported name: variables, types, interfaces, enums, namespaces and
// re-exports (`export { a } from`, `export * as ns from`, `export * from`).
import type { ts as TsNamespace } from 'ts-morph';
import type { TsNode } from './compiler.js';
import { loadTypeScript, parseSource } from './compiler.js';

export interface TsParam {
  name: string;
  optional: boolean;
  rest: boolean;
  /** The annotation as written, whitespace collapsed; null when there is none. */
  type: string | null;
}

/** Kinds with call signatures; the others are compared by presence. */
export type TsCallableKind = 'function' | 'class' | 'method' | 'static method';
export type TsKind = TsCallableKind | 'variable' | 'type' | 'interface' | 'enum' | 'namespace' | 're-export' | 'star re-export';

export interface TsExport {
  /** What callers name: `f`, `Client`, `Client.send` (static or instance), `* from './x.js'`. */
  name: string;
  /** Unique per file: the name, `static Client.send` for a static member. */
  key: string;
  kind: TsKind;
  line: number;
  async: boolean;
  /**
   * Its call signatures: the overloads when there are any (the implementation is not callable
   * then), else the one declaration's. Null for a class or a name compared by presence.
   */
  signatures: TsParam[][] | null;
}

export interface TsPublicApi {
  exports: TsExport[];
  syntaxErrorLine: number | null;
}

const CALLABLE: ReadonlySet<TsKind> = new Set<TsKind>(['function', 'class', 'method', 'static method']);
/** Kinds that are no value one can call or construct. */
const TYPE_OR_NAMESPACE: ReadonlySet<TsKind> = new Set<TsKind>(['type', 'interface', 'enum', 'namespace']);

export async function extractTsPublicApi(fileName: string, source: string): Promise<TsPublicApi> {
  const ts = await loadTypeScript();
  const sf = parseSource(ts, fileName, source);
  const diags = (sf as unknown as { parseDiagnostics?: { start?: number }[] }).parseDiagnostics ?? [];
  if (diags.length) return { exports: [], syntaxErrorLine: sf.getLineAndCharacterOfPosition(diags[0]?.start ?? 0).line + 1 };
  const line = (n: TsNode): number => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const byKey = new Map<string, TsExport>();
  /** Signatures of one key seen so far, split into overloads (no body) and implementations. */
  const bodies = new Map<string, { overloads: TsParam[][]; implementations: TsParam[][] }>();
  const isExported = (n: TsNode): boolean => (ts.getCombinedModifierFlags(n as never) & ts.ModifierFlags.Export) !== 0;
  const isAsync = (n: TsNode): boolean => (ts.getCombinedModifierFlags(n as never) & ts.ModifierFlags.Async) !== 0;
  const paramsOf = (fn: TsNode): TsParam[] =>
    ((fn as { parameters?: readonly TsNode[] }).parameters ?? []).filter(ts.isParameter).map((p) => ({
      name: p.name.getText(sf),
      optional: p.questionToken !== undefined || p.initializer !== undefined,
      rest: p.dotDotDotToken !== undefined,
      type: p.type ? p.type.getText(sf).replace(/\s+/g, ' ') : null,
    }));
  const fnLike = (e: TsNode | undefined): e is TsNode => !!e && (ts.isArrowFunction(e) || ts.isFunctionExpression(e));
  /** A body-less function or method is an overload signature (or a declaration in a .d.ts: all of them are). */
  const hasBody = (n: TsNode): boolean => (n as { body?: TsNode }).body !== undefined;

  /** Records one declaration of `key`; a second declaration of a callable adds its signature (overloads). */
  const seen = new Set<string>();
  const add = (key: string, name: string, kind: TsKind, node: TsNode, fn: TsNode | null): void => {
    const prev = byKey.get(key);
    // The same declaration exported twice under one name (`module.exports.f = f` after `{ f }`) is one signature.
    if (fn !== null && CALLABLE.has(kind) && !seen.has(`${fn.pos} ${key}`)) {
      seen.add(`${fn.pos} ${key}`);
      const sigs = bodies.get(key) ?? { overloads: [], implementations: [] };
      bodies.set(key, sigs);
      (hasBody(fn) ? sigs.implementations : sigs.overloads).push(paramsOf(fn));
    }
    // Declaration merging (a function and a namespace, a class and an interface): the callable wins.
    if (prev && (CALLABLE.has(prev.kind) || !CALLABLE.has(kind))) {
      if (prev.kind === kind && isAsync(node)) prev.async = true;
      return;
    }
    byKey.set(key, { name, key, kind, line: line(node), async: isAsync(node), signatures: null });
  };

  const addClass = (name: string, cls: TsNode): void => {
    add(name, name, 'class', cls, null);
    if (!(ts.isClassDeclaration(cls) || ts.isClassExpression(cls))) return;
    for (const m of cls.members) {
      const flags = ts.getCombinedModifierFlags(m as never);
      if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
      if (m.name && ts.isPrivateIdentifier(m.name)) continue;
      if (ts.isConstructorDeclaration(m)) add(`${name}.constructor`, `${name}.constructor`, 'method', m, m);
      else if (ts.isMethodDeclaration(m) && m.name && !ts.isComputedPropertyName(m.name)) {
        // `static isValid(iban)` and `isValid()` are two members: keyed apart.
        const isStatic = (flags & ts.ModifierFlags.Static) !== 0;
        const member = `${name}.${m.name.getText(sf)}`;
        add(isStatic ? `static ${member}` : member, member, isStatic ? 'static method' : 'method', m, m);
      }
    }
  };

  const local = new Map<string, TsNode[]>();
  const remember = (name: string, node: TsNode): void => {
    const list = local.get(name) ?? [];
    list.push(node);
    local.set(name, list);
  };
  for (const st of sf.statements) {
    if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isEnumDeclaration(st)) && st.name) remember(st.name.text, st);
    else if (ts.isModuleDeclaration(st) && ts.isIdentifier(st.name)) remember(st.name.text, st);
    else if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) remember(d.name.text, d.initializer ?? d);
  }

  /** `exported` names `node` (a declaration, an initializer or an expression). */
  const addNode = (exported: string, node: TsNode): void => {
    if (ts.isFunctionDeclaration(node) || fnLike(node) || ts.isMethodDeclaration(node)) add(exported, exported, 'function', node, node);
    else if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) addClass(exported, node);
    else if (ts.isInterfaceDeclaration(node)) add(exported, exported, 'interface', node, null);
    else if (ts.isTypeAliasDeclaration(node)) add(exported, exported, 'type', node, null);
    else if (ts.isEnumDeclaration(node)) add(exported, exported, 'enum', node, null);
    else if (ts.isModuleDeclaration(node)) add(exported, exported, 'namespace', node, null);
    else add(exported, exported, 'variable', node, null);
  };
  /** `exported` names the file's own `localName` (every declaration of it), or one it imported. */
  const addLocal = (exported: string, localName: string, at: TsNode): void => {
    const nodes = local.get(localName);
    if (!nodes) add(exported, exported, 're-export', at, null);
    else for (const n of nodes) addNode(exported, n);
  };

  for (const st of sf.statements) {
    if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && isExported(st)) {
      const isDefault = (ts.getCombinedModifierFlags(st as never) & ts.ModifierFlags.Default) !== 0;
      addNode(isDefault || !st.name ? 'default' : st.name.text, st);
    } else if ((ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isEnumDeclaration(st) || ts.isModuleDeclaration(st)) && isExported(st)) {
      if (ts.isIdentifier(st.name)) addNode(st.name.text, st);
    } else if (ts.isVariableStatement(st) && isExported(st)) {
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name)) addNode(d.name.text, d.initializer ?? d);
        else for (const n of bindingNames(d.name)) add(n.text, n.text, 'variable', n, null);
      }
    } else if (ts.isImportEqualsDeclaration(st) && isExported(st)) {
      add(st.name.text, st.name.text, 're-export', st, null);
    } else if (ts.isExportDeclaration(st)) {
      const from = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : null;
      if (!st.exportClause) {
        // `export * from './x.js'`: names we cannot list here; the statement itself is what callers rely on.
        if (from !== null) add(`* from '${from}'`, `* from '${from}'`, 'star re-export', st, null);
      } else if (ts.isNamespaceExport(st.exportClause)) {
        add(st.exportClause.name.text, st.exportClause.name.text, 're-export', st, null);
      } else {
        for (const el of st.exportClause.elements) {
          const exported = el.name.text;
          if (st.moduleSpecifier) add(exported, exported, 're-export', el, null);
          else addLocal(exported, (el.propertyName ?? el.name).text, el);
        }
      }
    } else if (ts.isExportAssignment(st)) {
      const name = st.isExportEquals ? 'export =' : 'default';
      if (ts.isIdentifier(st.expression)) addLocal(name, st.expression.text, st);
      else addNode(name, st.expression);
    } else if (ts.isExpressionStatement(st) && ts.isBinaryExpression(st.expression) && st.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = st.expression.left.getText(sf);
      const right = st.expression.right;
      const named = /^(?:module\.)?exports\.([\w$]+)$/.exec(left);
      const callableOrLocal = (name: string, value: TsNode): void => {
        if (ts.isIdentifier(value)) {
          const nodes = local.get(value.text);
          for (const n of nodes ?? []) if (ts.isFunctionDeclaration(n) || fnLike(n) || ts.isClassDeclaration(n) || ts.isClassExpression(n)) addNode(name, n);
        } else if (fnLike(value) || ts.isClassExpression(value) || ts.isMethodDeclaration(value)) addNode(name, value);
      };
      if (named) callableOrLocal(named[1] as string, right);
      else if (left === 'module.exports' && ts.isObjectLiteralExpression(right)) {
        for (const p of right.properties) {
          if (ts.isShorthandPropertyAssignment(p)) callableOrLocal(p.name.text, p.name);
          else if (ts.isPropertyAssignment(p)) callableOrLocal(p.name.getText(sf), p.initializer);
          else if (ts.isMethodDeclaration(p)) addNode(p.name.getText(sf), p);
        }
      }
    }
  }
  for (const e of byKey.values()) {
    const sigs = bodies.get(e.key);
    if (sigs && CALLABLE.has(e.kind)) e.signatures = sigs.overloads.length > 0 ? sigs.overloads : sigs.implementations.slice(-1);
  }
  return { exports: [...byKey.values()].sort((a, b) => a.line - b.line), syntaxErrorLine: null };

  function bindingNames(pattern: TsNode): TsNamespace.Identifier[] {
    const out: TsNamespace.Identifier[] = [];
    const visit = (n: TsNode): void => {
      if (ts.isIdentifier(n)) out.push(n);
      else if (ts.isObjectBindingPattern(n) || ts.isArrayBindingPattern(n)) {
        for (const el of n.elements) if (ts.isBindingElement(el)) visit(el.name);
      }
    };
    visit(pattern);
    return out;
  }
}

/** `exported function send`, `re-export helper`, `export * from './x.js'`. */
function described(e: TsExport): string {
  if (e.kind === 'star re-export') return `export ${e.name}`;
  if (e.kind === 're-export') return `re-export ${e.name}`;
  return `exported ${e.kind} ${e.name}`;
}

/** `send(data, binary)`. */
function shown(name: string, sig: TsParam[]): string {
  const member = name.slice(name.lastIndexOf('.') + 1);
  return `${member}(${sig.map((p) => `${p.rest ? '...' : ''}${p.name}${p.optional ? '?' : ''}${p.type ? `: ${p.type}` : ''}`).join(', ')})`;
}

/** Why a call made against `old` may fail against `cur`, by count and optionality of the parameters. */
function arityBreaks(name: string, old: TsParam[], cur: TsParam[]): string[] {
  const reasons: string[] = [];
  const acceptsMore = cur.some((p) => p.rest);
  const oldRest = old.find((p) => p.rest);
  // A rest parameter took any number of arguments: without one, calls passing more than the fixed ones fail.
  if (oldRest && !acceptsMore) reasons.push(`${name}: rest parameter ...${oldRest.name} removed`);
  else if (old.length > cur.length && !acceptsMore) reasons.push(`${name} takes ${cur.length} parameters instead of ${old.length}`);
  cur.forEach((p, i) => {
    const was = old[i];
    if (!p.optional && !p.rest && (!was || was.optional || was.rest)) reasons.push(`${name}: parameter ${p.name} is now required`);
  });
  return reasons;
}

/** The type members of a union, as written: `string | Uint8Array` → string, Uint8Array. */
function members(type: string): Set<string> {
  return new Set(type.split('|').map((t) => t.trim()).filter(Boolean));
}

/** Whether `cur` accepts every call `old` (one overload) accepted, as far as the written types tell. */
function accepts(cur: TsParam[], old: TsParam[]): boolean {
  if (arityBreaks('', old, cur).length > 0) return false;
  return old.every((p, i) => {
    const q = cur[i] ?? cur.find((c) => c.rest);
    if (!q || q.type === null || p.type === null || q.rest !== p.rest) return true;
    if (q.type === p.type || /^(?:any|unknown)$/.test(q.type)) return true;
    const wide = members(q.type);
    return [...members(p.type)].every((t) => wide.has(t));
  });
}

/**
 * What breaks a caller: a removed export, a removed parameter, a new required one, async changed,
 * an overload no remaining signature accepts, a function or class that became a type. A name the
 * file no longer declares while it re-exports a whole module (`export * from`) may come from
 * there, and a function that became a variable may still be one: `unsure`, not a break.
 */
export function diffTsPublicApi(before: TsExport[], after: TsExport[]): { line: number; message: string; unsure?: true }[] {
  const now = new Map(after.map((e) => [e.key, e]));
  const stars = after.filter((e) => e.kind === 'star re-export');
  const breaks: { line: number; message: string; unsure?: true }[] = [];
  for (const b of before) {
    const a = now.get(b.key);
    if (!a) {
      // A member goes with its class: once the class is gone (or no longer exported) its methods
      // are not listed again; once it is a re-export, its methods are declared elsewhere.
      const owner = b.kind === 'method' || b.kind === 'static method' ? b.name.slice(0, b.name.lastIndexOf('.')) : null;
      if (owner !== null && now.get(owner)?.kind !== 'class' && before.some((x) => x.key === owner)) continue;
      if (stars.length > 0 && owner === null && b.kind !== 'star re-export') {
        breaks.push({ line: b.line, message: `${b.name}: no longer declared here; maybe re-exported by export ${stars.map((s) => s.name).join(', export ')}`, unsure: true });
      } else breaks.push({ line: b.line, message: `${described(b)} removed` });
      continue;
    }
    if (CALLABLE.has(b.kind) && TYPE_OR_NAMESPACE.has(a.kind)) {
      breaks.push({ line: a.line, message: `${b.name} changed from ${b.kind} to ${a.kind} (no longer callable)` });
      continue;
    }
    if (CALLABLE.has(b.kind) && a.kind === 'variable') {
      // `export const f = wrap(impl)` may still be the same function: its signature is not written here.
      breaks.push({ line: a.line, message: `${b.name}: ${b.kind} became a variable; whether callers can still call it so is not declared here`, unsure: true });
      continue;
    }
    // A re-export's signature is elsewhere: its presence is what this file promises.
    if (!CALLABLE.has(a.kind) || !CALLABLE.has(b.kind)) continue;
    if (a.kind !== b.kind) breaks.push({ line: a.line, message: `${b.name} changed from ${b.kind} to ${a.kind}` });
    if (a.async !== b.async) breaks.push({ line: a.line, message: `${b.name} is ${a.async ? 'now' : 'no longer'} async` });
    const as = a.signatures;
    const bs = b.signatures;
    if (!as || !bs || as.length === 0 || bs.length === 0) continue;
    const [one] = as;
    const [was] = bs;
    if (as.length === 1 && bs.length === 1 && one && was) {
      breaks.push(...arityBreaks(b.name, was, one).map((message) => ({ line: a.line, message })));
      continue;
    }
    // Overloads: every signature callers had must still be accepted by one of the current ones.
    for (const old of bs) {
      if (as.some((cur) => accepts(cur, old))) continue;
      breaks.push({ line: a.line, message: `${b.name}: no signature accepts ${shown(b.name, old)} any more (overload removed or changed)` });
    }
  }
  return breaks;
}
