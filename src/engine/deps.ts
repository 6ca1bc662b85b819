// What a cached result depends on besides its own file (issue #8): the facts its analysis
// observed about other paths — a helper's content, whether a probed path is a file, a directory
// listing — recorded while it ran and checked again before the result is reused.
import { existsSync, statSync } from 'node:fs';
import { hash } from 'node:crypto';
import { listEntries } from '../languages/python/prefilter.js';

/** `r` content hash ('' unreadable), `f` is a regular file, `e` exists, `k` file/dir/nothing, `d` a directory listing's hash. */
export type FactKind = 'r' | 'f' | 'e' | 'k' | 'd';
export type Fact = readonly [kind: FactKind, path: string, value: string];

/** sha1 through the one-shot built-in: ~35 ms for 51 MB here (md5 twice that; sha256 about the same). */
export function contentHash(text: string): string {
  return hash('sha1', text, 'base64url');
}

/** The scan's reader (working tree, or the git index with --staged): what a helper's content is. */
export interface FactSource {
  read(absPath: string): string | null;
}

/** A directory as the prefilter lists it (sorted: readdir's order is the file system's). */
function listing(dir: string): string {
  return contentHash(JSON.stringify([...listEntries(dir)].sort((a, b) => (a[0] < b[0] ? -1 : 1))));
}

/** What a path is, following symlinks, as the prefilter's listings classify entries. */
function kindOf(p: string): string {
  try {
    const s = statSync(p);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : '';
  } catch {
    return '';
  }
}

/** Observes facts once per run (a path read twice is hashed once) and answers them. */
export class FactProbe {
  private readonly memo = new Map<string, string>();
  constructor(private readonly source: FactSource) {}

  observe(kind: FactKind, p: string): string {
    const k = `${kind}\0${p}`;
    let v = this.memo.get(k);
    if (v === undefined) {
      if (kind === 'r') {
        const text = this.source.read(p);
        v = text === null ? '' : contentHash(text);
      } else if (kind === 'f') v = kindOf(p) === 'file' ? '1' : '0';
      else if (kind === 'e') v = existsSync(p) ? '1' : '0';
      else if (kind === 'k') v = kindOf(p);
      else v = listing(p);
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
    }
    return v;
  }

  /** Whether every fact still holds. */
  holds(facts: readonly Fact[]): boolean {
    for (const [kind, p, value] of facts) if (this.observe(kind, p) !== value) return false;
    return true;
  }
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
