// The reference guard of a consistency group: the most common polling fingerprint. `fix` follows
// it, and a scan asks it for `fixable` (engine/findings.ts) — so it lives outside src/fix, whose
// planner a scan never loads.
import { COMPARED_FIELDS, type Fingerprint, type MessageLoop } from './model.js';

/** The fields two polling guards must agree on (HG002's), as one key; states compared as a set. */
export function fingerprintKey(f: Fingerprint): string {
  return JSON.stringify(COMPARED_FIELDS.map((field) => {
    const value = f[field];
    return Array.isArray(value) ? [...value].sort() : value;
  }));
}

/** The most common fingerprint (compared fields), ties to the first loop. */
export function majority(loops: MessageLoop[]): { fingerprint: Fingerprint; loop: MessageLoop } | null {
  const counts = new Map<string, { n: number; loop: MessageLoop }>();
  for (const l of loops) {
    const f = l.guard.fingerprint;
    if (l.guard.kind !== 'polling' || !f) continue;
    const key = fingerprintKey(f);
    const c = counts.get(key);
    if (c) c.n++;
    else counts.set(key, { n: 1, loop: l });
  }
  let best: { n: number; loop: MessageLoop } | null = null;
  for (const c of counts.values()) if (!best || c.n > best.n) best = c;
  return best && best.loop.guard.fingerprint ? { fingerprint: best.loop.guard.fingerprint, loop: best.loop } : null;
}
