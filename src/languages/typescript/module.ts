// One parsed TS/JS file: its import table, declarations by name, positions, constant numbers,
// and the repository files its relative imports name (for helpers defined elsewhere).
import path from 'node:path';
import type { Position, Span } from '../../model.js';
import { parseSource, type TS, type TsNode, type TsSourceFile } from './compiler.js';

export interface ImportBinding {
  module: string;
  /** `default`, `*` (namespace or whole `require`), or the exported name. */
  imported: string;
}

export interface SourceReader {
  read(absPath: string): string | null;
}

/** The configured names the TS/JS analysis honours as the Python one does (SPEC §10). */
export interface ConfiguredNames {
  /** Calls that receive: `ws.<name>(…)` or `<name>(ws, …)`. */
  receiveMethods: readonly string[];
  /** Names an otherwise unplaced receiver is taken for a connection by (case-insensitive). */
  connectionNames: readonly string[];
}

/** Where the parsed files of one scan are kept, so that a helper's file is parsed once. */
export class TsProject {
  private readonly modules = new Map<string, TsModule | null>();
  /** The type checker, in the type-aware mode (a tsconfig.json found or named). */
  types: import('./types.js').TypeOracle | null = null;
  /**
   * Set per loop by the analysis of a diff-aware run: the repository files relative imports went
   * into while its guard was looked for (`MessageLoop.dependsOn`).
   */
  resolvedInto: Set<string> | null = null;
  constructor(
    readonly ts: TS,
    readonly reader: SourceReader,
    readonly names: ConfiguredNames = { receiveMethods: [], connectionNames: [] },
  ) {}

  module(absPath: string, text?: string): TsModule | null {
    if (text !== undefined) {
      const m = new TsModule(this, absPath, text);
      this.modules.set(absPath, m);
      return m;
    }
    if (!this.modules.has(absPath)) {
      const source = this.reader.read(absPath);
      this.modules.set(absPath, source === null ? null : new TsModule(this, absPath, source));
    }
    return this.modules.get(absPath) ?? null;
  }

  /** Drops a parsed file (its tree is large); a later `module(path)` parses it again. */
  forget(absPath: string): void {
    this.modules.delete(absPath);
  }

  /** Drops every parsed file. */
  forgetAll(): void {
    this.modules.clear();
  }

  /** How many files (and misses) are kept. */
  get size(): number {
    return this.modules.size;
  }
}

const RESOLVE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

/** A source offset as a 1-based line and column (UTF-16 units, as the compiler counts). */
export function positionIn(sf: TsSourceFile, pos: number): Position {
  const lc = sf.getLineAndCharacterOfPosition(pos);
  return { line: lc.line + 1, column: lc.character + 1 };
}

export class TsModule {
  readonly sf: TsSourceFile;
  readonly ts: TS;
  readonly imports = new Map<string, ImportBinding>();
  /** Every declared name (variables, parameters, functions, classes, imports) → its declaring nodes. */
  readonly declarations = new Map<string, TsNode[]>();

  constructor(
    readonly project: TsProject,
    readonly absPath: string,
    readonly source: string,
  ) {
    this.ts = project.ts;
    this.sf = parseSource(project.ts, absPath, source);
    this.index();
  }

  private declare(name: string, node: TsNode): void {
    const list = this.declarations.get(name);
    if (list) list.push(node);
    else this.declarations.set(name, [node]);
  }

  private index(): void {
    const ts = this.ts;
    const stack: TsNode[] = [this.sf];
    while (stack.length) {
      const node = stack.pop() as TsNode;
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const module = node.moduleSpecifier.text;
        const clause = node.importClause;
        if (clause?.name) this.addImport(clause.name.text, { module, imported: 'default' }, clause.name);
        const nb = clause?.namedBindings;
        if (nb && ts.isNamespaceImport(nb)) this.addImport(nb.name.text, { module, imported: '*' }, nb.name);
        if (nb && ts.isNamedImports(nb)) {
          for (const el of nb.elements) this.addImport(el.name.text, { module, imported: (el.propertyName ?? el.name).text }, el.name);
        }
        continue;
      }
      if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
        this.addImport(node.name.text, { module: node.moduleReference.expression.text, imported: '*' }, node.name);
      }
      if (ts.isVariableDeclaration(node)) {
        const req = node.initializer ? this.requireOf(node.initializer) : null;
        if (req !== null && ts.isIdentifier(node.name)) this.addImport(node.name.text, { module: req.module, imported: req.member ?? '*' }, node.name);
        else if (req !== null && ts.isObjectBindingPattern(node.name)) {
          for (const el of node.name.elements) {
            if (!ts.isIdentifier(el.name)) continue;
            const from = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : el.name.text;
            this.addImport(el.name.text, { module: req.module, imported: from }, el.name);
          }
        }
        this.bindingNames(node.name).forEach((id) => this.declare(id.text, node));
      } else if (ts.isParameter(node)) {
        this.bindingNames(node.name).forEach((id) => this.declare(id.text, node));
      } else if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) && node.name) {
        this.declare(node.name.text, node);
      } else if (ts.isCatchClause(node) && node.variableDeclaration) {
        this.bindingNames(node.variableDeclaration.name).forEach((id) => this.declare(id.text, node.variableDeclaration as TsNode));
      }
      node.forEachChild((c) => {
        stack.push(c);
      });
    }
  }

  private addImport(name: string, binding: ImportBinding, node: TsNode): void {
    this.imports.set(name, binding);
    this.declare(name, node);
  }

  /** `require('ws')` → ws; `require('ws').WebSocket` → ws + WebSocket. */
  requireOf(expr: TsNode): { module: string; member: string | null } | null {
    const ts = this.ts;
    let member: string | null = null;
    let e = expr;
    if (ts.isPropertyAccessExpression(e)) {
      member = e.name.text;
      e = e.expression;
    }
    if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'require' && e.arguments.length === 1) {
      const arg = e.arguments[0] as TsNode;
      if (ts.isStringLiteral(arg)) return { module: arg.text, member };
    }
    return null;
  }

  bindingNames(name: TsNode): TsNamespaceIdentifier[] {
    const ts = this.ts;
    if (ts.isIdentifier(name)) return [name];
    if (ts.isObjectBindingPattern(name) || ts.isArrayBindingPattern(name)) {
      const out: TsNamespaceIdentifier[] = [];
      for (const el of name.elements) if (ts.isBindingElement(el)) out.push(...this.bindingNames(el.name));
      return out;
    }
    return [];
  }

  position(pos: number): Position {
    return positionIn(this.sf, pos);
  }

  span(node: TsNode): Span {
    return { start: this.position(node.getStart(this.sf)), end: this.position(node.getEnd()) };
  }

  text(node: TsNode): string {
    return node.getText(this.sf);
  }

  /** Source text on one line, shortened, for messages. */
  brief(node: TsNode, max = 80): string {
    const t = this.text(node).replace(/\s+/g, ' ').trim();
    return t.length > max ? `${t.slice(0, max - 1)}…` : t;
  }

  /** The declaration of `name` visible at `at`: the one whose scope contains it most closely. */
  declarationOf(name: string, at: TsNode): TsNode | null {
    const list = this.declarations.get(name);
    if (!list) return null;
    let best: TsNode | null = null;
    let bestStart = -1;
    for (const d of list) {
      const scope = this.scopeOf(d);
      if (scope.pos <= at.pos && at.end <= scope.end && scope.pos >= bestStart) {
        best = d;
        bestStart = scope.pos;
      }
    }
    return best;
  }

  /**
   * The initializer of the variable `id` names where it is read — of the whole declaration when
   * it destructures (`const { readable } = await wss.opened`) — or null (a parameter, an import,
   * no initializer). One step: callers that follow a chain of names bound their own depth.
   */
  initializerOf(id: TsNamespaceIdentifier): TsNamespaceExpression | null {
    const d = this.declarationOf(id.text, id);
    return d && this.ts.isVariableDeclaration(d) ? (d.initializer ?? null) : null;
  }

  /** The node a declaration is visible in: the function for parameters and `var`, else the block. */
  scopeOf(decl: TsNode): TsNode {
    const ts = this.ts;
    if (ts.isParameter(decl)) return decl.parent;
    if (ts.isFunctionDeclaration(decl) || ts.isClassDeclaration(decl)) return decl.parent;
    if (ts.isImportSpecifier(decl) || ts.isImportClause(decl) || ts.isNamespaceImport(decl) || ts.isIdentifier(decl)) return this.sf;
    let p: TsNode | undefined = decl.parent;
    const isVar = ts.isVariableDeclarationList(decl.parent) && (decl.parent.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) === 0;
    while (p) {
      if (isFunctionLike(ts, p) || ts.isSourceFile(p)) return p;
      if (!isVar && (ts.isBlock(p) || ts.isForStatement(p) || ts.isForOfStatement(p) || ts.isForInStatement(p) || ts.isCaseBlock(p))) return p;
      p = p.parent;
    }
    return this.sf;
  }

  /** A number a constant expression evaluates to: literals, `const` names, parameters via `env`, + - * /. */
  evalNumber(expr: TsNode | undefined, env: ReadonlyMap<string, number> = new Map(), depth = 0): number | null {
    const ts = this.ts;
    if (!expr || depth > 8) return null;
    if (ts.isNumericLiteral(expr)) return Number(expr.text.replace(/_/g, ''));
    if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isNonNullExpression(expr)) return this.evalNumber(expr.expression, env, depth + 1);
    if (ts.isPrefixUnaryExpression(expr) && expr.operator === ts.SyntaxKind.MinusToken) {
      const v = this.evalNumber(expr.operand, env, depth + 1);
      return v === null ? null : -v;
    }
    if (ts.isBinaryExpression(expr)) {
      const a = this.evalNumber(expr.left, env, depth + 1);
      const b = this.evalNumber(expr.right, env, depth + 1);
      if (a === null || b === null) return null;
      switch (expr.operatorToken.kind) {
        case ts.SyntaxKind.PlusToken:
          return a + b;
        case ts.SyntaxKind.MinusToken:
          return a - b;
        case ts.SyntaxKind.AsteriskToken:
          return a * b;
        case ts.SyntaxKind.SlashToken:
          return b === 0 ? null : a / b;
        default:
          return null;
      }
    }
    if (ts.isIdentifier(expr)) {
      if (env.has(expr.text)) return env.get(expr.text) ?? null;
      const d = this.declarationOf(expr.text, expr);
      if (d && ts.isVariableDeclaration(d) && ts.isIdentifier(d.name) && d.initializer && (d.parent.flags & ts.NodeFlags.Const) !== 0) {
        return this.evalNumber(d.initializer, env, depth + 1);
      }
      if (d && ts.isParameter(d) && d.initializer) return this.evalNumber(d.initializer, env, depth + 1);
      return null;
    }
    if (ts.isPropertyAccessExpression(expr) && expr.expression.kind === ts.SyntaxKind.ThisKeyword) {
      const prop = this.classProperty(expr, expr.name.text);
      if (prop && ts.isPropertyDeclaration(prop) && prop.initializer) return this.evalNumber(prop.initializer, env, depth + 1);
    }
    return null;
  }

  /** The property declaration `name` (`#name` for a private one) of the class around `at`. */
  classProperty(at: TsNode, name: string): TsNode | null {
    const ts = this.ts;
    const cls = ancestor(at, (n) => ts.isClassDeclaration(n) || ts.isClassExpression(n));
    if (!cls || !(ts.isClassDeclaration(cls) || ts.isClassExpression(cls))) return null;
    for (const m of cls.members) {
      if (ts.isPropertyDeclaration(m) && m.name && (ts.isIdentifier(m.name) || ts.isPrivateIdentifier(m.name)) && m.name.text === name) return m;
    }
    return null;
  }

  /** The repository file a relative import names, parsed (helpers defined in another file). */
  importedModule(specifier: string): TsModule | null {
    if (!specifier.startsWith('.')) return null;
    const base = path.resolve(path.dirname(this.absPath), specifier);
    const stem = base.replace(/\.(?:[mc]?js|jsx)$/, '');
    const candidates = [base, ...RESOLVE_EXTENSIONS.map((e) => stem + e), ...RESOLVE_EXTENSIONS.map((e) => path.join(base, `index${e}`))];
    for (const c of candidates) {
      if (c === base && !RESOLVE_EXTENSIONS.some((e) => c.endsWith(e))) continue;
      const m = this.project.module(c);
      if (m) {
        this.project.resolvedInto?.add(m.absPath);
        return m;
      }
    }
    return null;
  }
}

type TsNamespaceIdentifier = import('ts-morph').ts.Identifier;
type TsNamespaceExpression = import('ts-morph').ts.Expression;

/** The expression under parentheses, `!`, `as T`, `<T>` and `satisfies T`: `(this.ws as WebSocket)!` is `this.ws`. */
/**
 * `new Promise((resolve, reject) => …)`: the executor, and the identifiers in `within` (default:
 * the executor; itself included) bound to its parameter `index` — whatever it is named. Null for
 * anything else, or when that parameter is not a plain name.
 */
export function promiseParamUses(m: TsModule, x: TsNode, index: 0 | 1, within?: TsNode): { executor: TsNode; uses: TsNode[] } | null {
  const ts = m.ts;
  if (!ts.isNewExpression(x) || m.text(x.expression) !== 'Promise') return null;
  const executor = x.arguments?.[0];
  if (!executor || !(ts.isArrowFunction(executor) || ts.isFunctionExpression(executor))) return null;
  const param = executor.parameters[index];
  if (!param || !ts.isIdentifier(param.name)) return null;
  const name = param.name.text;
  const root = within ?? executor;
  const uses = [root, ...descendants(ts, root, true)].filter((n) => ts.isIdentifier(n) && n.text === name && n !== param.name && m.declarationOf(name, n) === param);
  return { executor, uses };
}

/**
 * What `find` says of `name` in this module, or — where it has none — in the repository module a
 * re-export takes the name from (`export { name } from './wait'`, `export { a as name } from …`,
 * `export * from './wait'`: a barrel), followed a few levels with a cycle check.
 */
export function throughReexports<T>(m: TsModule, name: string, find: (module: TsModule, name: string) => T | null, seen: Set<TsModule> = new Set()): T | null {
  const own = find(m, name);
  if (own !== null || seen.has(m) || seen.size > 8) return own;
  seen.add(m);
  const ts = m.ts;
  for (const st of m.sf.statements) {
    if (!ts.isExportDeclaration(st) || st.isTypeOnly || !st.moduleSpecifier || !ts.isStringLiteral(st.moduleSpecifier)) continue;
    let imported: string | null = null;
    if (!st.exportClause) imported = name;
    else if (ts.isNamedExports(st.exportClause)) {
      const el = st.exportClause.elements.find((e) => e.name.text === name && !e.isTypeOnly);
      imported = el ? (el.propertyName ?? el.name).text : null;
    }
    const target = imported !== null ? m.importedModule(st.moduleSpecifier.text) : null;
    const found = target && imported !== null ? throughReexports(target, imported, find, seen) : null;
    if (found !== null) return found;
  }
  return null;
}

/** The function a call names in this file: `f(…)`, `this.method(…)`. */
export function calledFunction(m: TsModule, call: TsNode): { fn: TsNode; name: string } | null {
  const ts = m.ts;
  if (!ts.isCallExpression(call)) return null;
  const callee = call.expression;
  if (ts.isIdentifier(callee)) {
    for (const d of m.declarations.get(callee.text) ?? []) {
      if (ts.isFunctionDeclaration(d) && d.body) return { fn: d, name: callee.text };
      if (ts.isVariableDeclaration(d) && d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))) return { fn: d.initializer, name: callee.text };
    }
    return null;
  }
  if (ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const cls = ancestor(call, (n) => ts.isClassDeclaration(n) || ts.isClassExpression(n));
    if (!cls || !(ts.isClassDeclaration(cls) || ts.isClassExpression(cls))) return null;
    for (const member of cls.members) {
      // `this.send(…)` and `this.#send(…)`: a private method is followed as a public one.
      const named = member.name && (ts.isIdentifier(member.name) || ts.isPrivateIdentifier(member.name)) && member.name.text === callee.name.text;
      if (named && ts.isMethodDeclaration(member) && member.body) return { fn: member, name: `this.${callee.name.text}` };
      if (named && ts.isPropertyDeclaration(member) && member.initializer && (ts.isArrowFunction(member.initializer) || ts.isFunctionExpression(member.initializer))) {
        return { fn: member.initializer, name: `this.${callee.name.text}` };
      }
    }
  }
  return null;
}

export function bareExpression(ts: TS, e: TsNode): TsNode {
  let x = e;
  while (ts.isParenthesizedExpression(x) || ts.isNonNullExpression(x) || ts.isAsExpression(x) || ts.isTypeAssertionExpression(x) || ts.isSatisfiesExpression(x)) x = x.expression;
  return x;
}

/** A function, method, constructor or accessor — not a signature or function type (which ts.isFunctionLike counts), nor a static block. */
export function isFunctionLike(ts: TS, n: TsNode): boolean {
  return (
    ts.isFunctionDeclaration(n) ||
    ts.isFunctionExpression(n) ||
    ts.isArrowFunction(n) ||
    ts.isMethodDeclaration(n) ||
    ts.isConstructorDeclaration(n) ||
    ts.isGetAccessorDeclaration(n) ||
    ts.isSetAccessorDeclaration(n)
  );
}

export function ancestor(node: TsNode, pred: (n: TsNode) => boolean): TsNode | null {
  let p: TsNode | undefined = node.parent;
  while (p) {
    if (pred(p)) return p;
    p = p.parent;
  }
  return null;
}

/** Every descendant (pre-order), not entering nested functions unless asked. */
/** What a function body returns: each `return`'s expression (undefined for a bare `return`), or an arrow's expression body. */
export function returnedExpressions(ts: TS, body: TsNode): (TsNode | undefined)[] {
  return ts.isBlock(body) ? descendants(ts, body).filter((n) => ts.isReturnStatement(n)).map((r) => (r as { expression?: TsNode }).expression) : [body];
}

export function descendants(ts: TS, root: TsNode, intoFunctions = false): TsNode[] {
  // Iterative: generated or minified files nest deeper than the call stack allows.
  const out: TsNode[] = [];
  const stack: TsNode[] = [root];
  while (stack.length) {
    const n = stack.pop() as TsNode;
    if (n !== root) {
      out.push(n);
      if (!intoFunctions && isFunctionLike(ts, n)) continue;
    }
    const kids: TsNode[] = [];
    n.forEachChild((c) => {
      kids.push(c);
    });
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i] as TsNode);
  }
  return out;
}
