// A FileAnalysis with nothing in it — no loop, problem, issue or suppression: most files of a
// large tree. The result cache and the report memo keep such a result as a plain object (one
// template for many files, in the memo) and hand out fresh copies of it.
import type { FileAnalysis } from '../model.js';

const KEYS = new Set(['file', 'absPath', 'language', 'skipped', 'syntax', 'target', 'loops', 'issues', 'suppressions', 'lines']);
const LISTS = ['syntax', 'loops', 'issues', 'suppressions'] as const;

/** Whether a result is bare: only the model's keys, not skipped, every list empty (its `lines` aside). */
export function isBare(analysis: FileAnalysis): boolean {
  return Object.keys(analysis).every((k) => KEYS.has(k)) && analysis.skipped === null && LISTS.every((k) => (analysis[k]?.length ?? 0) === 0);
}

/**
 * Makes fresh copies of a stored bare result, in its key order after `first`'s: lists new and
 * empty, objects (the target) copied — a reporter or the API may mark or add to what it holds.
 */
export function bareCopier(stored: Record<string, unknown>): (first?: Record<string, unknown>) => FileAnalysis {
  const keys = Object.keys(stored);
  return (first) => {
    const copy: Record<string, unknown> = { ...first };
    for (const k of keys) {
      const v = stored[k];
      copy[k] = Array.isArray(v) ? [] : typeof v === 'object' && v !== null ? { ...v } : v;
    }
    return copy as unknown as FileAnalysis;
  };
}
