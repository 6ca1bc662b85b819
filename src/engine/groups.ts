// Consistency groups (SPEC §4): the loops whose polling guards must match each other.
import type { ConsistencyScope, MessageLoop } from '../model.js';
import type { ConsistencyGroup } from '../rule.js';

export function consistencyGroups(loops: readonly MessageLoop[], scope: ConsistencyScope): ConsistencyGroup[] {
  if (scope === 'none') return [];
  if (scope === 'repository') return loops.length ? [{ name: 'the repository', loops: [...loops] }] : [];
  const byFile = new Map<string, MessageLoop[]>();
  for (const loop of loops) {
    const list = byFile.get(loop.file) ?? [];
    list.push(loop);
    byFile.set(loop.file, list);
  }
  return [...byFile].map(([file, list]) => ({ name: file, loops: list }));
}
