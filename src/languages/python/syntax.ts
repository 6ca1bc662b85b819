// HG011, basic form: what tree-sitter cannot parse, plus Python 2 syntax that tree-sitter's
// grammar still accepts but no Python 3 does. Version-gated syntax is a separate layer.
import type { SyntaxProblem } from '../../model.js';
import { brief, kids, named, startOf, traverse, type PyNode } from './nodes.js';

const MAX_PROBLEMS = 10;

/** Python 2 constructs that tree-sitter parses and CPython 3 rejects. */
export function python2Problem(n: PyNode): string | null {
  switch (n.type) {
    case 'print_statement':
      // `print >>f, x` is a Python 3 expression too: a shift and a tuple.
      return kids(n).some((c) => c.type === 'chevron') ? null : 'Python 2 print statement (use print(...))';
    case 'exec_statement':
      return 'Python 2 exec statement (use exec(...))';
    case 'integer':
      if (/^0[0-9_]*[1-9][0-9_]*$/.test(n.text)) return `leading zeros in a decimal integer literal \`${n.text}\` (use 0o for octal)`;
      if (/[lL]$/.test(n.text)) return `Python 2 long literal \`${n.text}\``;
      return null;
    case 'comparison_operator':
      return kids(n).some((c) => c.type === '<>') ? 'Python 2 operator `<>` (use !=)' : null;
    case 'string':
      return n.text.startsWith('`') ? 'Python 2 backticks (use repr(...))' : null;
    default:
      return null;
  }
}

const PY2_TYPES = new Set(['print_statement', 'exec_statement', 'integer', 'comparison_operator', 'string']);

/**
 * Every node, anonymous ones included (MISSING tokens are anonymous), through a cursor: only
 * nodes that can be a problem are built. Error-free subtrees are not entered for errors.
 */
export function syntaxProblems(root: PyNode): SyntaxProblem[] {
  const out: SyntaxProblem[] = [];
  if (!root.hasError) {
    // No ERROR or MISSING node anywhere: only Python 2 constructs to look for, and
    // descendantsOfType builds just those nodes.
    for (const n of root.descendantsOfType([...PY2_TYPES])) {
      const p2 = n ? python2Problem(n) : null;
      if (n && p2) out.push({ position: startOf(n), message: `syntax error: ${p2}` });
      if (out.length >= MAX_PROBLEMS) break;
    }
    return out;
  }
  traverse(root, (c) => {
    if (out.length >= MAX_PROBLEMS) return 'skip';
    if (c.nodeIsMissing) {
      out.push({ position: startOf(c.currentNode), message: `syntax error: missing \`${c.nodeType}\`` });
      return 'skip';
    }
    const type = c.nodeType;
    if (type === 'ERROR') {
      const n = c.currentNode;
      const text = brief(n, 40);
      out.push({ position: startOf(n), message: text ? `syntax error: cannot parse \`${text}\`` : 'syntax error' });
      return 'skip';
    }
    if (PY2_TYPES.has(type)) {
      const p2 = python2Problem(c.currentNode);
      if (p2) {
        out.push({ position: startOf(c.currentNode), message: `syntax error: ${p2}` });
        return 'skip';
      }
    }
    return undefined;
  });
  if (out.length === 0 && root.hasError) out.push({ position: startOf(root), message: 'syntax error' });
  return out.sort((a, b) => a.position.line - b.position.line || a.position.column - b.position.column);
}

/** The nodes of tree-sitter's type grammar an annotation is made of. */
const TYPE_PARTS = new Set(['type', 'generic_type', 'type_parameter', 'member_type', 'union_type']);

/** The outermost ERROR nodes, entering only subtrees that contain an error. */
function errorNodes(root: PyNode): PyNode[] {
  const out: PyNode[] = [];
  const stack: PyNode[] = [root];
  while (stack.length > 0) {
    const n = stack.pop() as PyNode;
    if (n.type === 'ERROR') {
      out.push(n);
      continue;
    }
    for (const c of kids(n)) if (c.hasError || c.type === 'ERROR') stack.push(c);
  }
  return out;
}

/** The outermost `type` node that `n` is part of (through the type grammar's nodes), or null. */
function outermostType(n: PyNode): PyNode | null {
  let found: PyNode | null = n.type === 'type' ? n : null;
  for (let p = n.parent; p && TYPE_PARTS.has(p.type); p = p.parent) if (p.type === 'type') found = p;
  return found;
}

/**
 * The annotation an ERROR node breaks: one that starts with `Name[…]`, which tree-sitter reads as
 * a generic type that nothing may follow but `.name` or `|`. Either the ERROR holds it
 * (`p: T[k]()`, `-> T[k][j]`: the generic type, then what follows read on its own) or it comes
 * right after it (`x: T[k] if a else b`).
 */
function brokenAnnotation(error: PyNode, source: string): PyNode | null {
  const first = named(error)[0];
  if (first?.type === 'type' && first.startIndex === error.startIndex) return outermostType(error) ?? first;
  let j = error.startIndex - 1;
  while (j >= 0 && (source[j] === ' ' || source[j] === '\t')) j--;
  if (j < 0) return null;
  let n: PyNode | null = error.tree.rootNode.descendantForIndex(j, j + 1);
  while (n && n.endIndex === j + 1 && !TYPE_PARTS.has(n.type)) n = n.parent;
  return n && n.endIndex === j + 1 && TYPE_PARTS.has(n.type) ? outermostType(n) : null;
}

/**
 * tree-sitter-python reads an annotation that starts with `Name[…]` as a generic type, and then
 * rejects a call, a subscript, an operator or a conditional after it (`def h(p: T[k]()):`,
 * `-> T[k][j]`, `x: T[k] if a else b`), which CPython accepts: an annotation is an expression.
 * A unary `+` in the blank before such an annotation (after `:`, `->` or a type alias's `=`;
 * same length) makes it an expression to tree-sitter too. Only annotations next to an ERROR are
 * patched; without a blank before the annotation there is no room, and nothing is.
 */
function annotationWorkaround(source: string, root: PyNode): string | null {
  const at = new Set<number>();
  for (const error of errorNodes(root)) {
    const annotation = brokenAnnotation(error, source);
    if (!annotation) continue;
    let leaf: PyNode = annotation;
    while (leaf.childCount > 0 && leaf.firstChild) leaf = leaf.firstChild;
    const start = annotation.startIndex;
    if (leaf.type !== 'identifier' || (source[start - 1] !== ' ' && source[start - 1] !== '\t')) continue;
    const before = source.slice(Math.max(0, start - 80), start).trimEnd();
    let holder = annotation.parent;
    while (holder?.type === 'ERROR') holder = holder.parent;
    if (before.endsWith(':') || before.endsWith('->') || (before.endsWith('=') && holder?.type === 'type_alias_statement')) at.add(start - 1);
  }
  if (at.size === 0) return null;
  let out = '';
  let from = 0;
  for (const i of [...at].sort((a, b) => a - b)) {
    out += `${source.slice(from, i)}+`;
    from = i + 1;
  }
  return out + source.slice(from);
}

/**
 * The texts to parse again, in order, when tree-sitter found errors in `source` (its tree's
 * `root`): each differs from `source` only where a grammar gap is patched, at the same length.
 */
export function grammarWorkarounds(source: string, root: PyNode): string[] {
  const defaults = typeParameterDefaultsWorkaround(source);
  const base = defaults ?? source;
  const starred = starredWorkaround(base);
  const annotated = annotationWorkaround(starred ?? base, root);
  return [annotated, starred, defaults].filter((t): t is string => t !== null);
}

/**
 * tree-sitter-python has no type parameter defaults (PEP 696, Python 3.13: `def f[T = int]()`,
 * `class C[T: str = str]`, `type A[*Ts = *tuple[int]] = …`). In a generic parameter list `=`
 * can only start a default; a comma in its place (same length) gives tree-sitter a list it
 * parses, the default read as one more item. `typeParameterDefaults` finds them again.
 */
function typeParameterDefaultsWorkaround(source: string): string | null {
  const heads = /\b(?:def|class|type)[ \t]+[A-Za-z_]\w*[ \t]*\[/g;
  let out: string[] | null = null;
  for (const m of source.matchAll(heads)) {
    for (const at of topLevelEquals(source, m.index + m[0].length)) {
      out ??= [...source];
      out[at] = ',';
      // A TypeVarTuple's starred default (`*Ts = *tuple[int]`): tree-sitter reads `*tuple[int]`
      // as a star in a subscript; without the star it is a plain item.
      const star = starAfter(source, at);
      if (star !== null) out[star] = ' ';
    }
  }
  return out === null ? null : out.join('');
}

/** The offset of a `*` (not `**`) that follows the `=` at `at` after blanks, or null. */
function starAfter(source: string, at: number): number | null {
  let i = at + 1;
  while (source[i] === ' ' || source[i] === '\t') i++;
  return source[i] === '*' && source[i + 1] !== '*' ? i : null;
}

/** The offsets of the `=` signs at the top level of the bracket opened right before `from`. */
function topLevelEquals(source: string, from: number): number[] {
  const found: number[] = [];
  let depth = 1;
  for (let i = from; i < source.length && depth > 0; i++) {
    const c = source[i] as string;
    if (c === '[' || c === '(' || c === '{') depth++;
    else if (c === ']' || c === ')' || c === '}') depth--;
    else if (c === '"' || c === "'") return []; // a string in a parameter list: not one this patch reads
    else if (c === '#' || c === ':' && source[i + 1] === '=') return [];
    else if (c === '=' && depth === 1) {
      if (source[i + 1] === '=' || '<>!='.includes(source[i - 1] as string)) return [];
      found.push(i);
    }
  }
  return depth === 0 ? found : [];
}

/**
 * Where `typeParameterDefaultsWorkaround` put a comma in `parsed` for an `=` of `original`, and
 * whether that default is starred where its parameter is not a `*Ts` (CPython: invalid syntax).
 */
export function typeParameterDefaults(original: string, parsed: string): { at: number; misplacedStar: boolean }[] {
  if (original === parsed || original.length !== parsed.length) return [];
  const out: { at: number; misplacedStar: boolean }[] = [];
  for (let i = original.indexOf('='); i >= 0; i = original.indexOf('=', i + 1)) {
    if (parsed[i] !== ',') continue;
    const star = starAfter(original, i);
    const starred = star !== null && parsed[star] === ' ';
    out.push({ at: i, misplacedStar: starred && !/^\s*\*(?!\*)/.test(itemBefore(original, i)) });
  }
  return out;
}

/** The text of the parameter list item that ends at `at` (back to its `,` or the list's `[`). */
function itemBefore(source: string, at: number): string {
  let depth = 0;
  let i = at - 1;
  for (; i >= 0; i--) {
    const c = source[i] as string;
    if (c === ')' || c === ']' || c === '}') depth++;
    else if (c === '(' || c === '[' || c === '{') {
      if (depth === 0) break;
      depth--;
    } else if (c === ',' && depth === 0) break;
  }
  return source.slice(i + 1, at);
}

/**
 * tree-sitter-python rejects a starred item after a comma when it starts with `(`, `[` or
 * `await` (`return None, *await rest()`), which CPython accepts. After a comma `*` can only be
 * a star, so blanking it (same length: positions do not move) gives a text tree-sitter parses.
 */
function starredWorkaround(source: string): string | null {
  const patched = source.replace(/,(\s*)\*(?=\s*(?:\(|\[|await\b))/g, ',$1 ');
  return patched === source ? null : patched;
}
