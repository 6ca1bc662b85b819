// What the result cache knows about a file's content without reading it (issue #8), as git's
// index does: the content hash (and git blob id) taken when it was last read, valid while the
// file's stat — size, mtime, ctime, inode, device — is the same. A warm re-scan then stats the
// files instead of reading and hashing 50 MB.
//
// Racy entries are never kept: a file whose mtime or ctime is within RACY_MS of the moment it
// was read could be written again within the file system's timestamp granularity and keep its
// stat, so it is read again on the next run (git's "racily clean" rule, with a margin for
// file systems that count in seconds). ctime cannot be set by a user, so tools that restore an
// mtime (`touch -d`, `cp -p`, `rsync -t`) still change the stamp.
import { statSync, type Stats } from 'node:fs';
import { blobId } from './git.js';
import { stampOf, type Stamp } from './stamp.js';

/** 2 s: FAT's mtime granularity, the coarsest in use. */
export const RACY_MS = 2000;

/** [stamp key, content hash, git blob id or '' when not asked yet]. */
export type IndexEntry = [stamp: string, hash: string, blob: string];


export class StatIndex {
  /** What this run read: the stamp of each read, for remember(). */
  private readonly reads = new Map<string, { stamp: Stamp; at: number }>();
  /** Entries confirmed or made by this run (what save() keeps). */
  readonly current = new Map<string, IndexEntry>();
  private readonly checked = new Set<string>();
  changed = false;

  constructor(private readonly old: ReadonlyMap<string, IndexEntry>) {}

  /** Files refused for their size or bytes, by stamp (not racy): the same stat is refused again. */
  private readonly refused = new Map<string, string>();

  /** Called by the scan's reader for every file it read from the working tree. */
  noteRead(absPath: string, stamp: Stamp): void {
    this.reads.set(absPath, { stamp, at: Date.now() });
  }

  /** Called by the scan's reader for a file it opened but could not analyse (too large, binary, undecodable). */
  noteRefused(absPath: string, stamp: Stamp): void {
    if (stamp.changedMs < Date.now() - RACY_MS) this.refused.set(absPath, stamp.key);
  }

  /** The stat this run vouches for a file's content by (read, or found unchanged, and not racy); null: none. */
  readStamp(absPath: string): string | null {
    return this.current.get(absPath)?.[0] ?? null;
  }

  /** The stat of a file this run refused (too large, binary, undecodable), when not racy; null: none. */
  refusedStamp(absPath: string): string | null {
    return this.refused.get(absPath) ?? null;
  }

  /** The last run's entry for a file whose stat has not changed since (stat'ed once per run). */
  private valid(absPath: string): IndexEntry | null {
    const now = this.current.get(absPath);
    if (now) return now;
    if (this.checked.has(absPath)) return null;
    this.checked.add(absPath);
    const was = this.old.get(absPath);
    // A damaged shard may hold anything: only a well-formed entry is trusted.
    if (!Array.isArray(was) || was.length !== 3 || !was.every((x) => typeof x === 'string')) return null;
    let st: Stats | undefined;
    try {
      st = statSync(absPath, { throwIfNoEntry: false });
    } catch {
      return null;
    }
    if (!st?.isFile() || stampOf(st).key !== was[0]) return null;
    const entry: IndexEntry = [was[0], was[1], was[2]];
    this.current.set(absPath, entry);
    return entry;
  }

  /** The content hash of an unchanged file, or null: read it. */
  hash(absPath: string): string | null {
    return this.valid(absPath)?.[1] ?? null;
  }

  /** The git blob id of an unchanged file, or null: read it. */
  blob(absPath: string): string | null {
    const b = this.valid(absPath)?.[2];
    return b ? b : null;
  }

  /** Records the hash of the text this run read (when the read was not racy). */
  remember(absPath: string, hash: string): void {
    const read = this.reads.get(absPath);
    if (!read || read.stamp.changedMs >= read.at - RACY_MS) return;
    const had = this.current.get(absPath);
    if (had && had[0] === read.stamp.key && had[1] === hash) return;
    this.current.set(absPath, [read.stamp.key, hash, '']);
    this.changed = true;
  }

  /** The blob id of a file's text: from the index, else computed (and kept when its hash entry stands). */
  blobOf(absPath: string, text: () => string | null): string | null {
    const known = this.blob(absPath);
    if (known) return known;
    const t = text();
    if (t === null) return null;
    const id = blobId(t);
    const entry = this.current.get(absPath);
    if (entry && entry[2] !== id) {
      entry[2] = id;
      this.changed = true;
    }
    return id;
  }
}
