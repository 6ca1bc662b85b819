// The exported declarations of a TS/JS file and their call signatures (SPEC §5, breaking row):
// exported functions, classes and their public methods, `export const f = () => …`, `export { … }`
// of local functions, and CommonJS `module.exports.x = function` / `module.exports = { … }`.
import type { TsNode } from './compiler.js';
import { loadTypeScript, parseSource } from './compiler.js';

export interface TsParam {
  name: string;
  optional: boolean;
  rest: boolean;
}

export interface TsExport {
  /** `f`, `Client`, `Client.send`. */
  name: string;
  kind: 'function' | 'class' | 'method';
  line: number;
  async: boolean;
  params: TsParam[] | null;
}

export interface TsPublicApi {
  exports: TsExport[];
  syntaxErrorLine: number | null;
}

export async function extractTsPublicApi(fileName: string, source: string): Promise<TsPublicApi> {
  const ts = await loadTypeScript();
  const sf = parseSource(ts, fileName, source);
  const diags = (sf as unknown as { parseDiagnostics?: { start?: number }[] }).parseDiagnostics ?? [];
  if (diags.length) return { exports: [], syntaxErrorLine: sf.getLineAndCharacterOfPosition(diags[0]?.start ?? 0).line + 1 };
  const line = (n: TsNode): number => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const out: TsExport[] = [];
  const isExported = (n: TsNode): boolean => (ts.getCombinedModifierFlags(n as never) & ts.ModifierFlags.Export) !== 0;
  const isAsync = (n: TsNode): boolean => (ts.getCombinedModifierFlags(n as never) & ts.ModifierFlags.Async) !== 0;
  const paramsOf = (fn: TsNode): TsParam[] =>
    ((fn as { parameters?: readonly TsNode[] }).parameters ?? []).filter(ts.isParameter).map((p) => ({
      name: p.name.getText(sf),
      optional: p.questionToken !== undefined || p.initializer !== undefined,
      rest: p.dotDotDotToken !== undefined,
    }));
  const fnLike = (e: TsNode | undefined): e is TsNode => !!e && (ts.isArrowFunction(e) || ts.isFunctionExpression(e));
  const addClass = (name: string, cls: TsNode): void => {
    out.push({ name, kind: 'class', line: line(cls), async: false, params: null });
    if (!(ts.isClassDeclaration(cls) || ts.isClassExpression(cls))) return;
    for (const m of cls.members) {
      const flags = ts.getCombinedModifierFlags(m as never);
      if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
      if (m.name && ts.isPrivateIdentifier(m.name)) continue;
      if (ts.isConstructorDeclaration(m)) out.push({ name: `${name}.constructor`, kind: 'method', line: line(m), async: false, params: paramsOf(m) });
      else if (ts.isMethodDeclaration(m) && m.name && !ts.isComputedPropertyName(m.name)) {
        out.push({ name: `${name}.${m.name.getText(sf)}`, kind: 'method', line: line(m), async: isAsync(m), params: paramsOf(m) });
      }
    }
  };
  const local = new Map<string, TsNode>();
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st) && st.name) local.set(st.name.text, st);
    if (ts.isClassDeclaration(st) && st.name) local.set(st.name.text, st);
    if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.initializer) local.set(d.name.text, d.initializer);
  }
  const addLocal = (exported: string, node: TsNode | undefined): void => {
    if (!node) return;
    if (ts.isFunctionDeclaration(node) || fnLike(node)) out.push({ name: exported, kind: 'function', line: line(node), async: isAsync(node), params: paramsOf(node) });
    else if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) addClass(exported, node);
  };
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st) && isExported(st)) addLocal(st.name?.text ?? 'default', st);
    else if (ts.isClassDeclaration(st) && isExported(st)) addClass(st.name?.text ?? 'default', st);
    else if (ts.isVariableStatement(st) && isExported(st)) {
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) addLocal(d.name.text, d.initializer);
    } else if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) addLocal(el.name.text, local.get((el.propertyName ?? el.name).text));
    } else if (ts.isExportAssignment(st) && ts.isIdentifier(st.expression)) {
      addLocal('default', local.get(st.expression.text));
    } else if (ts.isExpressionStatement(st) && ts.isBinaryExpression(st.expression) && st.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = st.expression.left.getText(sf);
      const right = st.expression.right;
      const named = /^(?:module\.)?exports\.([\w$]+)$/.exec(left);
      if (named) addLocal(named[1] as string, ts.isIdentifier(right) ? local.get(right.text) : right);
      else if (left === 'module.exports' && ts.isObjectLiteralExpression(right)) {
        for (const p of right.properties) {
          if (ts.isShorthandPropertyAssignment(p)) addLocal(p.name.text, local.get(p.name.text));
          else if (ts.isPropertyAssignment(p)) addLocal(p.name.getText(sf), ts.isIdentifier(p.initializer) ? local.get(p.initializer.text) : p.initializer);
          else if (ts.isMethodDeclaration(p)) addLocal(p.name.getText(sf), p as unknown as TsNode);
        }
      }
    }
  }
  return { exports: out, syntaxErrorLine: null };
}

/** What breaks a caller: a removed export, a removed parameter, a new required one, async changed. */
export function diffTsPublicApi(before: TsExport[], after: TsExport[]): { line: number; message: string }[] {
  const now = new Map(after.map((e) => [e.name, e]));
  const breaks: { line: number; message: string }[] = [];
  for (const b of before) {
    const a = now.get(b.name);
    if (!a) {
      breaks.push({ line: b.line, message: `exported ${b.kind} ${b.name} removed` });
      continue;
    }
    if (a.kind !== b.kind) breaks.push({ line: a.line, message: `${b.name} changed from ${b.kind} to ${a.kind}` });
    if (a.async !== b.async) breaks.push({ line: a.line, message: `${b.name} is ${a.async ? 'now' : 'no longer'} async` });
    if (!a.params || !b.params) continue;
    const ap = a.params;
    const bp = b.params;
    const acceptsMore = ap.some((p) => p.rest);
    if (bp.length > ap.length && !acceptsMore) breaks.push({ line: a.line, message: `${b.name} takes ${ap.length} parameters instead of ${bp.length}` });
    ap.forEach((p, i) => {
      const old = bp[i];
      if (!p.optional && !p.rest && (!old || old.optional || old.rest)) breaks.push({ line: a.line, message: `${b.name}: parameter ${p.name} is now required` });
    });
  }
  return breaks;
}
