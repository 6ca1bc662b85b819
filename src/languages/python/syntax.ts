// HG011, basic form: what tree-sitter cannot parse. Version-gated syntax is a separate layer.
import type { SyntaxProblem } from '../../model.js';
import { brief, startOf, walk, type PyNode } from './nodes.js';

const MAX_PROBLEMS = 10;

export function syntaxProblems(root: PyNode): SyntaxProblem[] {
  if (!root.hasError) return [];
  const out: SyntaxProblem[] = [];
  walk(root, (n) => {
    if (out.length >= MAX_PROBLEMS) return false;
    if (n.isMissing) {
      out.push({ position: startOf(n), message: `syntax error: missing \`${n.type}\`` });
      return false;
    }
    if (n.type === 'ERROR') {
      const text = brief(n, 40);
      out.push({ position: startOf(n), message: text ? `syntax error: cannot parse \`${text}\`` : 'syntax error' });
      return false;
    }
    return n.hasError;
  });
  // A MISSING node is not always reachable through named children: fall back to the root.
  if (out.length === 0) out.push({ position: startOf(root), message: 'syntax error' });
  return out;
}
