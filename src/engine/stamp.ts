// What a read saw of the file it read (the fstat of its descriptor): the key the cache's stat
// index (stat-index.ts) compares. Its own module: the reading layer needs it without git.
import type { Stats } from 'node:fs';

/** What a read saw of the file it read (fstat of the descriptor it read through). */
export interface Stamp {
  key: string;
  /** The later of mtime and ctime (ms). */
  changedMs: number;
}

export function stampOf(st: Stats): Stamp {
  return { key: `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}:${st.dev}`, changedMs: Math.max(st.mtimeMs, st.ctimeMs) };
}
