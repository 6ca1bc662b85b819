// The exported names of a TS/JS file and the call signatures of those callers invoke (SPEC §5,
// breaking row): exported functions (every overload), classes and their public methods (static
// and instance members apart; properties and accessors by presence), `export const f = () => …`, `export { … }` of local declarations,
// CommonJS `module.exports.x = function` / `module.exports = { … }`; and, for their presence
// only, every other exported name: variables, types, interfaces, enums, namespaces and
// re-exports (`export { a } from`, `export * as ns from`, `export * from`; the names the last
// brings from a relative module are listed by `withStarExports`). A signature breaks
// callers when a call it accepted may fail now: see `arityBreaks` (parameters removed, made
// required, rest removed) and `typeChanges` (declared types narrowed, return types widened, type
// parameters changed); adding an optional trailing parameter or widening a type breaks nothing.
import type { ts as TsNamespace } from 'ts-morph';
import type { TsNode } from './compiler.js';
import { NestingLimitError } from '../nesting.js';
import { loadTypeScript, parseSource } from './compiler.js';

/** A type as declared: how it reads and what it is compared by. */
export interface TsType {
  /** As written, comments dropped and whitespace collapsed (for details). */
  text: string;
  /** Its tokens, one space apart (`;` read as `,`, a trailing separator dropped): equal when only layout or comments differ. */
  key: string;
  /** The keys of its union members (`string | Uint8Array` → two; any other type → itself). */
  members: string[];
  /** The key with each name of a type alias or interface of the file (not generic) replaced by its body's key: `Break[]` and `{ line: number }[]` alike. */
  expanded: string;
}

export interface TsParam {
  name: string;
  optional: boolean;
  rest: boolean;
  /** The annotation; null when there is none (not compared then). */
  type: TsType | null;
}

/** One call signature as declared. */
export interface TsSignature {
  params: TsParam[];
  /** The declared return type; null when it is inferred (not compared then). */
  returns: TsType | null;
  /** Type parameters: each one's key (name, constraint, default) and whether it has a default. */
  typeParams: { key: string; text: string; hasDefault: boolean }[];
}

/** Kinds with call signatures; the others are compared by presence. */
export type TsCallableKind = 'function' | 'class' | 'method' | 'static method';
export type TsKind = TsCallableKind | 'property' | 'static property' | 'variable' | 'type' | 'interface' | 'enum' | 'namespace' | 're-export' | 'star re-export';

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
  signatures: TsSignature[] | null;
  /** `export * from` only: the module as written. */
  specifier?: string;
  /** `export * from` only: every name it brings was listed (`withStarExports`), so each is compared. */
  resolved?: true;
  /** A name listed through `export * from` (`withStarExports`): that statement's key. */
  via?: string;
  /** A class that extends another: without a constructor of its own, it takes its base's. */
  inherits?: true;
  /** An abstract class: `new` refuses it. */
  abstract?: true;
}

/** One break: where (at base for a removal), what, and whether this file alone cannot decide it. */
export interface TsBreak {
  line: number;
  message: string;
  unsure?: true;
}

export interface TsPublicApi {
  exports: TsExport[];
  syntaxErrorLine: number | null;
}

const CALLABLE: ReadonlySet<TsKind> = new Set<TsKind>(['function', 'class', 'method', 'static method']);
/** Members of an exported class: they go with it. */
const MEMBER: ReadonlySet<TsKind> = new Set<TsKind>(['method', 'static method', 'property', 'static property']);
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
  const bodies = new Map<string, { overloads: TsSignature[]; implementations: TsSignature[] }>();
  const isExported = (n: TsNode): boolean => (ts.getCombinedModifierFlags(n as never) & ts.ModifierFlags.Export) !== 0;
  const isAsync = (n: TsNode): boolean => (ts.getCombinedModifierFlags(n as never) & ts.ModifierFlags.Async) !== 0;
  /** The file's type aliases and interfaces that take no type parameter (one declaration each): name → body key. */
  let aliases: Map<string, string> | null = null;
  const aliasesOfFile = (): Map<string, string> => {
    if (aliases) return aliases;
    aliases = new Map();
    for (const [name, nodes] of local) {
      const [n] = nodes;
      if (nodes.length !== 1 || !n) continue;
      if (ts.isTypeAliasDeclaration(n) && !n.typeParameters) aliases.set(name, declared(ts, n.type.getText(sf)).key);
      else if (ts.isInterfaceDeclaration(n) && !n.typeParameters && !n.heritageClauses) {
        aliases.set(name, declared(ts, `{ ${n.members.map((m) => m.getText(sf).replace(/[;,]\s*$/, '')).join('; ')} }`).key);
      }
    }
    return aliases;
  };
  const typeOf = (node: TsNamespace.TypeNode | undefined): TsType | null => {
    if (!node) return null;
    const { text, key, expanded } = declared(ts, node.getText(sf), aliasesOfFile());
    return { text, key, expanded, members: ts.isUnionTypeNode(node) ? node.types.map((t) => declared(ts, t.getText(sf)).key) : [key] };
  };
  const signatureOf = (fn: TsNode): TsSignature => {
    const f = fn as { parameters?: readonly TsNode[]; type?: TsNamespace.TypeNode; typeParameters?: readonly TsNamespace.TypeParameterDeclaration[] };
    return {
      params: (f.parameters ?? []).filter(ts.isParameter).map((p) => ({
        // `{\n  a,\n  b,\n}` reads `{ a, b }` in a one-line detail.
        name: p.name.getText(sf).replace(/\s+/g, ' ').replace(/,\s*([}\]])/g, ' $1'),
        optional: p.questionToken !== undefined || p.initializer !== undefined,
        rest: p.dotDotDotToken !== undefined,
        type: typeOf(p.type),
      })),
      // A constructor has no return type of its own.
      returns: ts.isConstructorDeclaration(fn) ? null : typeOf(f.type),
      typeParams: (f.typeParameters ?? []).map((tp) => {
        const { text, key } = declared(ts, tp.getText(sf));
        return { text, key, hasDefault: tp.default !== undefined };
      }),
    };
  };
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
      (hasBody(fn) ? sigs.implementations : sigs.overloads).push(signatureOf(fn));
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
    const entry = byKey.get(name);
    if (entry?.kind === 'class' && cls.heritageClauses?.some((h) => h.token === ts.SyntaxKind.ExtendsKeyword)) entry.inherits = true;
    if (entry?.kind === 'class' && ts.getCombinedModifierFlags(cls as never) & ts.ModifierFlags.Abstract) entry.abstract = true;
    for (const m of cls.members) {
      const flags = ts.getCombinedModifierFlags(m as never);
      if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
      if (m.name && ts.isPrivateIdentifier(m.name)) continue;
      if (ts.isConstructorDeclaration(m)) {
        add(`${name}.constructor`, `${name}.constructor`, 'method', m, m);
        // `constructor(public readonly url: string)` declares a property too.
        for (const p of m.parameters) {
          const pf = ts.getCombinedModifierFlags(p as never);
          if (ts.isParameterPropertyDeclaration(p, m) && !(pf & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) && ts.isIdentifier(p.name)) {
            add(`${name}.${p.name.text}`, `${name}.${p.name.text}`, 'property', p, null);
          }
        }
      } else if ((ts.isMethodDeclaration(m) || ts.isPropertyDeclaration(m) || ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) && m.name && !ts.isComputedPropertyName(m.name)) {
        // `static isValid(iban)` and `isValid()` are two members: keyed apart. A property holding
        // a function (`send = (data: string) => …`) is called as a method; other properties and
        // accessors are compared by presence.
        const isStatic = (flags & ts.ModifierFlags.Static) !== 0;
        const member = `${name}.${m.name.getText(sf)}`;
        const fn = ts.isMethodDeclaration(m) ? m : ts.isPropertyDeclaration(m) && fnLike(m.initializer) ? m.initializer : null;
        const kind = fn !== null ? (isStatic ? 'static method' : 'method') : isStatic ? 'static property' : 'property';
        add(isStatic ? `static ${member}` : member, member, kind, fn ?? m, fn);
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
        if (from !== null) {
          add(`* from '${from}'`, `* from '${from}'`, 'star re-export', st, null);
          const star = byKey.get(`* from '${from}'`);
          if (star) star.specifier = from;
        }
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
        const callable = (n: TsNode): boolean => ts.isFunctionDeclaration(n) || fnLike(n) || ts.isClassDeclaration(n) || ts.isClassExpression(n) || ts.isMethodDeclaration(n);
        const nodes = ts.isIdentifier(value) ? (local.get(value.text) ?? []).filter(callable) : callable(value) ? [value] : [];
        for (const n of nodes) addNode(name, n);
        // Any other value (`exports.VERSION = '1'`, `exports.x = require('./x')`): by presence.
        if (nodes.length === 0) add(name, name, 'variable', value, null);
      };
      if (named) callableOrLocal(named[1] as string, right);
      else if (left === 'module.exports' && ts.isObjectLiteralExpression(right)) {
        for (const p of right.properties) {
          if (ts.isShorthandPropertyAssignment(p)) callableOrLocal(p.name.text, p.name);
          else if (ts.isPropertyAssignment(p)) callableOrLocal(p.name.getText(sf), p.initializer);
          else if (ts.isMethodDeclaration(p)) addNode(p.name.getText(sf), p);
        }
      } else if (left === 'module.exports') {
        // `module.exports = WSv2` (a class or function of the file): what `require` gives, members and all.
        if (ts.isIdentifier(right) && local.has(right.text)) addLocal('module.exports', right.text, st);
        else if (fnLike(right) || ts.isClassExpression(right)) addNode('module.exports', right);
        else add('module.exports', 'module.exports', 'variable', st, null);
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

/** Reads the first of `candidates` (paths relative to the directory of `from`) that exists: its path and text. */
export type ModuleReader = (from: string, candidates: readonly string[]) => Promise<{ file: string; text: string } | null>;

/** How deep `export * from` chains are followed. */
const STAR_DEPTH = 8;

const SCRIPT_EXTENSIONS = ['.ts', '.tsx', '.d.ts', '.js', '.jsx'];

/**
 * Where a relative module specifier may lie, in TypeScript's order (`./x.js` is `./x.ts` first,
 * then `./x.tsx`, `./x.d.ts`, `./x.js`; no extension: those, `.mjs`/`.cjs`, then `./x/index.*`);
 * null for a package name or an absolute path, which this file's repository does not decide.
 */
export function moduleCandidates(specifier: string): string[] | null {
  if (!/^\.\.?(?:\/|$)/.test(specifier)) return null;
  const js = /\.(m|c)?jsx?$/.exec(specifier);
  if (js) {
    const stem = specifier.slice(0, -js[0].length);
    const m = js[1] ?? '';
    return m === '' ? [...SCRIPT_EXTENSIONS.map((e) => stem + e)] : [`${stem}.${m}ts`, `${stem}.d.${m}ts`, `${stem}.${m}js`];
  }
  if (/\.(?:[mc]?ts|tsx)$/.test(specifier)) return [specifier];
  const dir = specifier.replace(/\/$/, '');
  return [...SCRIPT_EXTENSIONS, '.mjs', '.cjs'].map((e) => dir + e).concat(SCRIPT_EXTENSIONS.map((e) => `${dir}/index${e}`));
}

/**
 * `api` with the names each relative `export * from` brings (one level or a chain, each module
 * once), read with `read` from where `file` lies: listed as re-exports of the file (`via` the
 * statement, at its line) unless the file exports the name itself; `default` is never brought.
 * A statement whose every module was read and parsed is marked `resolved`; one naming a package,
 * a module not found or one that does not parse stays as it was (its names are not known).
 */
export async function withStarExports(api: TsPublicApi, file: string, read: ModuleReader): Promise<TsPublicApi> {
  const stars = api.exports.filter((e) => e.kind === 'star re-export' && e.specifier !== undefined);
  if (stars.length === 0) return api;
  const exports = api.exports.map((e) => ({ ...e }));
  const taken = new Set(exports.map((e) => e.key));
  for (const star of exports.filter((e) => e.kind === 'star re-export')) {
    const listedNames = await starNames(file, star.specifier ?? '', read, new Set([file]), 1);
    if (listedNames === null) continue;
    star.resolved = true;
    for (const name of listedNames) {
      if (taken.has(name)) continue;
      taken.add(name);
      exports.push({ name, key: name, kind: 're-export', line: star.line, async: false, signatures: null, via: star.key });
    }
  }
  return { ...api, exports };
}

/** The names `export * from specifier` brings into `from`, or null when some module of the chain could not be read. */
async function starNames(from: string, specifier: string, read: ModuleReader, seen: Set<string>, depth: number): Promise<string[] | null> {
  const candidates = moduleCandidates(specifier);
  if (candidates === null || depth > STAR_DEPTH) return null;
  const target = await read(from, candidates);
  if (target === null) return null;
  // A cycle brings nothing new: the names of the modules on it are listed already.
  if (seen.has(target.file)) return [];
  seen.add(target.file);
  let api: TsPublicApi;
  try {
    api = await extractTsPublicApi(target.file, target.text);
  } catch (e) {
    if (e instanceof NestingLimitError) return null;
    throw e;
  }
  if (api.syntaxErrorLine !== null) return null;
  const names: string[] = [];
  for (const e of api.exports) {
    if (MEMBER.has(e.kind) || e.name === 'default' || e.name === 'export =') continue;
    if (e.kind !== 'star re-export') names.push(e.name);
    else {
      const deeper = e.specifier === undefined ? null : await starNames(target.file, e.specifier, read, seen, depth + 1);
      if (deeper === null) return null;
      names.push(...deeper);
    }
  }
  return names;
}

/** `exported function send`, `re-export helper`, `export * from './x.js'`. */
function described(e: TsExport): string {
  if (e.kind === 'star re-export') return `export ${e.name}`;
  if (e.kind === 're-export') return `re-export ${e.name}`;
  return `exported ${e.kind} ${e.name}`;
}

/** A type's text and key: comments dropped, whitespace collapsed; the key its tokens one space apart. */
function declared(ts: typeof TsNamespace, source: string, aliases?: ReadonlyMap<string, string>): { text: string; key: string; expanded: string } {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, source);
  const shownParts: string[] = [];
  const tokens: string[] = [];
  const names = new Set<number>();
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.WhitespaceTrivia || kind === ts.SyntaxKind.NewLineTrivia || kind === ts.SyntaxKind.SingleLineCommentTrivia || kind === ts.SyntaxKind.MultiLineCommentTrivia) {
      shownParts.push(' ');
      continue;
    }
    const token = scanner.getTokenText();
    shownParts.push(token);
    // `{ a: string; }`, `{ a: string, }` and `{ a: string }` declare the same type: `;` only
    // separates members, where `,` may stand instead, and a trailing separator is optional.
    if (/^[}\])>]$/.test(token) && tokens.at(-1) === ',') tokens.pop();
    if (kind === ts.SyntaxKind.Identifier) names.add(tokens.length);
    tokens.push(token === ';' ? ',' : token);
  }
  // A name not qualified (`ns.Break` is another file's) that the file declares as a type.
  const expand = (t: string, i: number): string[] => {
    const body = names.has(i) && tokens[i - 1] !== '.' && tokens[i + 1] !== '.' ? aliases?.get(t) : undefined;
    return body === undefined ? [t] : body.split(' ');
  };
  const key = canonical(tokens).join(' ');
  return { text: shownParts.join('').replace(/\s+/g, ' ').trim(), key, expanded: aliases ? canonical(tokens.flatMap(expand)).join(' ') : key };
}

const OPENING: Record<string, string> = { '<': '>', '(': ')', '[': ']', '{': '}' };

/** The index of the token closing the bracket at `open`, or -1. */
function closing(tokens: readonly string[], open: number): number {
  const stack: string[] = [];
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i] ?? '';
    const close = OPENING[t];
    if (close !== undefined) stack.push(close);
    else if (t === stack.at(-1)) {
      stack.pop();
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

/** `tokens` split at `,` outside brackets. */
function splitTop(tokens: readonly string[]): string[][] {
  const parts: string[][] = [[]];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] ?? '';
    if (OPENING[t] !== undefined) {
      const end = closing(tokens, i);
      if (end === -1) return [tokens.slice()];
      parts.at(-1)?.push(...tokens.slice(i, end + 1));
      i = end;
    } else if (t === ',') parts.push([]);
    else parts.at(-1)?.push(t);
  }
  return parts;
}

/** Whether `T[]` reads as an array of `tokens` without parentheses: a (dotted, generic) name, a literal, a bracketed type, each possibly an array. */
function isElement(tokens: readonly string[]): boolean {
  let i = 0;
  const first = tokens[0] ?? '';
  if (first === '(' || first === '{' || first === '[') i = closing(tokens, 0) + 1;
  else if (/^[\w$'"`-]/.test(first)) {
    i = 1;
    while (tokens[i] === '.' && /^[\w$]+$/.test(tokens[i + 1] ?? '')) i += 2;
    if (tokens[i] === '<') i = closing(tokens, i) + 1;
  }
  if (i <= 0) return false;
  while (tokens[i] === '[' && tokens[i + 1] === ']') i += 2;
  return i === tokens.length;
}

/**
 * One spelling for the types the language spells two ways: `Array<T>` is `T[]`,
 * `ReadonlyArray<T>` is `readonly T[]` (parenthesised unless `T` is one name, possibly generic or
 * an array), `Readonly<{ a: T }>` is `{ readonly a: T }`.
 */
function canonical(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] ?? '';
    const end = (t === 'Array' || t === 'ReadonlyArray' || t === 'Readonly') && tokens[i + 1] === '<' && tokens[i - 1] !== '.' ? closing(tokens, i + 1) : -1;
    if (end === -1) {
      out.push(t);
      continue;
    }
    const inner = canonical(tokens.slice(i + 2, end));
    if (t === 'Readonly') {
      if (inner[0] !== '{' || closing(inner, 0) !== inner.length - 1) {
        out.push(...tokens.slice(i, i + 2), ...inner, '>');
      } else {
        const members = splitTop(inner.slice(1, -1)).filter((m) => m.length > 0);
        out.push('{', ...members.flatMap((m, j) => [...(j > 0 ? [','] : []), ...(m[0] === 'readonly' ? [] : ['readonly']), ...m]), '}');
      }
    } else {
      const element = isElement(inner) ? inner : ['(', ...inner, ')'];
      out.push(...(t === 'ReadonlyArray' ? ['readonly'] : []), ...element, '[', ']');
    }
    i = end;
  }
  return out;
}

/** Longer signatures are cut: a detail stays one readable line. */
const SHOWN_SIGNATURE = 120;

/** Longer types are cut in a reason: the signatures after it show more. */
const SHOWN_TYPE = 60;

function cut(text: string): string {
  return text.length > SHOWN_TYPE ? `${text.slice(0, SHOWN_TYPE - 1)}…` : text;
}

/** `send(data, binary)`; with `returns`, `send<T>(data: T): void`. */
function shown(name: string, sig: TsSignature, returns = false): string {
  const member = name.slice(name.lastIndexOf('.') + 1);
  const typeParams = returns && sig.typeParams.length > 0 ? `<${sig.typeParams.map((t) => t.text).join(', ')}>` : '';
  const params = sig.params.map((p) => `${p.rest ? '...' : ''}${p.name}${p.optional ? '?' : ''}${p.type ? `: ${p.type.text}` : ''}`).join(', ');
  const text = `${member}${typeParams}(${params})${returns && sig.returns ? `: ${sig.returns.text}` : ''}`;
  return text.length > SHOWN_SIGNATURE ? `${text.slice(0, SHOWN_SIGNATURE - 1)}…` : text;
}

/** Why a call made against `old` may fail against `cur`, by count and optionality of the parameters. */
function arityBreaks(name: string, old: TsParam[], cur: TsParam[]): string[] {
  const reasons: string[] = [];
  const acceptsMore = cur.some((p) => p.rest);
  const oldRest = old.find((p) => p.rest);
  // A rest parameter took any number of arguments: without one, calls passing more than the fixed ones fail.
  if (oldRest && !acceptsMore) reasons.push(`${name}: rest parameter ...${oldRest.name} removed`);
  else if (old.length > cur.length && !acceptsMore) reasons.push(`${name} takes ${cur.length} parameter${cur.length === 1 ? '' : 's'} instead of ${old.length}`);
  cur.forEach((p, i) => {
    const was = old[i];
    if (!p.optional && !p.rest && (!was || was.optional || was.rest)) reasons.push(`${name}: parameter ${p.name} is now required`);
  });
  return reasons;
}

/** Whether `wide` takes every value `narrow` takes, as far as the written types tell: the same type, `any`/`unknown`, or a union with every member of the other. */
function covers(wide: TsType, narrow: TsType): boolean {
  if (wide.key === narrow.key || wide.expanded === narrow.expanded || wide.key === 'any' || wide.key === 'unknown') return true;
  return narrow.members.every((t) => wide.members.includes(t));
}

/** An object literal type's members (`{ readonly a?: T, b: U }`): name → optional and type key; null for anything else (a method, an index or call signature, a union). */
function objectMembers(key: string): Map<string, { optional: boolean; type: string }> | null {
  const tokens = key.split(' ');
  if (tokens[0] !== '{' || closing(tokens, 0) !== tokens.length - 1) return null;
  const members = new Map<string, { optional: boolean; type: string }>();
  for (const m of splitTop(tokens.slice(1, -1))) {
    if (m.length === 0) continue;
    const at = m[0] === 'readonly' && m.length > 2 ? 1 : 0;
    const name = m[at] ?? '';
    const optional = m[at + 1] === '?';
    const colon = at + (optional ? 2 : 1);
    if (!/^[\w$]+$|^['"]/.test(name) || m[colon] !== ':' || m.length === colon + 1) return null;
    members.set(name.replace(/^['"](.*)['"]$/, '$1'), { optional, type: m.slice(colon + 1).join(' ') });
  }
  return members;
}

/**
 * Whether an object literal type `to` takes every value of the object literal type `from`: each
 * member of `to` is in `from` with the same type (required in `from` when required in `to`) or
 * optional; `exact` (a parameter, where a fresh literal's extra members are errors): every member
 * of `from` is in `to` too. Adding an optional member to an options object breaks no caller.
 */
function objectAccepts(to: TsType, from: TsType, exact: boolean): boolean {
  const t = objectMembers(to.expanded);
  const f = objectMembers(from.expanded);
  if (t === null || f === null) return false;
  for (const [name, m] of t) {
    const was = f.get(name);
    if (!was) {
      if (!m.optional) return false;
    } else if (was.type !== m.type || (was.optional && !m.optional)) return false;
  }
  return !exact || [...f.keys()].every((name) => t.has(name));
}

/** The parameter of `cur` an argument in slot `i` of a call now binds to. */
function slot(cur: TsParam[], i: number): TsParam | undefined {
  return cur[i] ?? cur.find((c) => c.rest);
}

/** Parameters whose declared type no longer takes what it took (both declared, neither side rest-only). */
function narrowedParams(old: TsParam[], cur: TsParam[]): { p: TsParam; q: TsParam }[] {
  return old.flatMap((p, i) => {
    const q = slot(cur, i);
    if (!q || q.type === null || p.type === null || q.rest !== p.rest) return [];
    // `b?: string` takes `undefined` as `b: string | undefined` does.
    const takes = q.optional && !q.rest ? { ...q.type, members: [...q.type.members, 'undefined'] } : q.type;
    if (covers(takes, p.type) || objectAccepts(q.type, p.type, true)) return [];
    return [{ p, q }];
  });
}

/** Whether `cur` accepts every call `old` (one overload) accepted, as far as the written types tell. */
function accepts(cur: TsSignature, old: TsSignature): boolean {
  return arityBreaks('', old.params, cur.params).length === 0 && narrowedParams(old.params, cur.params).length === 0;
}

/**
 * How a signature's declared types changed for its callers (SPEC §5: "changed in signature"),
 * like API Extractor's report of a declaration's text but judged by what a caller may rely on:
 * a parameter's type must still take what it took (the same text up to layout and comments,
 * `any`/`unknown`, or a union with every old member: widening breaks no call); the return type
 * must still give only what it gave (the same, a union of some of its members, or `any`); type
 * parameters must keep their place and text, and new ones need a default (calls naming the type
 * arguments). A type on one side only is not compared (inferred, or JavaScript). Each change
 * says whether it is `decided`: not when the two types name different types declared in other
 * modules (or global ones not known here), whose bodies may take the same values.
 */
function typeChanges(old: TsSignature, cur: TsSignature): { reason: string; decided: boolean }[] {
  const own = new Set([...old.typeParams, ...cur.typeParams].map((t) => t.key.split(' ')[0] ?? ''));
  const decided = (a: TsType, b: TsType): boolean => {
    const x = foreignNames(a.expanded, own);
    const y = foreignNames(b.expanded, own);
    return x.size === y.size && [...x].every((n) => y.has(n));
  };
  const changes = narrowedParams(old.params, cur.params).map(({ p, q }) => ({
    reason: `parameter ${p.name}: ${cut(p.type?.text ?? '')} → ${cut(q.type?.text ?? '')}`,
    decided: p.type === null || q.type === null || decided(p.type, q.type),
  }));
  if (old.returns && cur.returns && cur.returns.key !== 'any' && !covers(old.returns, cur.returns) && !objectAccepts(old.returns, cur.returns, false)) {
    changes.push({ reason: `return type ${cut(old.returns.text)} → ${cut(cur.returns.text)}`, decided: decided(old.returns, cur.returns) });
  }
  const reasons: string[] = [];
  const keptTypeParams = old.typeParams.every((t, i) => cur.typeParams[i]?.key === t.key);
  const addedTypeParams = cur.typeParams.slice(old.typeParams.length);
  if (!keptTypeParams || addedTypeParams.some((t) => !t.hasDefault)) {
    const list = (tps: TsSignature['typeParams']): string => (tps.length === 0 ? 'none' : `<${tps.map((t) => t.text).join(', ')}>`);
    reasons.push(`type parameters ${list(old.typeParams)} → ${list(cur.typeParams)}`);
  }
  return [...changes, ...reasons.map((reason) => ({ reason, decided: true }))];
}

/** Types every file knows (the language's and the usual globals'): what they take is known. */
const KNOWN_TYPES = new Set(
  ('string number boolean bigint symbol object null undefined void never any unknown true false this readonly keyof typeof unique infer extends in is asserts new ' +
    'Array ReadonlyArray Promise PromiseLike Record Partial Required Readonly Pick Omit Exclude Extract NonNullable ReturnType Parameters Awaited ' +
    'Map Set WeakMap WeakSet ReadonlyMap ReadonlySet Date RegExp Error Function Object String Number Boolean Symbol BigInt ' +
    'Uint8Array Int8Array Uint16Array Int16Array Uint32Array Int32Array Float32Array Float64Array ArrayBuffer ArrayBufferLike DataView Buffer ' +
    'Iterable AsyncIterable Iterator AsyncIterator IterableIterator Generator AsyncGenerator AbortSignal URL Blob Response Request Headers').split(' '),
);

/** The type names a type key refers to that no file knows by itself: declared elsewhere (imported, global) — not member names, not `own` type parameters. */
function foreignNames(key: string, own: ReadonlySet<string>): Set<string> {
  const tokens = key.split(' ');
  const names = new Set<string>();
  tokens.forEach((t, i) => {
    if (!/^[A-Za-z_$][\w$]*$/.test(t) || KNOWN_TYPES.has(t) || own.has(t) || tokens[i - 1] === '.') return;
    // A member or parameter name: `a: T`, `a?: T`.
    if (tokens[i + 1] === ':' || (tokens[i + 1] === '?' && tokens[i + 2] === ':')) return;
    names.add(t);
  });
  return names;
}

/**
 * What breaks a caller: a removed export, a removed parameter, a new required one, async changed,
 * an overload no remaining signature accepts, a function or class that became a type. A name the
 * file no longer declares while it re-exports a whole module (`export * from`) may come from
 * there, and a function that became a variable may still be one: `unsure`, not a break.
 */
export function diffTsPublicApi(before: TsExport[], after: TsExport[]): TsBreak[] {
  const now = new Map(after.map((e) => [e.key, e]));
  const base = new Map(before.map((e) => [e.key, e]));
  // Names may come from a module `export * from` names that could not be read: not decidable here.
  const unread = after.filter((e) => e.kind === 'star re-export' && !e.resolved);
  const maybeFrom = `maybe re-exported by export ${unread.map((s) => s.name).join(', export ')}`;
  const breaks: TsBreak[] = [];
  for (const b of before) {
    const a = now.get(b.key) ?? implicitConstructor(now, b.key);
    if (a === 'inherited') {
      breaks.push({ line: b.line, message: `${b.name} removed: the class now takes its base class's constructor, not compared`, unsure: true });
      continue;
    }
    if (!a) {
      // A member goes with its class: once the class is gone (or no longer exported) its methods
      // are not listed again; once it is a re-export, its methods are declared elsewhere.
      const owner = MEMBER.has(b.kind) ? b.name.slice(0, b.name.lastIndexOf('.')) : null;
      if (owner !== null && now.get(owner)?.kind !== 'class' && base.has(owner)) continue;
      if (b.kind === 'star re-export' && b.resolved) {
        // Its names were listed: the statement breaks callers only through a name gone with it.
        const lost = before.filter((x) => x.via === b.key && !now.has(x.key)).map((x) => x.name);
        if (lost.length === 0) continue;
        if (unread.length > 0) breaks.push({ line: b.line, message: `${described(b)} removed; ${lost.join(', ')} ${maybeFrom}`, unsure: true });
        else breaks.push({ line: b.line, message: `${described(b)} removed (${lost.length > 3 ? `${lost.slice(0, 3).join(', ')} and ${lost.length - 3} more` : lost.join(', ')} no longer exported)` });
        continue;
      }
      // A name its statement brought, with that statement gone: said with the statement.
      if (b.via !== undefined && !now.has(b.via)) continue;
      if (unread.length > 0 && owner === null && b.kind !== 'star re-export') {
        breaks.push({ line: b.line, message: `${b.name}: no longer declared here; ${maybeFrom}`, unsure: true });
      } else if (b.via !== undefined) {
        breaks.push({ line: b.line, message: `re-export ${b.name} removed (export ${b.via} no longer brings it)` });
      } else breaks.push({ line: b.line, message: `${described(b)} removed` });
      continue;
    }
    breaks.push(...changes(b, a));
  }
  // A constructor declared now where the class had none: compared with the one it had.
  for (const a of after) {
    if (base.has(a.key)) continue;
    const b = implicitConstructor(base, a.key);
    if (b === 'inherited') breaks.push({ line: a.line, message: `${a.name} declared: the class took its base class's constructor, not compared`, unsure: true });
    else if (b) breaks.push(...changes(b, a));
  }
  return breaks;
}

/** How `a` (now) differs from `b` (the base) for callers, both present under one key. */
function changes(b: TsExport, a: TsExport): TsBreak[] {
  if (CALLABLE.has(b.kind) && TYPE_OR_NAMESPACE.has(a.kind)) return [{ line: a.line, message: `${b.name} changed from ${b.kind} to ${a.kind} (no longer callable)` }];
  if (CALLABLE.has(b.kind) && (a.kind === 'variable' || a.kind === 'property' || a.kind === 'static property')) {
    // `export const f = wrap(impl)` may still be the same function: its signature is not written here.
    return [{ line: a.line, message: `${b.name}: ${b.kind} became a ${a.kind === 'variable' ? 'variable' : 'property'}; whether callers can still call it so is not declared here`, unsure: true }];
  }
  // A re-export's signature is elsewhere: its presence is what this file promises.
  if (!CALLABLE.has(a.kind) || !CALLABLE.has(b.kind)) return [];
  const breaks: TsBreak[] = [];
  if (a.kind !== b.kind) breaks.push({ line: a.line, message: `${b.name} changed from ${b.kind} to ${a.kind}` });
  if (a.async !== b.async) breaks.push({ line: a.line, message: `${b.name} is ${a.async ? 'now' : 'no longer'} async` });
  if (a.kind === 'class' && b.kind === 'class' && a.abstract && !b.abstract) breaks.push({ line: a.line, message: `${b.name} is now abstract (\`new ${b.name}(…)\` no longer compiles)` });
  const as = a.signatures;
  const bs = b.signatures;
  if (!as || !bs || as.length === 0 || bs.length === 0) return breaks;
  const [one] = as;
  const [was] = bs;
  if (as.length === 1 && bs.length === 1 && one && was) {
    // One break per declaration, however many reasons: the counts and parameters first, then the types.
    const arity = arityBreaks(b.name, was.params, one.params);
    const changed = typeChanges(was, one);
    const types = changed.map((c) => c.reason);
    const bare = (r: string): string => r.slice(r.startsWith(`${b.name}: `) ? b.name.length + 2 : b.name.length + 1);
    if (types.length > 0) {
      const reasons = [...arity.map(bare), ...types];
      // Only types declared elsewhere changed: whether they take the same values is not known here.
      const unsure = arity.length === 0 && changed.every((c) => !c.decided);
      breaks.push({
        line: a.line,
        message: `${b.name}: signature changed (${reasons.join('; ')}${unsure ? ': types declared in another module, not compared' : ''}): ${shown(b.name, was, true)} → ${shown(b.name, one, true)}`,
        ...(unsure ? { unsure: true as const } : {}),
      });
    } else if (arity.length > 0) {
      breaks.push({ line: a.line, message: arity.length === 1 ? arity[0] ?? '' : `${b.name}: ${arity.map(bare).join('; ')}` });
    }
    return breaks;
  }
  // Overloads: every signature callers had must still be accepted by one of the current ones.
  for (const old of bs) {
    if (as.some((cur) => accepts(cur, old))) continue;
    breaks.push({ line: a.line, message: `${b.name}: no signature accepts ${shown(b.name, old)} any more (overload removed or changed)` });
  }
  return breaks;
}

/**
 * What `new C(…)` calls when the class at `key`'s owner declares no constructor: one taking no
 * argument when it extends nothing, its base class's (`inherited`: not declared here) otherwise;
 * undefined when `key` is no constructor of a class in `exports`.
 */
function implicitConstructor(exports: ReadonlyMap<string, TsExport>, key: string): TsExport | 'inherited' | undefined {
  if (!key.endsWith('.constructor')) return undefined;
  const cls = exports.get(key.slice(0, -'.constructor'.length));
  if (cls?.kind !== 'class') return undefined;
  if (cls.inherits) return 'inherited';
  return { name: key, key, kind: 'method', line: cls.line, async: false, signatures: [{ params: [], returns: null, typeParams: [] }] };
}
