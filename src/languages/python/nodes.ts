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
 */
export function deeperThan(root: PyNode, limit: number): boolean {
  if (root.descendantCount <= limit) return false;
  const cursor = root.walk();
  try {
    let depth = 0;
    for (;;) {
      if (depth + cursor.currentNode.descendantCount > limit && cursor.gotoFirstChild()) {
        if (++depth > limit) return true;
        continue;
      }
      for (;;) {
        if (depth === 0) return false;
        if (cursor.gotoNextSibling()) break;
        cursor.gotoParent();
        depth--;
      }
    }
  } finally {
    cursor.delete();
  }
}
