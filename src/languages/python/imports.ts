// The import table of one module: which qualified name each local name refers to.
// Rules never re-do this: `from asyncio import sleep as nap; nap(1)` resolves here to `asyncio.sleep`.
import { field, kids, named, walk, type PyNode } from './nodes.js';

export interface ImportTable {
  /** local name → qualified name (`nap` → `asyncio.sleep`, `aio` → `asyncio`). */
  readonly names: ReadonlyMap<string, string>;
  /** The module has `from x import *`: unknown names may be bound. */
  readonly hasStarImport: boolean;
  /** The qualified modules of its `from x import *` statements, in text order (RepoIndex.starName). */
  readonly starModules: readonly string[];
  /** Qualified module names imported (for framework detection). */
  readonly modules: ReadonlySet<string>;
}

/** `app.routes` for `app/routes.py`; relative imports are resolved against it. */
export function moduleNameOf(relPath: string): string {
  const noExt = relPath.replace(/\.pyi?$/, '');
  const parts = noExt.split('/').filter((p) => p !== '' && p !== '.');
  if (parts[parts.length - 1] === '__init__') parts.pop();
  return parts.join('.');
}

function resolveRelative(prefixDots: number, rest: string, moduleName: string, isPackage: boolean): string {
  const parts = moduleName.split('.').filter(Boolean);
  // `.` is the current package: the module's parent unless the module is a package itself.
  const keep = parts.length - (isPackage ? 0 : 1) - (prefixDots - 1);
  const base = parts.slice(0, Math.max(0, keep));
  if (rest) base.push(rest);
  return base.join('.');
}

function moduleOf(node: PyNode, moduleName: string, isPackage: boolean): string {
  if (node.type === 'relative_import') {
    const prefix = kids(node).find((c) => c.type === 'import_prefix');
    const dots = prefix ? prefix.text.length : 0;
    const dotted = named(node).find((c) => c.type === 'dotted_name');
    return resolveRelative(dots, dotted ? dotted.text : '', moduleName, isPackage);
  }
  return node.text.replace(/\s+/g, '');
}

const STATEMENT_CONTAINERS = new Set([
  'module', 'block', 'if_statement', 'elif_clause', 'else_clause', 'try_statement', 'except_clause', 'except_group_clause',
  'finally_clause', 'with_statement', 'for_statement', 'while_statement', 'function_definition', 'class_definition',
  'decorated_definition', 'match_statement', 'case_clause',
]);

export function buildImportTable(root: PyNode, moduleName: string, isPackage: boolean): ImportTable {
  const names = new Map<string, string>();
  const modules = new Set<string>();
  let hasStarImport = false;
  const starModules: string[] = [];
  walk(root, (n) => {
    if (n.type === 'import_statement') {
      for (const item of n.childrenForFieldName('name')) {
        if (!item) continue;
        if (item.type === 'aliased_import') {
          const target = field(item, 'name')?.text ?? '';
          const alias = field(item, 'alias')?.text;
          if (alias) names.set(alias, target);
          modules.add(target);
        } else {
          const dotted = item.text.replace(/\s+/g, '');
          // `import os.path` binds `os`.
          const head = dotted.split('.')[0] ?? dotted;
          if (!names.has(head)) names.set(head, head);
          modules.add(dotted);
        }
      }
      return false;
    }
    if (n.type === 'import_from_statement' || n.type === 'future_import_statement') {
      const modNode = field(n, 'module_name');
      const mod = modNode ? moduleOf(modNode, moduleName, isPackage) : '__future__';
      modules.add(mod);
      if (kids(n).some((c) => c.type === 'wildcard_import')) {
        hasStarImport = true;
        if (mod && mod !== '__future__') starModules.push(mod);
      }
      for (const item of n.childrenForFieldName('name')) {
        if (!item) continue;
        if (item.type === 'aliased_import') {
          const target = field(item, 'name')?.text ?? '';
          const alias = field(item, 'alias')?.text;
          if (alias) names.set(alias, mod ? `${mod}.${target}` : target);
        } else {
          names.set(item.text, mod ? `${mod}.${item.text}` : item.text);
        }
      }
      return false;
    }
    // Imports are statements: only statement containers can hold one (a cheap walk).
    return STATEMENT_CONTAINERS.has(n.type);
  });
  return { names, hasStarImport, starModules, modules };
}

/**
 * The qualified name of an identifier or attribute chain through the import table:
 * `aio.sleep` → `asyncio.sleep`. Names that are not imported resolve to themselves.
 */
export function qualify(expr: PyNode, table: ImportTable): string | null {
  const chain = dottedChain(expr);
  if (!chain) return null;
  const [head, ...rest] = chain;
  const resolved = table.names.get(head as string) ?? (head as string);
  return [resolved, ...rest].join('.');
}

/** `a.b.c` → ['a','b','c']; null for anything that is not a plain dotted chain. */
export function dottedChain(expr: PyNode): string[] | null {
  const parts: string[] = [];
  let n: PyNode | null = expr;
  while (n) {
    if (n.type === 'identifier') {
      parts.unshift(n.text);
      return parts;
    }
    if (n.type === 'attribute') {
      const attr = field(n, 'attribute');
      if (!attr) return null;
      parts.unshift(attr.text);
      n = field(n, 'object');
      continue;
    }
    return null;
  }
  return null;
}

/** Whether a qualified name is one of the given names, or ends with `.name` (unresolved re-exports). */
export function isOneOf(qualified: string | null, candidates: readonly string[]): boolean {
  if (!qualified) return false;
  return candidates.includes(qualified);
}
