// `# handshake-guard: ignore[HG001] -- reason` comments, read from the tree's comment nodes
// so that a string containing the text is never mistaken for one.
import type { RuleId, Suppression } from '../../model.js';
import { parseSuppression } from '../../engine/suppression-syntax.js';
import { walk, type PyNode } from './nodes.js';

/** `text`: the text the tree was parsed from (not fetched again from the tree). */
export function findSuppressions(root: PyNode, file: string, text: string): Suppression[] {
  const out: Suppression[] = [];
  // Most files have none: a text search is far cheaper than visiting every comment node.
  if (!text.includes('handshake-guard:')) return out;
  walk(root, (n) => {
    if (n.type === 'comment') {
      const s = parseSuppression(n.text);
      if (s) out.push({ file, line: n.startPosition.row + 1, rules: s.rules as RuleId[], reason: s.reason, used: false });
      return false;
    }
    return true;
  });
  return out;
}
