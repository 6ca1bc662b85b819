// Small, typed helpers over tree-sitter nodes, shared by the Python front end.
import type { Node, Tree, TreeCursor } from 'web-tree-sitter';
import type { Position, Span } from '../../model.js';

export type PyNode = Node;

export function startOf(node: PyNode): Position {
  return { line: node.startPosition.row + 1, column: node.startPosition.column + 1 };
}

export function endOf(node: PyNode): Position {
  return { line: node.endPosition.row + 1, column: node.endPosition.column + 1 };
}

export function spanOf(node: PyNode): Span {
  return { start: startOf(node), end: endOf(node) };
}

export function field(node: PyNode, name: string): PyNode | null {
  return node.childForFieldName(name);
}

export function named(node: PyNode): PyNode[] {
  return node.namedChildren.filter((c): c is PyNode => c !== null && c.type !== 'comment');
}

export function kids(node: PyNode): PyNode[] {
  return node.children.filter((c): c is PyNode => c !== null);
}

/** `async def`, `async for` and `async with` carry an `async` keyword child. */
export function hasAsyncKeyword(node: PyNode): boolean {
  return kids(node).some((c) => c.type === 'async');
}

export function sameNode(a: PyNode | null, b: PyNode | null): boolean {
  return a !== null && b !== null && a.id === b.id;
}

/** Strips parentheses and `await`, which never change what an expression tests. */
export function unwrap(node: PyNode): PyNode {
  let n = node;
  for (;;) {
    if (n.type === 'parenthesized_expression' || n.type === 'await') {
      const inner = named(n)[0];
      if (!inner) return n;
      n = inner;
    } else return n;
  }
}

/** Nodes that open a new scope: code inside them does not run where it is written. */
export const SCOPE_TYPES = new Set([
  'function_definition',
  'lambda',
  'class_definition',
  'list_comprehension',
  'set_comprehension',
  'dictionary_comprehension',
  'generator_expression',
]);

export const FUNCTION_SCOPES = new Set(['function_definition', 'lambda', 'class_definition']);

export const LOOP_TYPES = new Set(['while_statement', 'for_statement']);

/** Comprehensions: loops too (`[await ws.receive_text() for _ in range(3)]`), though no statement. */
export const COMPREHENSION_TYPES = new Set(['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

/**
 * Pre-order walk without recursion (deeply nested input must not overflow the stack).
 * `enter` returns false to skip a node's children.
 */
export function walk(root: PyNode, enter: (node: PyNode) => boolean | void): void {
  const stack: PyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as PyNode;
    if (enter(node) === false) continue;
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) {
      const c = children[i];
      if (c) stack.push(c);
    }
  }
}

/**
 * Pre-order over every node under `root` (root included) with a TreeCursor: type checks are
 * cheap and nodes are only built when asked for — most of a scan's time is node-by-node
 * crossings into WebAssembly. `visit` returns 'skip' to not enter a node's children.
 */
export function traverse(root: PyNode, visit: (cursor: TreeCursor) => 'skip' | void): void {
  const cursor = root.walk();
  try {
    let depth = 0;
    for (;;) {
      const enter = visit(cursor) !== 'skip';
      if (enter && cursor.gotoFirstChild()) {
        depth++;
        continue;
      }
      if (depth === 0) return;
      while (!cursor.gotoNextSibling()) {
        cursor.gotoParent();
        depth--;
        if (depth === 0) return;
      }
    }
  } finally {
    cursor.delete();
  }
}

/**
 * The node types the front end asks `findInScope` for. One walk of a scope collects all of them,
 * so that the many questions asked of one function (its calls, its assignments, its loops, …)
 * cost one crossing into WebAssembly per node instead of one per node per question.
 */
const INDEXED_TYPES = new Set([
  'call',
  'assignment',
  'augmented_assignment',
  'named_expression',
  'with_item',
  'while_statement',
  'for_statement',
  'if_statement',
  'elif_clause',
  'comparison_operator',
]);

/** Per tree, per scope root (node id): the indexed nodes by type, each with its place in a pre-order walk. */
const scopeIndexes = new WeakMap<Tree, Map<number, Map<string, [number, PyNode][]>>>();

function walkScope(root: PyNode, types: ReadonlySet<string>, scopes: ReadonlySet<string>, found: (at: number, type: string, node: PyNode) => void): void {
  let at = 0;
  traverse(root, (c) => {
    const type = c.nodeType;
    if (at++ === 0) {
      if (types.has(type)) found(0, type, root);
      return;
    }
    if (scopes.has(type)) return 'skip';
    if (types.has(type) && c.nodeIsNamed) found(at - 1, type, c.currentNode);
  });
}

function scopeIndex(root: PyNode): Map<string, [number, PyNode][]> {
  let byRoot = scopeIndexes.get(root.tree);
  if (!byRoot) scopeIndexes.set(root.tree, (byRoot = new Map()));
  let index = byRoot.get(root.id);
  if (!index) {
    const built = new Map<string, [number, PyNode][]>();
    walkScope(root, INDEXED_TYPES, FUNCTION_SCOPES, (at, type, node) => {
      let list = built.get(type);
      if (!list) built.set(type, (list = []));
      list.push([at, node]);
    });
    byRoot.set(root.id, (index = built));
  }
  return index;
}

/** All descendants of the given types (the root too), in document order, not entering nested function/class/lambda scopes. */
export function findInScope(root: PyNode, types: ReadonlySet<string>, scopes: ReadonlySet<string> = FUNCTION_SCOPES): PyNode[] {
  if (scopes !== FUNCTION_SCOPES || ![...types].every((t) => INDEXED_TYPES.has(t))) {
    const out: PyNode[] = [];
    walkScope(root, types, scopes, (_at, _type, node) => out.push(node));
    return out;
  }
  const index = scopeIndex(root);
  const lists = [...types].flatMap((t) => index.get(t) ?? []);
  if (lists.length > 1 && types.size > 1) lists.sort((a, b) => a[0] - b[0]);
  return lists.map(([, node]) => node);
}

/** The statements of a block (or of a module), comments excluded. */
export function statements(block: PyNode | null): PyNode[] {
  return block ? named(block) : [];
}

/** The body block of a compound statement (`def`, `while`, `if`, `try`, `with`, clauses). */
export function bodyOf(node: PyNode): PyNode | null {
  return field(node, 'body') ?? field(node, 'consequence');
}

/** Walks up to the nearest ancestor of one of the types, stopping at a scope boundary. */
export function enclosing(node: PyNode, types: ReadonlySet<string>, stopAtScope = true): PyNode | null {
  let n = node.parent;
  while (n) {
    if (types.has(n.type)) return n;
    if (stopAtScope && SCOPE_TYPES.has(n.type)) return null;
    n = n.parent;
  }
  return null;
}

export function isInside(node: PyNode, ancestor: PyNode): boolean {
  return node.startIndex >= ancestor.startIndex && node.endIndex <= ancestor.endIndex;
}

/** The text of an expression with its whitespace collapsed, for messages. */
export function brief(node: PyNode, max = 80): string {
  const text = node.text.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}


/**
 * Whether the tree under `root` is deeper than `limit` (an iterative cursor walk, stops early).
 * A subtree of n nodes is at most n - 1 levels deep, so the walk only enters nodes whose
 * descendant count could carry it past the limit: on ordinary code it visits a few dozen nodes
 * instead of every node (a full walk cost ~15% of a scan).
 *
 * A flat chain — a left-recursive chain of one binary operator (or of one precedence level:
 * `a + b - c`) whose every term is plain (`"a" + "b" + … + "z"`, see `plainTerm`) — counts as one level, as CPython's parser reads it (a
 * loop, not nesting): generated SQL or HTML runs to thousands of terms. The walks of the front
 * end go down a chain's left spine without recursion (`evalNumber`, `linear`), and no analysis
 * climbs from inside a plain term (`node.parent` costs O(depth) in tree-sitter: a climb from a
 * call at the bottom of a chain 20,000 deep took seconds), so only real nesting is limited.
 */
export function deeperThan(root: PyNode, limit: number): boolean {
  if (root.descendantCount <= limit) return false;
  const cursor = root.walk();
  // The nodes from the root down to the cursor's, with the levels counted to each.
  const nodes: PyNode[] = [root];
  const counted: number[] = [0];
  const flat = new FlatChains();
  try {
    for (;;) {
      const depth = counted[counted.length - 1] as number;
      const node = nodes[nodes.length - 1] as PyNode;
      if (depth + node.descendantCount > limit && cursor.gotoFirstChild()) {
        const next = depth + (flat.link(node, cursor) ? 0 : 1);
        if (next > limit) return true;
        nodes.push(cursor.currentNode);
        counted.push(next);
        continue;
      }
      for (;;) {
        if (nodes.length === 1) return false;
        nodes.pop();
        counted.pop();
        if (cursor.gotoNextSibling()) {
          const parent = nodes[nodes.length - 1] as PyNode;
          const next = (counted[counted.length - 1] as number) + (flat.link(parent, cursor) ? 0 : 1);
          if (next > limit) return true;
          nodes.push(cursor.currentNode);
          counted.push(next);
          break;
        }
        cursor.gotoParent();
      }
    }
  } finally {
    cursor.delete();
  }
}

/** Which binary operators are links of a flat chain, each chain's spine read once. */
class FlatChains {
  private readonly known = new Map<number, boolean>();

  /** Whether the cursor's node is the left operand of `parent` in a flat chain (it counts no level). */
  link(parent: PyNode, cursor: TreeCursor): boolean {
    if (parent.type !== 'binary_operator' || cursor.nodeType !== 'binary_operator' || cursor.currentFieldName !== 'left') return false;
    return this.isFlat(parent) && precedence(cursor.currentNode) === precedence(parent);
  }

  /** Whether the chain from `top` down its left spine is flat; every spine node read is remembered. */
  private isFlat(top: PyNode): boolean {
    const known = this.known.get(top.id);
    if (known !== undefined) return known;
    const level = precedence(top);
    const spine: PyNode[] = [];
    let n: PyNode | null = top;
    let ok = level !== null;
    for (; ok && n?.type === 'binary_operator' && precedence(n) === level; n = field(n, 'left')) {
      const k = this.known.get(n.id);
      if (k !== undefined) {
        ok = k;
        n = null;
        break;
      }
      spine.push(n);
      if (!plainTerm(field(n, 'right'))) {
        ok = false;
        break;
      }
    }
    // The bottom of the chain (its leftmost term) must be plain too.
    if (ok && n !== null && !plainTerm(n)) ok = false;
    if (ok) for (const s of spine) this.known.set(s.id, true);
    else {
      // Up to the first term that is not plain: those chains hold it. Below it, read again.
      const failed = spine.findIndex((s) => !plainTerm(field(s, 'right')));
      for (const s of failed < 0 ? spine : spine.slice(0, failed + 1)) this.known.set(s.id, false);
    }
    return this.known.get(top.id) ?? ok;
  }
}

// Left-associative operators of one precedence level (CPython's `sum: sum '+' term | sum '-' term
// | term`, read in a loop): a chain mixing them is as flat as one of a single operator. `**` is
// right-associative: not a chain.
const PRECEDENCE: Readonly<Record<string, number>> = {
  '+': 1, '-': 1, '*': 2, '/': 2, '//': 2, '%': 2, '@': 2, '<<': 3, '>>': 3, '&': 4, '^': 5, '|': 6,
};

function precedence(n: PyNode): number | null {
  return PRECEDENCE[field(n, 'operator')?.type ?? ''] ?? null;
}

const PLAIN_TERMS = new Set(['integer', 'float', 'identifier', 'true', 'false', 'none']);

function plainTerm(n: PyNode | null): boolean {
  if (!n) return false;
  if (PLAIN_TERMS.has(n.type)) return true;
  if (n.type === 'string') return !named(n).some((c) => c.type === 'interpolation');
  if (n.type === 'concatenated_string') return named(n).every(plainTerm);
  // `a.b.c`: a dotted name.
  let o: PyNode | null = n;
  while (o?.type === 'attribute') o = field(o, 'object');
  return n.type === 'attribute' && o?.type === 'identifier';
}
