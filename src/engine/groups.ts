// Consistency groups (SPEC §4): the loops whose polling guards must match each other.
import type { ConsistencyScope, MessageLoop } from '../model.js';
import type { ConsistencyGroup } from '../rule.js';

/**
 * Python guards wait on `application_state`/`client_state` with asyncio, TS/JS ones on
 * `readyState` with timers: across the two, fingerprints always differ, which says nothing about
 * consistency. So `repository` means one group per language family.
 */
function family(loop: MessageLoop): 'Python' | 'TS/JS' {
  return loop.language === 'python' ? 'Python' : 'TS/JS';
}

export function consistencyGroups(loops: readonly MessageLoop[], scope: ConsistencyScope): ConsistencyGroup[] {
  if (scope === 'none') return [];
  if (scope === 'repository') {
    const byFamily = new Map<string, MessageLoop[]>();
    for (const loop of loops) {
      const list = byFamily.get(family(loop)) ?? [];
      list.push(loop);
      byFamily.set(family(loop), list);
    }
    // One family (most repositories): the group keeps its plain name.
    if (byFamily.size <= 1) return loops.length ? [{ name: 'the repository', loops: [...loops] }] : [];
    return [...byFamily].map(([name, list]) => ({ name: `the repository (${name})`, loops: list }));
  }
  const byFile = new Map<string, MessageLoop[]>();
  for (const loop of loops) {
    const list = byFile.get(loop.file) ?? [];
    list.push(loop);
    byFile.set(loop.file, list);
  }
  return [...byFile].map(([file, list]) => ({ name: file, loops: list }));
}
