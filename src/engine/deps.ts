// What a cached result depends on besides its own file (issue #8): the facts its analysis
// observed about other paths — a helper's content, whether a probed path is a file, a directory
// listing — recorded while it ran and checked again before the result is reused.
import { existsSync, realpathSync, type Dirent } from 'node:fs';
import { hash } from 'node:crypto';
import path from 'node:path';
import { classifyEntries, fileStamp, listEntries, statKind } from '../dir-entries.js';
import type { StatIndex } from './stat-index.js';

/**
 * `r` content hash ('' unreadable); `p` content hash | hash of the prefilter's signature, which
 * holds while either still matches; `f` is a regular file ('1'/'0'); `D` is a directory
 * ('1'/'0'); `e` exists; `k` what a name is in its directory ('file', 'dir', ''); `d` a
 * directory's listing (hash); `K` many `k` facts of one directory, stored together (value: JSON
 * [name, kind] pairs); `s` a regular file's stamp (stamp.ts; '' none: what the type checker's
 * program read, which may be any size); `l` where a path resolves to ('' nowhere).
 */
export type FactKind = 'r' | 'p' | 'f' | 'D' | 'e' | 'k' | 'd' | 'K' | 's' | 'l';
export type Fact = readonly [kind: FactKind, path: string, value: string];

/** sha1 through the one-shot built-in: ~35 ms for 51 MB here (md5 twice that; sha256 about the same). */
export function contentHash(text: string): string {
  return hash('sha1', text, 'base64url');
}

/** A directory's `d` fact: its files and directories by name, in one hash. */
export function listingHash(entries: Iterable<readonly [string, 'file' | 'dir']>): string {
  return contentHash(JSON.stringify([...entries].map(([name, kind]) => [name, kind]).sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1))));
}

/** The scan's reader (working tree, or the git index with --staged): what a helper's content is. */
export interface FactSource {
  read(absPath: string): string | null;
}

function resolvedPath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return '';
  }
}

/** Observes facts once per run (a path read twice is hashed once) and answers them. */
export class FactProbe {
  private readonly memo = new Map<string, string>();
  private readonly listings = new Map<string, Map<string, 'file' | 'dir'>>();
  /** What the prefilter's verdicts read of a file (LoopPrefilter.signature); set when it runs. */
  signature: ((absPath: string, text: string) => string) | null = null;
  /** index: content hashes of files whose stat has not changed (the main thread's cache; workers have none). */
  constructor(
    private readonly source: FactSource,
    readonly index: StatIndex | null = null,
    /** The directories this run's walk read (discover.ts): not read again. */
    private readonly walked: ReadonlyMap<string, readonly Dirent[]> = new Map(),
  ) {}

  /** A file's content hash without reading it, when the index vouches for it; else null. */
  knownHash(absPath: string): string | null {
    const k = `r\0${absPath}`;
    const v = this.memo.get(k) ?? this.index?.hash(absPath) ?? null;
    if (v !== null) this.memo.set(k, v);
    return v;
  }

  private signatureOf(p: string): string {
    const text = this.source.read(p);
    if (text === null || !this.signature) return '';
    return contentHash(this.signature(p, text));
  }

  /** A directory as the prefilter and the index see it, read once per run (symlinks followed). */
  listing(dir: string): Map<string, 'file' | 'dir'> {
    let m = this.listings.get(dir);
    if (!m) {
      const dirents = this.walked.get(dir);
      m = dirents ? classifyEntries(dir, dirents) : listEntries(dir);
      this.listings.set(dir, m);
    }
    return m;
  }

  /**
   * The walked directory whose listing says what a path is: its own directory, or the nearest
   * walked ancestor that does not list the next directory down (then nothing below exists: the
   * module index probes `pkg/mod.py` and `pkg/__init__.py` for packages that are not there).
   * Null: no listing read by this run's walk decides (ask the file system).
   */
  listingFor(p: string): string | null {
    const dir = path.dirname(p);
    if (this.walked.has(dir)) return dir;
    for (let child = dir, parent = path.dirname(dir); parent !== child; child = parent, parent = path.dirname(parent)) {
      if (this.walked.has(parent)) return this.listing(parent).get(path.basename(child)) === 'dir' ? null : parent;
    }
    return null;
  }

  /**
   * What a path is from the walk's listings (one stat per symlink, none per file): its kind, null
   * when its directory's listing lacks it, 'none' when an ancestor lacks the way down; undefined:
   * ask the file system.
   */
  private walkedKind(p: string): 'file' | 'dir' | null | 'none' | undefined {
    const decides = this.listingFor(p);
    if (decides === null) return undefined;
    return decides === path.dirname(p) ? (this.listing(decides).get(path.basename(p)) ?? null) : 'none';
  }

  /**
   * The prefilter's name lookups come by the tens of thousands (every imported name probed in
   * every ancestor directory) and read listings: so does this, one readdir per directory.
   */
  private entryKind(p: string): string {
    return this.listing(path.dirname(p)).get(path.basename(p)) ?? '';
  }

  observe(kind: FactKind, p: string): string {
    const k = `${kind}\0${p}`;
    let v = this.memo.get(k);
    if (v === undefined) {
      if (kind === 'r') {
        v = this.index?.hash(p) ?? undefined;
        if (v === undefined) {
          const text = this.source.read(p);
          v = text === null ? '' : contentHash(text);
          if (text !== null) this.index?.remember(p, v);
        }
      } else if (kind === 'f') {
        // Listed as a file (symlinks followed) exactly when statSync(p).isFile() holds.
        const walked = this.walkedKind(p);
        v = (walked === undefined ? statKind(p) === 'file' : walked === 'file') ? '1' : '0';
      } else if (kind === 'D') {
        const walked = this.walkedKind(p);
        v = (walked === undefined ? statKind(p) === 'dir' : walked === 'dir') ? '1' : '0';
      } else if (kind === 's') v = fileStamp(p)?.key ?? '';
      else if (kind === 'l') v = resolvedPath(p);
      else if (kind === 'e') {
        // Absent from its directory's listing may still exist (a FIFO, a socket): then ask.
        const walked = this.walkedKind(p);
        v = walked === 'none' ? '0' : walked || existsSync(p) ? '1' : '0';
      }
      else if (kind === 'k') v = this.entryKind(p);
      else if (kind === 'p') v = `${this.observe('r', p)}|${this.signatureOf(p)}`;
      else if (kind === 'd') v = listingHash(this.listing(p));
      else throw new Error(`fact kind ${kind} is checked by holds()`);
      this.memo.set(k, v);
    }
    return v;
  }

  /** A scanned file's content hash (its key), remembered as the fact other files' results check. */
  hashOf(absPath: string, text: string): string {
    const k = `r\0${absPath}`;
    let v = this.memo.get(k);
    if (v === undefined) {
      v = contentHash(text);
      this.memo.set(k, v);
      this.index?.remember(absPath, v);
    }
    return v;
  }

  /** Whether every fact still holds. */
  holds(facts: readonly Fact[]): boolean {
    for (const [kind, p, value] of facts) {
      if (kind === 'K') {
        const entries = this.listing(p);
        for (const [name, was] of JSON.parse(value) as [string, string][]) if ((entries.get(name) ?? '') !== was) return false;
      } else if (kind === 'p') {
        // Same text, or a text that offers the prefilter the same: the verdicts stand.
        const [content, signature] = value.split('|');
        if (this.observe('r', p) !== content && (content === '' || this.signatureOf(p) !== signature)) return false;
      } else if (this.observe(kind, p) !== value) return false;
    }
    return true;
  }
}

/** `k` facts grouped by directory (a tenth of the size; the paths repeat the same few directories). */
export function compactFacts(facts: readonly Fact[]): Fact[] {
  const out: Fact[] = [];
  const byDir = new Map<string, [string, string][]>();
  for (const f of facts) {
    if (f[0] !== 'k') {
      out.push(f);
      continue;
    }
    const dir = path.dirname(f[1]);
    const list = byDir.get(dir) ?? [];
    list.push([path.basename(f[1]), f[2]]);
    byDir.set(dir, list);
  }
  for (const [dir, pairs] of byDir) out.push(['K', dir, JSON.stringify(pairs)]);
  return out;
}

/** The inverse of compactFacts, to merge two sets of facts. */
export function expandFacts(facts: readonly Fact[]): Fact[] {
  return facts.flatMap((f): Fact[] => (f[0] === 'K' ? (JSON.parse(f[2]) as [string, string][]).map(([name, kind]) => ['k', path.join(f[1], name), kind] as const) : [f]));
}

/** The facts one analysis observed (deduplicated, in first-seen order). */
export class FactLog {
  private readonly facts = new Map<string, Fact>();
  constructor(private readonly probe: FactProbe) {}

  add(kind: FactKind, p: string): void {
    const k = `${kind}\0${p}`;
    if (!this.facts.has(k)) this.facts.set(k, [kind, p, this.probe.observe(kind, p)]);
  }

  list(): Fact[] {
    return [...this.facts.values()];
  }
}
