// HG011, basic form: what tree-sitter cannot parse, plus Python 2 syntax that tree-sitter's
// grammar still accepts but no Python 3 does. Version-gated syntax is a separate layer.
import type { SyntaxProblem } from '../../model.js';
import { brief, kids, startOf, type PyNode } from './nodes.js';

const MAX_PROBLEMS = 10;

/** Python 2 constructs that tree-sitter parses and CPython 3 rejects. */
function python2Problem(n: PyNode): string | null {
  switch (n.type) {
    case 'print_statement':
      return 'Python 2 print statement (use print(...))';
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

/** Iterative walk over all children, anonymous ones included (MISSING tokens are anonymous). */
export function syntaxProblems(root: PyNode): SyntaxProblem[] {
  const out: SyntaxProblem[] = [];
  const stack: PyNode[] = [root];
  while (stack.length > 0 && out.length < MAX_PROBLEMS) {
    const n = stack.pop() as PyNode;
    if (n.isMissing) {
      out.push({ position: startOf(n), message: `syntax error: missing \`${n.type}\`` });
      continue;
    }
    if (n.type === 'ERROR') {
      const text = brief(n, 40);
      out.push({ position: startOf(n), message: text ? `syntax error: cannot parse \`${text}\`` : 'syntax error' });
      continue;
    }
    const p2 = python2Problem(n);
    if (p2) {
      out.push({ position: startOf(n), message: `syntax error: ${p2}` });
      continue;
    }
    const children = kids(n);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as PyNode);
  }
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
