// `--cache` (issue #8): per-file results that depend on nothing but the file's own text, kept
// between runs under a hash of the text. Only files the prefilter proves loop-free are cached
// (their result — syntax problems and suppressions — is a function of the text and the target
// version alone); files that may hold a loop depend on other files' helpers and are always
// analysed. The key also holds the tool's version, a hash of the Python front end's code and
// the target, so a changed rule or grammar never reads stale
// results. Written atomically (temp file + rename); an unreadable cache is ignored.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileAnalysis, Suppression, SyntaxProblem, TargetVersion } from '../model.js';
import { TOOL_VERSION } from '../version.js';

const FORMAT = 1;

interface Entry {
  syntax: SyntaxProblem[];
  suppressions: Omit<Suppression, 'file'>[];
}

/** The Python front end's code (a hash of its files): a changed rule or grammar check starts a new cache. */
function frontEndStamp(): string {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'languages', 'python');
  const h = createHash('sha1');
  try {
    for (const f of readdirSync(dir).sort()) h.update(f).update('\0').update(readFileSync(path.join(dir, f)));
  } catch {
    h.update(String(Date.now()));
  }
  return h.digest('hex');
}

export class ResultCache {
  private readonly file: string;
  private readonly salt: string;
  private entries: Record<string, Entry> = {};
  private readonly used: Record<string, Entry> = {};
  hits = 0;
  misses = 0;

  constructor(dir: string) {
    this.file = path.join(dir, `python-v${FORMAT}.json`);
    this.salt = `${FORMAT}\0${TOOL_VERSION}\0${frontEndStamp()}\0`;
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as { salt?: string; entries?: Record<string, Entry> };
      if (data.salt === this.salt && data.entries && typeof data.entries === 'object') this.entries = data.entries;
    } catch {
      // No cache yet, or one we cannot read: start empty.
    }
  }

  key(text: string, target: TargetVersion): string {
    return createHash('sha1').update(this.salt).update(JSON.stringify(target)).update('\0').update(text).digest('hex');
  }

  /** The cached result of a loop-free file, or null. */
  get(key: string, relPath: string, absPath: string, target: TargetVersion): FileAnalysis | null {
    const e = this.entries[key];
    if (!e) {
      this.misses++;
      return null;
    }
    this.hits++;
    this.used[key] = e;
    return {
      file: relPath,
      absPath,
      language: 'python',
      skipped: null,
      syntax: e.syntax.map((p) => ({ ...p, position: { ...p.position } })),
      target,
      loops: [],
      suppressions: e.suppressions.map((s) => ({ ...s, file: relPath, rules: [...s.rules], used: false })),
      lines: [],
    };
  }

  put(key: string, analysis: FileAnalysis): void {
    if (analysis.skipped !== null || analysis.loops.length > 0) return;
    // Copied now: later stages may mark suppressions used or add cross-checked problems.
    this.used[key] = JSON.parse(
      JSON.stringify({ syntax: analysis.syntax, suppressions: analysis.suppressions.map(({ file: _file, ...s }) => ({ ...s, used: false })) }),
    ) as Entry;
  }

  /** Writes the entries this run used (so deleted files leave the cache). */
  save(): void {
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ salt: this.salt, entries: this.used }));
      renameSync(tmp, this.file);
    } catch {
      // A cache that cannot be written only costs time.
    }
  }
}
