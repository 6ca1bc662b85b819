// The logger the TS/JS guard warns through on timeout (SPEC §3b: the module's logger — `logger`,
// `log`, a pino/winston instance — else `console`). A name is used only when it surely has a
// `warn` method: `const log = createDebug('app')` (a function) or `const log = []` would turn the
// timeout path into a TypeError. So: a binding declared exactly once in the file (nothing can
// shadow it), at its top level, whose value is a known logger or which the file already calls
// `.warn(…)` on.
import type { TS, TsNode, TsSourceFile } from '../languages/typescript/compiler.js';
import { descendants } from '../languages/typescript/module.js';

const NAMES = ['logger', 'log', 'LOGGER'];
/** Calls that make a logger: pino, winston/bunyan/… createLogger, log4js/… getLogger, consola. */
const FACTORY = /^(?:pino|require\(['"]pino['"]\)|(?:[\w$]+\.)?createLogger|(?:[\w$]+\.)?getLogger|createConsola|consola\.(?:create|withTag))$/;
/** Packages whose default or named export is itself a logger with `warn`. */
const LOGGER_PACKAGES = new Set(['loglevel', 'consola', 'npmlog', 'signale']);

interface Binding {
  count: number;
  /** The declaration when it is a top-level `const/let/var x = …` or an import. */
  top: TsNode | null;
}

function bindings(ts: TS, sf: TsSourceFile): { byName: Map<string, Binding>; warned: Set<string> } {
  const byName = new Map<string, Binding>();
  const warned = new Set<string>();
  const declare = (name: TsNode | undefined, decl: TsNode, top: boolean): void => {
    if (!name || !ts.isIdentifier(name)) return;
    const b = byName.get(name.text) ?? { count: 0, top: null };
    b.count++;
    if (top) b.top = decl;
    byName.set(name.text, b);
  };
  const topLevel = (d: TsNode): boolean => ts.isVariableDeclarationList(d.parent) && !!d.parent.parent && ts.isVariableStatement(d.parent.parent) && d.parent.parent.parent === sf;
  for (const n of descendants(ts, sf, true)) {
    if (ts.isVariableDeclaration(n)) declare(n.name, n, topLevel(n));
    else if (ts.isParameter(n) || ts.isBindingElement(n)) declare(n.name, n, false);
    else if (ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n) || ts.isFunctionExpression(n) || ts.isClassExpression(n)) declare(n.name, n, false);
    else if (ts.isImportClause(n) || ts.isImportSpecifier(n) || ts.isNamespaceImport(n) || ts.isImportEqualsDeclaration(n)) declare(n.name, n, true);
    else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'warn' && ts.isIdentifier(n.expression.expression)) warned.add(n.expression.expression.text);
  }
  return { byName, warned };
}

function unwrap(ts: TS, e: TsNode): TsNode {
  let n = e;
  while (ts.isParenthesizedExpression(n) || ts.isAwaitExpression(n) || ts.isAsExpression(n) || ts.isNonNullExpression(n) || ts.isSatisfiesExpression(n)) n = n.expression;
  return n;
}

/** A declaration whose value is a logger: `console`, a logger factory's result, an import of a logger package. */
function isLoggerValue(ts: TS, sf: TsSourceFile, decl: TsNode): boolean {
  if (ts.isVariableDeclaration(decl)) {
    if (!decl.initializer) return false;
    const init = unwrap(ts, decl.initializer);
    if (ts.isIdentifier(init)) return init.text === 'console';
    if (!ts.isCallExpression(init) && !ts.isNewExpression(init)) return false;
    return FACTORY.test(init.expression.getText(sf).replace(/\s+/g, ''));
  }
  let imp: TsNode | undefined = decl;
  while (imp && !ts.isImportDeclaration(imp)) imp = imp.parent;
  return !!imp && ts.isImportDeclaration(imp) && ts.isStringLiteral(imp.moduleSpecifier) && LOGGER_PACKAGES.has(imp.moduleSpecifier.text);
}

/** The module's logger, as the guard can call `.warn` on it; `console` when none is surely one. */
export function loggerOf(ts: TS, sf: TsSourceFile): string {
  const { byName, warned } = bindings(ts, sf);
  const usable = (name: string): boolean => {
    const b = byName.get(name);
    return !!b && b.count === 1 && b.top !== null && (warned.has(name) || isLoggerValue(ts, sf, b.top));
  };
  const named = NAMES.find(usable);
  if (named) return named;
  // Any other top-level binding made by a logger factory (`const appLog = pino()`), in file order.
  for (const [name, b] of byName) if (b.top && ts.isVariableDeclaration(b.top) && !NAMES.includes(name) && usable(name)) return name;
  return 'console';
}
