// HG011, basic form: what tree-sitter cannot parse, plus Python 2 syntax that tree-sitter's
// grammar still accepts but no Python 3 does. Version-gated syntax is a separate layer.
import type { SyntaxProblem } from '../../model.js';
import { brief, kids, startOf, traverse, type PyNode } from './nodes.js';

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

/**
 * tree-sitter-python rejects a starred item after a comma when it starts with `(`, `[` or
 * `await` (`return None, *await rest()`), which CPython accepts. After a comma `*` can only be
 * a star, so blanking it (same length: positions do not move) gives a text tree-sitter parses.
 */
export function starredWorkaround(source: string): string | null {
  const patched = source.replace(/,(\s*)\*(?=\s*(?:\(|\[|await\b))/g, ',$1 ');
  return patched === source ? null : patched;
}
