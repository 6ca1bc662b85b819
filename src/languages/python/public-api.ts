// The public API of a Python module, as seen by its callers, and the changes to it
// that break them (the `breaking` check, SPEC §5). Public: functions, classes and their methods
// whose names do not start with `_` (`__init__` and `__call__` kept), the last binding of each.
// A change breaks a call that worked: a name removed; async added or dropped; a function turned
// into a class or a method into a property (or back); a positional slot that now takes another
// parameter, or none; a parameter renamed, removed, made positional-only or keyword-only, or
// stripped of its default; a new parameter without a default; `*args`/`**kwargs` removed. Adding
// a defaulted parameter, a default, or loosening a parameter's kind (positional-only or
// keyword-only to either) breaks nothing. A class is called through its `__init__` (`object()`'s
// for a plain class, the generated one for a `@dataclass`); one that takes its constructor from a
// base class or another decorator on one side only is not decidable here. A name no longer
// defined but still bound (an alias, an import, an inherited method, a class attribute) is not
// removed: see `diffPublicApi`.
import { parsePython, type SyntaxNode } from './parser.js';

export type ParamKind = 'positional-only' | 'positional-or-keyword' | 'var-positional' | 'keyword-only' | 'var-keyword';

export interface ApiParam {
  name: string;
  kind: ParamKind;
  hasDefault: boolean;
}

export type ApiKind = 'function' | 'method' | 'class';

export interface ApiDefinition {
  /** Qualified name: `handle`, `Router`, `Router.handle`. */
  name: string;
  kind: ApiKind;
  async: boolean;
  /**
   * Parameters as written; for a class, its `__init__`'s, none for a plain class without one (no
   * base, decorator or `__new__`: `object()` takes nothing). Null when there is no call signature
   * to compare (a property, a class whose constructor comes from a base class or a decorator).
   */
  params: ApiParam[] | null;
  /** Whether the first parameter is bound by the call (`self`, `cls`) and so not passed by callers. */
  boundFirst: boolean;
  /** A method callers may call on the class itself (`@staticmethod`, `@classmethod`). */
  onClass?: true;
  /** 1-based line of the `def`/`class` (of its first decorator when decorated). */
  line: number;
}

/**
 * What else binds names, for a definition gone from `definitions` whose name may still resolve:
 * module-level assignments and imports, and every class of the module (private ones too, as
 * bases) with its methods, class-body attributes and bases as written.
 */
export interface Bindings {
  /** Module-level names bound other than by `def`/`class`: how, and for `X = Y` the name `Y`; `line` 1-based. */
  names: Map<string, { how: 'assigned' | 'imported'; alias: string | null; line: number; from?: { module: string; name: string } }>;
  /**
   * Names imported to be re-exported: by a relative import (`from .a import x`: a package's
   * `__init__.py` re-exports them) or, anywhere, as themselves (`from m import x as x`, PEP 484).
   */
  imported: Map<string, { relative: boolean; explicit: boolean; line: number }>;
  /** `__all__ = [...]` (the last, of string literals only): its names and line; null when there is none or it is not a plain list. */
  all: { names: string[]; line: number } | null;
  /** `from m import *` at module level: any name may come from there. */
  starImports: string[];
  /** Every top-level class by name (the last binding). */
  classes: Map<string, ClassBindings>;
}

export interface ClassBindings {
  /** Its methods by bare name (private ones too), as `classDefinitions` reads them. */
  methods: Map<string, ApiDefinition>;
  /** Names bound in its body other than by `def`: `x = 1`, `x: int`. */
  attributes: Set<string>;
  /** Its base classes as written, without type arguments (`Base`, `mod.Base`; `Base[T]` is `Base`). */
  bases: string[];
}

export interface PublicApi {
  definitions: ApiDefinition[];
  bindings: Bindings;
  /** 1-based line of the first syntax error, or null when the source parses. */
  syntaxErrorLine: number | null;
}

/** One breaking difference: `message` is a one-line description, `line` where it is (at base for a removal). */
export interface ApiBreak {
  name: string;
  line: number;
  message: string;
  /** Not decidable from this module alone (a constructor that comes from elsewhere on one side). */
  unsure?: true;
}

const KEPT_DUNDERS = new Set(['__init__', '__call__']);

/** Parses `source` and extracts its public API; a source with syntax errors still yields what tree-sitter recovered. */
export async function extractPublicApi(source: string): Promise<PublicApi> {
  const tree = await parsePython(source);
  try {
    const root = tree.rootNode;
    return { definitions: publicApiOf(root), bindings: bindingsOf(root), syntaxErrorLine: root.hasError ? firstErrorLine(root) : null };
  } finally {
    tree.delete();
  }
}

/** The public definitions of a parsed module, one per qualified name (the binding that wins at run time). */
function publicApiOf(module: SyntaxNode): ApiDefinition[] {
  const found: ApiDefinition[] = [];
  for (const { def, decorators, line } of definitionsIn(module)) {
    const name = fieldText(def, 'name');
    if (name === null || name.startsWith('_')) continue;
    // A later binding of the name replaces the earlier one, methods and all.
    const replaced = found.filter((d) => d.name !== name && !d.name.startsWith(`${name}.`));
    found.length = 0;
    found.push(...replaced);
    if (def.type === 'function_definition') {
      found.push(functionDefinition(def, name, 'function', decorators, line));
    } else if (def.type === 'class_definition') {
      found.push(...classDefinitions(def, name, decorators, line));
    }
  }
  return found;
}

/** The module's other bindings and its classes (`Bindings`). */
function bindingsOf(module: SyntaxNode): Bindings {
  const out: Bindings = { names: new Map(), imported: new Map(), all: null, starImports: [], classes: new Map() };
  for (const stmt of statementsIn(module)) {
    const line = stmt.startPosition.row + 1;
    if (stmt.type === 'expression_statement') {
      for (const { name, alias } of assignedNames(stmt)) out.names.set(name, { how: 'assigned', alias, line });
      const all = allList(stmt);
      if (all !== undefined) out.all = all === null ? null : { names: all, line };
    } else if (stmt.type === 'import_statement' || stmt.type === 'import_from_statement') {
      const relative = stmt.type === 'import_from_statement' && stmt.childForFieldName('module_name')?.type === 'relative_import';
      for (const child of stmt.namedChildren) {
        if (!child) continue;
        if (child.type === 'wildcard_import') out.starImports.push(fieldText(stmt, 'module_name') ?? '?');
        if (child === stmt.childForFieldName('module_name')) continue;
        // `import a.b` binds `a`; `from m import a as b` binds `b`.
        const bound = child.type === 'aliased_import' ? fieldText(child, 'alias') : child.type === 'dotted_name' ? child.text.split('.')[0] ?? null : null;
        if (!bound) continue;
        const original = child.type === 'aliased_import' ? fieldText(child, 'name') ?? bound : bound;
        const module = stmt.type === 'import_from_statement' ? fieldText(stmt, 'module_name') : null;
        out.names.set(bound, { how: 'imported', alias: null, line, ...(module !== null ? { from: { module, name: original } } : {}) });
        const explicit = child.type === 'aliased_import' && fieldText(child, 'name') === bound;
        if (stmt.type === 'import_from_statement' && (relative || explicit)) out.imported.set(bound, { relative, explicit, line });
      }
    }
  }
  for (const { def } of definitionsIn(module)) {
    const name = fieldText(def, 'name');
    if (name === null) continue;
    out.names.delete(name);
    if (def.type !== 'class_definition') continue;
    const methods = new Map<string, ApiDefinition>();
    const attributes = new Set<string>();
    const body = def.childForFieldName('body');
    if (body) {
      for (const m of definitionsIn(body)) {
        const mName = fieldText(m.def, 'name');
        if (m.def.type === 'function_definition' && mName !== null) methods.set(mName, functionDefinition(m.def, `${name}.${mName}`, 'method', m.decorators, m.line));
      }
      for (const stmt of statementsIn(body)) if (stmt.type === 'expression_statement') for (const a of assignedNames(stmt)) attributes.add(a.name);
    }
    const bases = def.childForFieldName('superclasses')?.namedChildren.filter((b): b is SyntaxNode => b !== null && b.type !== 'comment' && b.type !== 'keyword_argument').map((b) => b.text.replace(/\[[\s\S]*$/, '')) ?? [];
    out.classes.set(name, { methods, attributes, bases });
  }
  return out;
}

/** `__all__ = [...]` / `(...)` of string literals: its names; null for another value; undefined for another statement. */
function allList(stmt: SyntaxNode): string[] | null | undefined {
  const assignment = stmt.namedChildren[0];
  if (assignment?.type !== 'assignment' || assignment.childForFieldName('left')?.text !== '__all__') return undefined;
  const value = assignment.childForFieldName('right');
  if (value?.type !== 'list' && value?.type !== 'tuple') return null;
  const names: string[] = [];
  for (const item of value.namedChildren) {
    if (!item || item.type === 'comment') continue;
    const text = item.type === 'string' && !item.namedChildren.some((c) => c?.type === 'interpolation') ? /^[rRuU]?(['"])(.*)\1$/s.exec(item.text)?.[2] : undefined;
    if (text === undefined) return null;
    names.push(text);
  }
  return names;
}

/**
 * Names the module re-exported at the base and no longer does: one in `__all__` that is gone
 * from it (its own line when the name is not bound any more), a name a package's `__init__.py`
 * imported relatively (or any module as itself, `import x as x`) that is no longer bound. A name
 * `def`/`class` defined is left to `diffPublicApi`, but for its place in `__all__`.
 */
export function diffReexports(base: PublicApi, now: PublicApi | null, packageInit: boolean): ApiBreak[] {
  const breaks: ApiBreak[] = [];
  const before = base.bindings;
  const after = now?.bindings ?? null;
  const topLevel = (api: PublicApi | null): Set<string> => new Set((api?.definitions ?? []).filter((d) => d.kind !== 'method').map((d) => d.name));
  const definedBefore = topLevel(base);
  const definedNow = topLevel(now);
  const boundNow = (name: string): boolean => after !== null && (after.names.has(name) || definedNow.has(name) || after.starImports.length > 0);
  const reported = new Set<string>();
  if (before.all !== null && after !== null && after.all !== null) {
    const kept = new Set(after.all.names);
    for (const name of before.all.names) {
      if (kept.has(name)) continue;
      reported.add(name);
      if (boundNow(name)) breaks.push({ name, line: after.all.line, message: `${name} removed from __all__ (\`from … import *\` no longer brings it)` });
      else if (!definedBefore.has(name)) breaks.push({ name, line: before.all.line, message: `removed ${name} (listed in __all__)` });
    }
  }
  for (const [name, b] of before.imported) {
    if (reported.has(name) || name.startsWith('_') || !(b.explicit || (b.relative && packageInit)) || boundNow(name)) continue;
    breaks.push({ name, line: b.line, message: `removed re-export ${name}` });
  }
  return breaks;
}

/** The statements of `block`, also inside `if`/`try` blocks (as `definitionsIn` reads them). */
function statementsIn(block: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const stmt of block.namedChildren) {
    if (!stmt) continue;
    if (isCompoundBranching(stmt.type)) for (const sub of nestedBlocks(stmt)) out.push(...statementsIn(sub));
    else out.push(stmt);
  }
  return out;
}

/** The plain names an assignment statement binds (`a = b = C`, `x: int`, `a, b = …`); `alias`: the value when it is one name. */
function assignedNames(stmt: SyntaxNode): { name: string; alias: string | null }[] {
  const out: { name: string; alias: string | null }[] = [];
  let node = stmt.namedChildren[0] ?? null;
  const targets: SyntaxNode[] = [];
  while (node?.type === 'assignment') {
    const left = node.childForFieldName('left');
    if (left) targets.push(left);
    node = node.childForFieldName('right');
  }
  const alias = node?.type === 'identifier' ? node.text : null;
  const visit = (t: SyntaxNode): void => {
    if (t.type === 'identifier') out.push({ name: t.text, alias });
    else if (t.type === 'pattern_list' || t.type === 'tuple_pattern' || t.type === 'list_pattern') for (const c of t.namedChildren) if (c) visit(c);
  };
  for (const t of targets) visit(t);
  return out;
}

function classDefinitions(cls: SyntaxNode, className: string, classDecorators: string[], line: number): ApiDefinition[] {
  const body = cls.childForFieldName('body');
  const methods: ApiDefinition[] = [];
  let definesNew = false;
  if (body) {
    for (const { def, decorators, line: methodLine } of definitionsIn(body)) {
      const name = fieldText(def, 'name');
      if (def.type !== 'function_definition' || name === null) continue;
      if (name === '__new__') definesNew = true;
      if (name.startsWith('_') && !KEPT_DUNDERS.has(name)) continue;
      methods.push(functionDefinition(def, `${className}.${name}`, 'method', decorators, methodLine));
    }
  }
  const kept = lastBindings(methods);
  const init = kept.find((m) => m.name === `${className}.__init__`);
  // Without `__init__`: `class C:` / `class C(object):` with no `__new__` is constructed as
  // `C()`, or as its fields say under `@dataclass`; with a base class or another decorator, as
  // something not declared here.
  const bases = cls.childForFieldName('superclasses')?.namedChildren.filter((b) => b !== null && b.type !== 'comment') ?? [];
  const ownConstructor = !definesNew && bases.every((b) => b?.type === 'identifier' && b.text === 'object');
  const generated = !ownConstructor ? null : classDecorators.length === 0 ? [] : body ? dataclassInit(cls, body) : null;
  const klass: ApiDefinition = {
    name: className,
    kind: 'class',
    async: false,
    params: init?.params ?? generated,
    boundFirst: init?.boundFirst ?? false,
    line,
  };
  return [klass, ...kept];
}

/**
 * The `__init__` `@dataclass` (its only decorator) generates: one parameter per field in order —
 * an annotated class attribute that is no `ClassVar` nor `field(init=False)` — defaulted when it
 * has a value other than `field(…)` without `default`/`default_factory`; keyword-only under
 * `kw_only=True` or after `_: KW_ONLY`. Null for any other decorator, or `init=False`.
 */
function dataclassInit(cls: SyntaxNode, body: SyntaxNode): ApiParam[] | null {
  const decorated = cls.parent?.type === 'decorated_definition' ? cls.parent : null;
  const decorators = decorated?.namedChildren.filter((c): c is SyntaxNode => c?.type === 'decorator') ?? [];
  const [only] = decorators;
  if (decorators.length !== 1 || !only || !/^(?:dataclasses\.)?dataclass$/.test(decoratorName(only))) return null;
  const options = keywordArguments(only.namedChildren.find((c) => c?.type === 'call') ?? null);
  if (options.get('init') === 'False') return null;
  let keywordOnly = options.get('kw_only') === 'True';
  const params: ApiParam[] = [];
  for (const stmt of body.namedChildren) {
    const assignment = stmt?.type === 'expression_statement' ? stmt.namedChildren[0] : null;
    const left = assignment?.type === 'assignment' ? assignment.childForFieldName('left') : null;
    const type = assignment?.childForFieldName('type')?.text.replace(/\s+/g, '') ?? null;
    if (!assignment || left?.type !== 'identifier' || type === null) continue;
    if (/^(?:dataclasses\.)?KW_ONLY$/.test(type)) {
      keywordOnly = true;
      continue;
    }
    if (/^(?:typing\.)?ClassVar\b/.test(type)) continue;
    const value = assignment.childForFieldName('right');
    const callee = value?.type === 'call' ? value.childForFieldName('function')?.text : null;
    const field = callee === 'field' || callee === 'dataclasses.field' ? keywordArguments(value ?? null) : null;
    if (field?.get('init') === 'False') continue;
    const hasDefault = value !== null && value !== undefined && (field === null || field.has('default') || field.has('default_factory'));
    params.push({ name: left.text, kind: keywordOnly || field?.get('kw_only') === 'True' ? 'keyword-only' : 'positional-or-keyword', hasDefault });
  }
  return params;
}

/** A call's keyword arguments: name → value text (empty for no call). */
function keywordArguments(call: SyntaxNode | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const arg of call?.childForFieldName('arguments')?.namedChildren ?? []) {
    const name = arg?.type === 'keyword_argument' ? fieldText(arg, 'name') : null;
    if (arg && name !== null) out.set(name, fieldText(arg, 'value') ?? '');
  }
  return out;
}

function functionDefinition(
  def: SyntaxNode,
  name: string,
  kind: 'function' | 'method',
  decorators: string[],
  line: number,
): ApiDefinition {
  const isProperty = decorators.some((d) => /^(?:(?:functools\.)?(?:cached_)?property|\w+\.(?:setter|getter|deleter))$/.test(d));
  const isStatic = decorators.some((d) => d === 'staticmethod');
  const onClass = kind === 'method' && decorators.some((d) => d === 'staticmethod' || d === 'classmethod');
  const params = def.childForFieldName('parameters');
  return {
    name,
    kind,
    async: def.children.some((c) => c?.type === 'async'),
    // A property is read as an attribute: only its presence matters to callers.
    params: isProperty ? null : params ? parameters(params) : [],
    boundFirst: kind === 'method' && !isStatic,
    ...(onClass ? { onClass: true as const } : {}),
    line,
  };
}

/** Function and class definitions directly in `block`, also inside `if`/`try` blocks (TYPE_CHECKING, import fallbacks). */
function definitionsIn(block: SyntaxNode): { def: SyntaxNode; decorators: string[]; line: number }[] {
  const out: { def: SyntaxNode; decorators: string[]; line: number }[] = [];
  for (const stmt of block.namedChildren) {
    if (!stmt) continue;
    if (stmt.type === 'function_definition' || stmt.type === 'class_definition') {
      out.push({ def: stmt, decorators: [], line: stmt.startPosition.row + 1 });
    } else if (stmt.type === 'decorated_definition') {
      const def = stmt.childForFieldName('definition');
      if (!def) continue;
      const decorators = stmt.namedChildren
        .filter((c): c is SyntaxNode => c?.type === 'decorator')
        .map((d) => decoratorName(d));
      out.push({ def, decorators, line: stmt.startPosition.row + 1 });
    } else if (isCompoundBranching(stmt.type)) {
      for (const sub of nestedBlocks(stmt)) out.push(...definitionsIn(sub));
    }
  }
  return out;
}

function isCompoundBranching(type: string): boolean {
  return type === 'if_statement' || type === 'try_statement';
}

/** The blocks of an `if` (with its elif/else) or a `try` (with except/else/finally). */
function nestedBlocks(stmt: SyntaxNode): SyntaxNode[] {
  const blocks: SyntaxNode[] = [];
  for (const child of stmt.namedChildren) {
    if (!child) continue;
    if (child.type === 'block') blocks.push(child);
    else if (/^(elif_clause|else_clause|except_clause|except_group_clause|finally_clause)$/.test(child.type)) {
      for (const b of child.namedChildren) if (b?.type === 'block') blocks.push(b);
    }
  }
  return blocks;
}

/** `@app.get("/x")` → `app.get`; `@staticmethod` → `staticmethod`. */
function decoratorName(decorator: SyntaxNode): string {
  const expr = decorator.namedChildren.find((c) => c !== null) ?? null;
  if (!expr) return '';
  const callee = expr.type === 'call' ? expr.childForFieldName('function') : expr;
  return (callee?.text ?? '').replace(/\s+/g, '');
}

function parameters(list: SyntaxNode): ApiParam[] {
  const params: ApiParam[] = [];
  let afterStar = false;
  for (const node of list.namedChildren) {
    if (!node) continue;
    switch (node.type) {
      case 'positional_separator':
        // Everything before `/` is positional-only.
        for (const p of params) if (p.kind === 'positional-or-keyword') p.kind = 'positional-only';
        break;
      case 'keyword_separator':
        afterStar = true;
        break;
      case 'list_splat_pattern':
      case 'dictionary_splat_pattern':
      case 'typed_parameter': {
        const splat = node.type === 'typed_parameter' ? node.namedChildren[0] ?? null : node;
        if (splat?.type === 'list_splat_pattern') {
          params.push({ name: splatName(splat), kind: 'var-positional', hasDefault: false });
          afterStar = true;
        } else if (splat?.type === 'dictionary_splat_pattern') {
          params.push({ name: splatName(splat), kind: 'var-keyword', hasDefault: false });
        } else if (splat?.type === 'identifier') {
          params.push({ name: splat.text, kind: plainKind(afterStar), hasDefault: false });
        }
        break;
      }
      case 'identifier':
        params.push({ name: node.text, kind: plainKind(afterStar), hasDefault: false });
        break;
      case 'default_parameter':
      case 'typed_default_parameter':
        params.push({ name: fieldText(node, 'name') ?? '?', kind: plainKind(afterStar), hasDefault: true });
        break;
      default:
        // Comments and Python 2 tuple parameters carry no signature.
        break;
    }
  }
  return params;
}

function plainKind(afterStar: boolean): ParamKind {
  return afterStar ? 'keyword-only' : 'positional-or-keyword';
}

function splatName(splat: SyntaxNode): string {
  return splat.namedChildren.find((c) => c?.type === 'identifier')?.text ?? '';
}

function fieldText(node: SyntaxNode, field: string): string | null {
  return node.childForFieldName(field)?.text ?? null;
}

/**
 * Keeps one definition per name: the last in source order, as Python binds it (the
 * implementation after `@overload` stubs, the setter after its property, the `except`
 * fallback after the `try` variant).
 */
function lastBindings(defs: ApiDefinition[]): ApiDefinition[] {
  const byName = new Map<string, ApiDefinition>();
  for (const d of defs) byName.set(d.name, d);
  return [...byName.values()].sort((a, b) => a.line - b.line);
}

function firstErrorLine(root: SyntaxNode): number {
  const cursor = root.walk();
  try {
    for (;;) {
      const node = cursor.currentNode;
      if (node.isError || node.isMissing) return node.startPosition.row + 1;
      if (node.hasError && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return root.startPosition.row + 1;
      }
    }
  } finally {
    cursor.delete();
  }
}

// ---- comparison ----

/**
 * The breaking differences from `before` to `after`: each with its name, line and one-line
 * message. With the module's other bindings now (`bindings`), a name no longer defined but still
 * bound is not removed: `X = Y` of a definition of the module is compared as `Y`; a method the
 * class now inherits from a base class of the module is compared with the base's; a property now
 * a class attribute reads the same; any other binding (an import, an assignment, a name a
 * `from m import *` may bring) is not decidable here.
 */
export function diffPublicApi(before: ApiDefinition[], after: ApiDefinition[], bindings?: Bindings): ApiBreak[] {
  const now = new Map(after.map((d) => [d.name, d]));
  if (bindings) {
    // `Params = Base`: callers of Params now call Base, methods and all.
    for (const [name, b] of bindings.names) {
      const target = b.alias === null || now.has(name) ? undefined : now.get(b.alias);
      if (!target || b.alias === null) continue;
      now.set(name, { ...target, name });
      for (const d of after) if (d.name.startsWith(`${b.alias}.`)) now.set(`${name}${d.name.slice(b.alias.length)}`, { ...d, name: `${name}${d.name.slice(b.alias.length)}` });
    }
  }
  const breaks: ApiBreak[] = [];
  for (const old of before) {
    // A class carries its `__init__`'s signature: a change is reported once, on the class.
    if (old.kind === 'method' && old.name.endsWith('.__init__')) continue;
    const cur = now.get(old.name);
    if (!cur) {
      // A method goes with its class: once the class is gone (or no longer a class) it is not listed again.
      const owner = old.kind === 'method' ? old.name.slice(0, old.name.lastIndexOf('.')) : null;
      if (owner !== null && now.get(owner)?.kind !== 'class') continue;
      const bound = bindings ? stillBound(old, owner, bindings) : null;
      if (bound === 'kept') continue;
      if (bound === null) breaks.push({ name: old.name, line: old.line, message: `removed ${old.name}` });
      else if (typeof bound === 'string') breaks.push({ name: old.name, line: old.line, message: bound, unsure: true });
      else {
        const reasons = signatureBreaks(old, bound);
        if (reasons.length > 0) breaks.push({ name: old.name, line: bound.line, message: `${renderSignature(old)} → ${renderSignature(bound)} (${reasons.join('; ')})` });
      }
      continue;
    }
    // A constructor now inherited from a base class of the module: compared with that one.
    const init = bindings && old.kind === 'class' && cur.kind === 'class' && cur.params === null ? member(bindings, old.name, '__init__') : null;
    if (init !== null && init !== 'attribute' && init.params !== null) {
      const inherited: ApiDefinition = { ...cur, params: init.params, boundFirst: init.boundFirst };
      const reasons = signatureBreaks(old, inherited);
      if (reasons.length > 0) breaks.push({ name: old.name, line: cur.line, message: `${renderSignature(old)} → ${renderSignature(inherited)} (${reasons.join('; ')})` });
      continue;
    }
    if (old.kind === 'class' && cur.kind === 'class' && (old.params === null) !== (cur.params === null)) {
      // One side declares the constructor, the other takes it from a base class or a decorator.
      const message = old.params === null
        ? `${old.name}: __init__ now declares the constructor, which came from a base class or decorator: not compared`
        : `${old.name}: __init__ removed, the constructor now comes from a base class or decorator: not compared`;
      breaks.push({ name: old.name, line: cur.line, message, unsure: true });
      continue;
    }
    const reasons = signatureBreaks(old, cur);
    if (reasons.length > 0) {
      breaks.push({
        name: old.name,
        line: cur.line,
        message: `${renderSignature(old)} → ${renderSignature(cur)} (${reasons.join('; ')})`,
      });
    }
  }
  return breaks;
}

/**
 * How a name no longer defined is still bound now: a definition to compare with (a method
 * inherited from a base class of the module), `kept` (a property now a class attribute), a
 * message when it is bound but not decidable here, or null: removed.
 */
function stillBound(old: ApiDefinition, owner: string | null, bindings: Bindings): ApiDefinition | 'kept' | string | null {
  if (owner === null) {
    const b = bindings.names.get(old.name);
    if (b) return `${old.name} is now ${b.how === 'imported' ? 'imported' : `assigned (${old.name} = ${b.alias ?? '…'})`}; its signature is not declared here: not compared`;
    if (bindings.starImports.length > 0) return `${old.name} no longer defined here; maybe brought by from ${bindings.starImports.join(' import *, from ')} import *`;
    return null;
  }
  const found = member(bindings, owner, old.name.slice(owner.length + 1));
  if (found !== 'attribute') return found === null ? null : { ...found, name: old.name };
  // Read as an attribute either way; called, the attribute's value is not declared here.
  return old.params === null ? 'kept' : `${old.name}: method now a class attribute; whether it is still callable so is not declared here`;
}

/** `name` as class `cls` of the module binds it: its own or a base's (of the module) method, a class attribute, or null (not found here). */
function member(bindings: Bindings, cls: string, name: string, seen = new Set<string>()): ApiDefinition | 'attribute' | null {
  const c = bindings.classes.get(cls);
  if (!c || seen.has(cls)) return null;
  seen.add(cls);
  const m = c.methods.get(name);
  if (m) return m;
  if (c.attributes.has(name)) return 'attribute';
  for (const base of c.bases) {
    const found = member(bindings, base, name, seen);
    if (found !== null) return found;
  }
  return null;
}

/** Why a call valid against `old` may fail against `cur`; empty when every such call still works. */
function signatureBreaks(old: ApiDefinition, cur: ApiDefinition): string[] {
  const reasons: string[] = [];
  if (old.kind !== cur.kind) reasons.push(`${old.kind} became ${cur.kind}`);
  if (old.async !== cur.async) reasons.push(cur.async ? 'became async' : 'no longer async');
  // `A.make(x)` on the class needs an instance now.
  if (old.onClass && !cur.onClass && cur.kind === 'method' && cur.params !== null) reasons.push('became an instance method (calls on the class fail)');
  if (old.params === null || cur.params === null) {
    // A property became callable, or the other way round; a class whose constructor is declared on one side only is `unsure` (diffPublicApi).
    if (old.kind !== 'class' && cur.kind !== 'class' && (old.params === null) !== (cur.params === null)) {
      reasons.push(old.params === null ? 'property became a method' : 'method became a property');
    }
    return reasons;
  }
  return [...reasons, ...paramBreaks(callable(old), callable(cur))];
}

/** The parameters a caller passes (without a bound `self`/`cls`). */
function callable(def: ApiDefinition): ApiParam[] {
  const params = def.params ?? [];
  const first = params[0];
  return def.boundFirst && first && (first.kind === 'positional-only' || first.kind === 'positional-or-keyword')
    ? params.slice(1)
    : params;
}

const POSITIONAL: ReadonlySet<ParamKind> = new Set(['positional-only', 'positional-or-keyword']);
const BY_KEYWORD: ReadonlySet<ParamKind> = new Set(['positional-or-keyword', 'keyword-only']);

function paramBreaks(old: ApiParam[], cur: ApiParam[]): string[] {
  const reasons: string[] = [];
  const reported = new Set<string>();
  const add = (name: string, reason: string): void => {
    if (reported.has(name)) return;
    reported.add(name);
    reasons.push(reason);
  };
  const oldPos = old.filter((p) => POSITIONAL.has(p.kind));
  const curPos = cur.filter((p) => POSITIONAL.has(p.kind));
  const curVarPos = cur.some((p) => p.kind === 'var-positional');
  const curVarKw = cur.some((p) => p.kind === 'var-keyword');

  // Positional calls: slot i must still take argument i.
  oldPos.forEach((p, i) => {
    const q = curPos[i];
    if (!q) {
      if (curVarPos && p.kind === 'positional-only') return;
      const moved = cur.find((c) => c.name === p.name);
      add(p.name, moved ? `${p.name} became ${moved.kind}` : `${p.name} removed or renamed`);
    } else if (q.name !== p.name && p.kind === 'positional-or-keyword') {
      const moved = cur.find((c) => c.name === p.name);
      if (!moved) add(p.name, `${p.name} removed or renamed`);
      else add(p.name, POSITIONAL.has(moved.kind) ? `${p.name} moved` : `${p.name} became ${moved.kind}`);
    } else if (p.kind === 'positional-or-keyword' && q.kind === 'positional-only') {
      add(p.name, `${p.name} became positional-only`);
    } else if (p.hasDefault && !q.hasDefault) {
      add(q.name, `${q.name} made required`);
    }
  });
  // A new parameter without a default where callers could leave the slot out.
  curPos.slice(0, oldPos.length).forEach((q, i) => {
    if (!q.hasDefault && oldPos[i]?.hasDefault && !old.some((p) => p.name === q.name)) add(q.name, `${q.name} added without a default`);
  });
  // New positional slots must be optional.
  for (const q of curPos.slice(oldPos.length)) {
    if (!q.hasDefault && !old.some((p) => p.name === q.name && p.kind === 'keyword-only')) {
      add(q.name, `${q.name} added without a default`);
    }
  }
  // Keyword calls: every keyword-capable name must still be accepted.
  for (const p of old.filter((x) => BY_KEYWORD.has(x.kind))) {
    const q = cur.find((c) => c.name === p.name);
    if (!q) {
      if (!curVarKw) add(p.name, `${p.name} removed or renamed`);
      else add(p.name, `${p.name} removed (now only absorbed by **kwargs)`);
    } else if (!BY_KEYWORD.has(q.kind)) {
      add(p.name, `${p.name} became ${q.kind}`);
    } else if (p.hasDefault && !q.hasDefault) {
      add(p.name, `${p.name} made required`);
    }
  }
  // New required keyword-only parameters.
  for (const q of cur.filter((x) => x.kind === 'keyword-only' && !x.hasDefault)) {
    if (!old.some((p) => p.name === q.name && BY_KEYWORD.has(p.kind))) add(q.name, `${q.name} added without a default`);
  }
  for (const kind of ['var-positional', 'var-keyword'] as const) {
    const p = old.find((x) => x.kind === kind);
    if (p && !cur.some((x) => x.kind === kind)) add(`*${kind}`, `${kind === 'var-positional' ? '*' : '**'}${p.name} removed`);
  }
  return reasons;
}

/** `async Router.handle(self, ws, /, *, timeout=…)`; a class shows its constructor call, without `self`. */
export function renderSignature(def: ApiDefinition): string {
  const prefix = def.async ? 'async ' : '';
  if (def.params === null) return `${prefix}${def.name}${def.kind === 'class' ? '' : ' (property)'}`;
  const params = def.kind === 'class' ? callable(def) : def.params;
  const parts: string[] = [];
  params.forEach((p, i) => {
    const prev = params[i - 1];
    const next = params[i + 1];
    // A bare `*` introduces keyword-only parameters unless `*args` already did.
    if (p.kind === 'keyword-only' && prev?.kind !== 'keyword-only' && prev?.kind !== 'var-positional') parts.push('*');
    const star = p.kind === 'var-positional' ? '*' : p.kind === 'var-keyword' ? '**' : '';
    parts.push(`${star}${p.name}${p.hasDefault ? '=…' : ''}`);
    if (p.kind === 'positional-only' && next?.kind !== 'positional-only') parts.push('/');
  });
  return `${prefix}${def.name}(${parts.join(', ')})`;
}
