// The result cache (issue #8): every file's FileAnalysis kept between runs, so that a re-scan
// of an unchanged tree costs about a read of it. On by default (see cache-location.ts).
//
// A shard holds, per absolute path: the key (content hash + target), the facts about other
// paths its analysis observed (deps.ts: helpers the resolver read, paths it probed; a type
// checker's program as a shared set, type-facts.ts) and the result, serialised with v8 (what
// worker threads already send: Infinity and shared objects survive). A shard of another format
// is not read; one is thrown away whole when the salt differs (run.ts: tool build,
// build-fingerprint.ts; resolved configuration; prefilter on/off; the types mode and
// --project's text; the repository roots).
//
// A file the prefilter proved loop-free although it has a loop keyword depends on every file
// its import search read: these files are marked `verdict`, and the prefilter's verdicts are
// kept as one snapshot with every fact the prefilter observed. The snapshot is reused whole
// when every fact holds; otherwise the prefilter runs again for the files that need it.
//
// Whole-run results (rules, consistency groups, the table, the breaking row) are not kept here:
// report-memo.ts keeps the last whole report, reused only when nothing at all changed.
// Writes are atomic (temp file + rename, so concurrent runs never see half a file: the last
// writer wins); a run writes only the entries it used, so deleted files leave the cache, and
// removes shards nobody wrote for 30 days; an unreadable, corrupt or unwritable cache costs
// time, never a result.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { FileAnalysis } from '../model.js';
import { compactFacts, expandFacts, type Fact, type FactProbe } from './deps.js';
import { bareCopier, isBare } from './bare-result.js';
import { writePrivateFile } from './private-file.js';
import { StatIndex, type IndexEntry } from './stat-index.js';

const FORMAT = 4;
/** A shard no run has written for this long belongs to a tree nobody scans any more. */
const STALE_SHARD_MS = 30 * 24 * 3600 * 1000;

export interface Entry {
  key: string;
  /** facts: valid while its facts hold; verdict: also needs the prefilter to say "no loop" again. */
  kind: 'facts' | 'verdict';
  facts: Fact[];
  /** v8-serialised; a result with nothing in it (most files of a large tree) as the object itself, copied on use. */
  result: Uint8Array | Plain;
  /** Ids of fact sets many entries share (a type checker's program: shard's `shared`); all must hold too. */
  shared?: string[];
  /** What its analysis adds to the run's notes (a tsconfig.json not used). */
  notes?: string[];
  /** The tsconfig.json files whose programs its result rests on, each with the key of its roots (engine/type-facts.ts). */
  typed?: [config: string, roots: string][];
  /** A TS/JS file that can ask the type checker (a root of its config's program). */
  asker?: true;
}

/** What an entry stores besides its result and own facts. */
export interface EntryExtras {
  shared: readonly { id: string; facts: Fact[] }[];
  notes: readonly string[];
  typed: readonly [string, string][];
  /** A TS/JS file that can ask the type checker. */
  asker?: boolean;
}

/** A FileAnalysis with no loop, problem, issue or suppression: what it is, not what it found. */
type Plain = Pick<FileAnalysis, 'file' | 'absPath' | 'language' | 'skipped' | 'syntax' | 'target' | 'loops' | 'issues' | 'suppressions' | 'lines'>;

interface Shard {
  format: number;
  salt: string;
  entries: Map<string, Entry>;
  /** Files the prefilter proved loop-free, valid while every one of `facts` holds. */
  verdicts: { facts: Fact[]; free: string[] };
  /** Content hashes by stat (stat-index.ts). */
  index: Map<string, IndexEntry>;
  /** Fact sets by id (their hash), for the entries that name them. */
  shared: Map<string, Fact[]>;
}

export interface CacheStats {
  file: string;
  hits: number;
  misses: number;
  /** Of the hits, files not even read: their stat vouched for their content (stat-index.ts). */
  unread: number;
  /** Why the cache was not read or not written (shown with --verbose). */
  problems: string[];
  /** The whole report was the last run's (report-memo.ts): nothing it rests on changed. */
  report: boolean;
}

function isShard(x: unknown): x is Shard {
  if (typeof x !== 'object' || x === null) return false;
  const s = x as Partial<Shard>;
  return s.format === FORMAT && typeof s.salt === 'string' && s.entries instanceof Map && typeof s.verdicts === 'object' && s.verdicts !== null && s.index instanceof Map && s.shared instanceof Map;
}

/** A FileAnalysis as stored: everything but `lines` (split again from the text on first use). */
function encode(analysis: FileAnalysis): Uint8Array | Plain {
  const plain: Record<string, unknown> = {};
  for (const k of Object.keys(analysis)) if (k !== 'lines') plain[k] = (analysis as unknown as Record<string, unknown>)[k];
  plain['lines'] = [];
  return isBare(analysis) ? (plain as unknown as Plain) : serialize(plain);
}

/** A fresh copy of a stored result (later stages add `lines` and mark suppressions used). */
function decode(result: Uint8Array | Plain): FileAnalysis {
  if (result instanceof Uint8Array) return deserialize(result) as FileAnalysis;
  if (typeof result !== 'object' || result === null || !Array.isArray(result.loops)) throw new Error('not a stored result');
  return bareCopier(result as unknown as Record<string, unknown>)();
}

export class ResultCache {
  private readonly old: Shard | null;
  private readonly used = new Map<string, Entry>();
  private snapshot: 'unchecked' | 'holds' | 'broken' = 'unchecked';
  private provedBefore: Set<string> | null = null;
  private readonly free = new Set<string>();
  private changed = false;
  private readonly sharedChecked = new Map<string, boolean>();
  /** Shared fact sets this run's entries made. */
  private readonly sharedNow = new Map<string, Fact[]>();
  readonly stats: CacheStats;
  /** What the last run knew of each file's content by its stat; null under --staged (the index's content is not on disk). */
  readonly index: StatIndex | null;

  constructor(
    private readonly file: string,
    private readonly salt: string,
    byStat = true,
  ) {
    this.stats = { file, hits: 0, misses: 0, unread: 0, problems: [], report: false };
    let old: Shard | null = null;
    try {
      const data: unknown = deserialize(readFileSync(file));
      if (isShard(data) && data.salt === salt) old = data;
      else this.stats.problems.push(`${file}: written by another build or configuration; starting afresh`);
    } catch (e) {
      if (!(e instanceof Error && 'code' in e && e.code === 'ENOENT')) this.stats.problems.push(`${file}: unreadable (${e instanceof Error ? e.message : String(e)}); starting afresh`);
    }
    this.old = old;
    this.index = byStat ? new StatIndex(old?.index ?? new Map()) : null;
  }

  /** A shard that deserialises but holds nonsense (damaged on disk) is dropped, not trusted. */
  private damaged(e: unknown): null {
    this.stats.problems.push(`${this.file}: damaged (${e instanceof Error ? e.message : String(e)}); its entries are ignored`);
    this.old?.entries.clear();
    this.old?.index.clear();
    this.old?.shared.clear();
    if (this.old) this.old.verdicts = { facts: [], free: [] };
    return null;
  }

  /** The stored entry for a file when its key matches and its facts (its own and the shared sets it names) still hold. */
  lookup(absPath: string, key: string, probe: FactProbe): Entry | null {
    try {
      const e = this.old?.entries.get(absPath);
      return e && e.key === key && probe.holds(e.facts) && (e.shared ?? []).every((id) => this.sharedHolds(id, probe)) ? e : null;
    } catch (e) {
      return this.damaged(e);
    }
  }

  /** Whether a shared fact set holds (checked once per run). */
  private sharedHolds(id: string, probe: FactProbe): boolean {
    let holds = this.sharedChecked.get(id);
    if (holds === undefined) {
      const facts = this.old?.shared.get(id);
      holds = facts !== undefined && probe.holds(facts);
      this.sharedChecked.set(id, holds);
    }
    return holds;
  }

  /** The shared fact sets the entries in use name, by id (made this run, or the last run's). */
  private sharedInUse(): Map<string, Fact[]> {
    const shared = new Map<string, Fact[]>();
    for (const e of this.used.values()) {
      for (const id of e.shared ?? []) {
        const facts = shared.has(id) ? undefined : (this.sharedNow.get(id) ?? this.old?.shared.get(id));
        if (facts) shared.set(id, facts);
      }
    }
    return shared;
  }

  /** Whether the last run's prefilter snapshot says this file holds no loop (every fact it rests on re-checked once). */
  provedFree(absPath: string, probe: FactProbe): boolean {
    if (!this.old) return false;
    if (this.snapshot === 'unchecked') {
      try {
        this.snapshot = probe.holds(this.old.verdicts.facts) ? 'holds' : 'broken';
        this.provedBefore = new Set(this.old.verdicts.free);
      } catch (e) {
        this.snapshot = 'broken';
        this.damaged(e);
      }
    }
    return this.snapshot === 'holds' && this.provedBefore !== null && this.provedBefore.has(absPath);
  }

  /** Reuses an entry: a fresh copy of its result (later stages mark suppressions used); null if it is damaged. */
  use(absPath: string, entry: Entry): FileAnalysis | null {
    let analysis: FileAnalysis;
    try {
      analysis = decode(entry.result);
      for (const s of analysis.suppressions) s.used = false;
    } catch (e) {
      return this.damaged(e);
    }
    this.used.set(absPath, entry);
    if (entry.kind === 'verdict') this.free.add(absPath);
    this.stats.hits++;
    return analysis;
  }

  /** Takes back a reuse (a type-aware result whose program this run builds from other roots): the file is analysed again. */
  unuse(absPath: string): void {
    if (this.used.delete(absPath)) this.stats.hits--;
    this.free.delete(absPath);
  }

  /** Counts a file analysed now whose result is not stored (its type checker's answer cannot be kept, or it failed). */
  miss(): void {
    this.stats.misses++;
  }

  /** Stores a result computed now, copied before later stages touch it. */
  put(absPath: string, key: string, analysis: FileAnalysis, facts: Fact[], kind: Entry['kind'], extras?: EntryExtras): void {
    this.miss();
    if (analysis.skipped !== null) return;
    const entry: Entry = { key, kind, facts, result: encode(analysis) };
    if (extras?.asker) entry.asker = true;
    if (extras) {
      for (const s of extras.shared) this.sharedNow.set(s.id, s.facts);
      if (extras.shared.length > 0) entry.shared = extras.shared.map((s) => s.id);
      if (extras.notes.length > 0) entry.notes = [...extras.notes];
      if (extras.typed.length > 0) entry.typed = extras.typed.map(([config, roots]) => [config, roots]);
    }
    this.used.set(absPath, entry);
    if (kind === 'verdict') this.free.add(absPath);
    this.changed = true;
  }

  /** The facts the loop-free verdicts rest on: this run's prefilter's and, when they were all re-checked, the last run's. */
  private verdictFacts(prefilterFacts: readonly Fact[]): Fact[] {
    const facts = new Map<string, Fact>();
    const keep = this.snapshot === 'holds' ? expandFacts(this.old?.verdicts.facts ?? []) : [];
    for (const f of [...keep, ...prefilterFacts]) facts.set(`${f[0]}\0${f[1]}`, f);
    return compactFacts([...facts.values()]);
  }

  /**
   * What this run's results rest on, for the report memo: the files whose result was reused or
   * stored, and every fact those results (and the prefilter's verdicts) depend on.
   */
  inUse(prefilterFacts: readonly Fact[]): { files: ReadonlySet<string>; facts: Fact[] } {
    const facts = new Map<string, Fact>();
    const add = (f: Fact): void => {
      facts.set(`${f[0]}\0${f[1]}\0${f[2]}`, f);
    };
    for (const e of this.used.values()) e.facts.forEach(add);
    // A program's set once, however many entries name it.
    for (const set of this.sharedInUse().values()) set.forEach(add);
    if (this.free.size > 0) this.verdictFacts(prefilterFacts).forEach(add);
    return { files: new Set(this.used.keys()), facts: [...facts.values()] };
  }

  /**
   * Writes the entries this run used (so the cache stays bounded), and the prefilter facts the
   * loop-free verdicts rest on: this run's and, when they were all re-checked, the last run's.
   * Skipped when nothing changed.
   */
  save(prefilterFacts: Fact[]): void {
    const oldCount = this.old?.entries.size ?? 0;
    const indexSame = !this.index || (!this.index.changed && this.index.current.size === (this.old?.index.size ?? 0));
    if (!this.changed && indexSame && this.used.size === oldCount && prefilterFacts.length === 0 && this.old) return;
    const shard: Shard = { format: FORMAT, salt: this.salt, entries: this.used, verdicts: { facts: this.verdictFacts(prefilterFacts), free: [...this.free] }, index: this.index?.current ?? new Map(), shared: this.sharedInUse() };
    const problem = writePrivateFile(this.file, serialize(shard));
    if (problem) {
      this.stats.problems.push(problem);
      return;
    }
    try {
      pruneStaleShards(path.dirname(this.file));
    } catch (e) {
      // The shard itself was written: only the clean-up failed.
      this.stats.problems.push(`${path.dirname(this.file)}: old shards not removed (${e instanceof Error ? e.message : String(e)})`);
    }
  }
}

/** Removes other shards (and temp files of crashed runs) untouched for 30 days: one shard per scanned tree would otherwise pile up. */
export function pruneStaleShards(dir: string, now = Date.now()): void {
  for (const name of readdirSync(dir)) {
    if (!/^scan-[0-9a-f]+(?:\.report)?\.bin(?:\.\d+\.[0-9a-f]+\.tmp)?$/.test(name)) continue;
    const p = path.join(dir, name);
    try {
      if (now - statSync(p).mtimeMs > STALE_SHARD_MS) rmSync(p, { force: true });
    } catch {
      // Another run removed it first.
    }
  }
}
