// A directory's entries as the module index and the cache's facts see them: files and
// directories, symlinks followed. Its own module: the report memo checks facts with it, and a
// re-scan that reuses the whole report must not load the Python front end to do so.
import { readdirSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';

/** A directory's entries as the index would see them (symlinks followed); empty when unreadable. */
export function listEntries(dir: string): Map<string, 'file' | 'dir'> {
  try {
    return classifyEntries(dir, readdirSync(dir, { withFileTypes: true }));
  } catch {
    // Unreadable or missing: nothing to load from it.
    return new Map();
  }
}

/** listEntries from a listing already read (the walk's): files and directories, symlinks followed. */
export function classifyEntries(dir: string, dirents: readonly Dirent[]): Map<string, 'file' | 'dir'> {
  const m = new Map<string, 'file' | 'dir'>();
  for (const d of dirents) {
    let kind: 'file' | 'dir' | null = d.isDirectory() ? 'dir' : d.isFile() ? 'file' : null;
    if (d.isSymbolicLink()) {
      // The index follows symlinks (existsSync/statSync): so does this.
      try {
        const s = statSync(path.join(dir, d.name));
        kind = s.isDirectory() ? 'dir' : s.isFile() ? 'file' : null;
      } catch {
        kind = null;
      }
    }
    if (kind) m.set(d.name, kind);
  }
  return m;
}
