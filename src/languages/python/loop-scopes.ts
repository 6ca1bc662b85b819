// Where a module's loops are, by scope: the loop analysis looks only in scopes that hold one
// (most functions hold none, and walking every scope was a third of the analysis on marimo).
import { wordPattern } from '../words.js';
import { COMPREHENSION_TYPES, FUNCTION_SCOPES, LOOP_TYPES, type PyNode } from './nodes.js';

// A loop keyword as the tokenizer reads words (the prefilter's: `0while` counts).
const LOOP_WORD = new RegExp(wordPattern(['for', 'while']).source, 'gu');
const LOOP_OF: Readonly<Record<string, string>> = { for: 'for_statement', while: 'while_statement' };

/**
 * Every `for`/`while` statement and every comprehension of a tree, in document order. Without an
 * ERROR or MISSING node each one's keyword is a token of the text: its words are found in the
 * text and confirmed on the tree (a lookup per word, instead of a native visit of every node —
 * most of the cost of finding them). A tree with errors is searched whole (a keyword may be
 * MISSING there).
 */
function loopsOf(root: PyNode, text: string): PyNode[] {
  if (root.hasError) return root.descendantsOfType([...LOOP_TYPES, ...COMPREHENSION_TYPES]).filter((n): n is PyNode => n !== null);
  const out: PyNode[] = [];
  const seen = new Set<number>();
  let comprehensions = false;
  for (const m of text.matchAll(LOOP_WORD)) {
    const at = m.index;
    const token = root.descendantForIndex(at, at + m[0].length);
    if (token?.type !== m[0] || token.startIndex !== at) continue;
    const loop = token.parent;
    if (loop?.type === LOOP_OF[m[0]]) out.push(loop);
    else if (loop?.type === 'for_in_clause') {
      // A comprehension's clauses: the comprehension once (it starts before its first `for`).
      const comprehension = loop.parent;
      if (comprehension && COMPREHENSION_TYPES.has(comprehension.type) && !seen.has(comprehension.id)) {
        seen.add(comprehension.id);
        out.push(comprehension);
        comprehensions = true;
      }
    }
  }
  return comprehensions ? out.sort((a, b) => a.startIndex - b.startIndex) : out;
}

/**
 * The loops of a tree (parsed from `text`) by the scope that holds them: the nearest enclosing
 * function, lambda or class node, else the root (node id) — the scope `findInScope` finds them in.
 */
export function loopsByScope(root: PyNode, text: string): Map<number, PyNode[]> {
  const out = new Map<number, PyNode[]>();
  for (const loop of loopsOf(root, text)) {
    let scope = loop.parent;
    while (scope && !FUNCTION_SCOPES.has(scope.type) && scope.id !== root.id) scope = scope.parent;
    const id = scope?.id ?? root.id;
    let list = out.get(id);
    if (!list) out.set(id, (list = []));
    list.push(loop);
  }
  return out;
}
