// What a path is, and a directory's entries, as the module index, the type checker's file system
// and the cache's facts see them: files and directories, symlinks followed. Its own module: the
// report memo checks facts with it, and a re-scan that reuses the whole report must not load the
// Python front end to do so. The cache compares what these say now with what they said when a
// result was made (type-facts.ts): every asker must see paths the same way.
import { readdirSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { stampOf, type Stamp } from './engine/stamp.js';

/** What a path is, symlinks followed (a stat: a directory may be searchable but not listable); null: neither, or nothing there. */
export function statKind(p: string): 'file' | 'dir' | null {
  try {
    const st = statSync(p);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : null;
  } catch {
    return null;
  }
}

/** The stamp of the regular file at a path, as a read of it would see it (stamp.ts); null: none there. */
export function fileStamp(p: string): Stamp | null {
  try {
    const st = statSync(p);
    return st.isFile() ? stampOf(st) : null;
  } catch {
    return null;
  }
}

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
    // The index follows symlinks (existsSync/statSync): so does this.
    const kind = d.isSymbolicLink() ? statKind(path.join(dir, d.name)) : d.isDirectory() ? 'dir' : d.isFile() ? 'file' : null;
    if (kind) m.set(d.name, kind);
  }
  return m;
}
