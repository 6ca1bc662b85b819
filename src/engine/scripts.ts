// The TS/JS half of the pipeline: the compiler is loaded only when a TS/JS file needs parsing
// (not when every result comes from the result cache); worker threads share the analysis when
// there are enough files (script-pool.ts).
import { withLazyLines } from './lazy-lines.js';
import { needsScriptAnalysis } from '../languages/typescript/prefilter.js';
import type { PlannedTypes } from '../languages/typescript/type-router.js';
import type { StopFor } from '../languages/typescript/tsconfig.js';
import type { FileAnalysis } from '../model.js';
import type { Entry, ResultCache } from './cache.js';
import { FactLog, type Fact, type FactProbe } from './deps.js';
import type { DiscoveredFile } from './discover.js';
import type { ReadResult } from './read.js';
import type { ScriptAnalyser } from './script-analysis.js';
import type { TypeFacts } from './type-facts.js';
import type { ScriptPool } from './script-pool.js';
import type { ScriptReply } from './script-worker.js';
import { analysisFailure, minifiedReason, skippedAnalysis } from './skipped.js';

export interface ScriptScan {
  reader: { read(absPath: string): string | null };
  readFile(absPath: string): ReadResult;
  gated: ReadonlySet<string>;
  analysed: FileAnalysis[];
  notes: string[];
  guardHelpers: readonly string[];
  /** false (`--no-prefilter`): every TS/JS file analysed in full. */
  prefilter?: boolean;
  /** Config `receiveMethods` and `connectionNames`, honoured for TS/JS as for Python. */
  receiveMethods: readonly string[];
  connectionNames: readonly string[];
  overrides?: ReadonlyMap<string, string>;
  /** Called after each TS/JS file (the CLI's progress bar). */
  onFile?: () => void;
  /**
   * Socket types from the compiler's checker: false (`--no-types`) never; a path (`--project`)
   * with that tsconfig.json; else with the nearest tsconfig.json found above each file.
   */
  types: false | { explicit: string | null; stopFor: StopFor; cwd: string };
  cache?: { store: ResultCache; probe: FactProbe } | null;
  /** `--jobs N`: threads that analyse, this one included (default: one per core, up to 2, when there are enough files; 1: none). */
  jobs?: number;
  /** Worker threads allowed (not with --staged or source overrides: their readers live here). */
  threads?: boolean;
  /** What a worker thread may read of an imported file (the config's `maxFileBytes`). */
  maxFileBytes?: number;
  /** Diff-aware runs: loops note the other files their guards rest on (`MessageLoop.dependsOn`). */
  dependencies?: boolean;
  /** Diff-aware runs: unchanged files analysed only for loops that may rest on a changed file (one the prefilter clears is skipped whole). */
  dependents?: ReadonlySet<string>;
}

interface Opened {
  analyser: ScriptAnalyser;
  /** The type checkers (null: --no-types). */
  oracle: PlannedTypes | null;
  /** What a result that asked them rests on (null: no cache, or --no-types: an ask has one answer then). */
  typeFacts: TypeFacts | null;
  /** The notes asking about these files gave. */
  notesOf: (asked: readonly string[]) => string[];
  /** The files that can ask the checker (the roots of every program); none under --no-types. */
  askers: ReadonlySet<string>;
}

/**
 * The project, created on the first file the cache does not hold: only then is the compiler
 * loaded and the type checkers planned (from every TS/JS text of the scan, as their roots).
 */
async function openProject(scan: ScriptScan, texts: () => { absPath: string; text: string }[]): Promise<Opened> {
  const { loadTypeScript } = await import('../languages/typescript/compiler.js');
  const { ScriptAnalyser } = await import('./script-analysis.js');
  const ts = await loadTypeScript();
  const analyser = new ScriptAnalyser(ts, scan.reader, { receiveMethods: scan.receiveMethods, connectionNames: scan.connectionNames }, scan.guardHelpers, scan.prefilter !== false, scan.dependencies === true);
  let oracle: PlannedTypes | null = null;
  if (scan.types !== false) {
    const { planTypes } = await import('../languages/typescript/type-router.js');
    oracle = planTypes({
      ts,
      files: texts(),
      explicit: scan.types.explicit,
      stopFor: scan.types.stopFor,
      cwd: scan.types.cwd,
      receiveMethods: scan.receiveMethods,
      sourceOf: (absPath) => scan.reader.read(absPath),
    });
  }
  analyser.recorder.inner = oracle;
  const { TypeFacts, typeNotes } = await import('./type-facts.js');
  const typeFacts = scan.cache && oracle && scan.types !== false ? new TypeFacts(oracle, { explicit: scan.types.explicit, stopFor: scan.types.stopFor }, scan.cache.probe) : null;
  return { analyser, oracle, typeFacts, notesOf: (asked) => typeNotes(oracle, asked), askers: new Set(oracle?.askers.map((a) => a.absPath)) };
}

/** What a result that asked no checker that could answer rests on beyond its own facts: nothing. */
const NO_TYPES = { facts: [] as Fact[], extras: { shared: [], typed: [] } };

interface Pending {
  /** Where its result goes. */
  i: number;
  d: DiscoveredFile;
  text: string;
  key: string | null;
}

export async function analyseScripts(discovered: readonly DiscoveredFile[], scan: ScriptScan, sources: Map<string, string | null>): Promise<void> {
  const scripts = discovered.filter((d) => d.language === 'typescript' || d.language === 'javascript');
  if (scripts.length === 0) return;
  const cache = scan.cache ?? null;
  // Every file is read (and looked up in the cache) first: the type checkers' programs are
  // planned from the texts that can need them, and only if some file must be analysed.
  const results: (FileAnalysis | null)[] = [];
  const pending: Pending[] = [];
  // The notes each file's asks gave (a tsconfig.json not used): reported in file order, so that
  // reused and fresh results give the same notes in the same order.
  const typeNotesAt = new Map<number, readonly string[]>();
  /** Reused results that rest on a type checker's program, to check against this run's new roots. */
  const typedHits: { i: number; d: DiscoveredFile; key: string; entry: Entry; unread: boolean }[] = [];
  /** Reused files that can ask the checker (roots of their config's program). */
  const reusedAskers: string[] = [];
  const readNow = (d: DiscoveredFile, place: (skipped: FileAnalysis) => void): string | null => {
    const override = scan.overrides?.get(d.absPath);
    const r = override !== undefined ? ({ ok: true, text: override } as const) : scan.readFile(d.absPath);
    // Unreadable, or a minified bundle (not source): skipped with a note where the run gates the file.
    const minified = r.ok && override === undefined ? minifiedReason(r.text) : null;
    if (!r.ok || minified !== null) {
      const reason = r.ok ? (minified as string) : r.reason;
      if (scan.gated.has(d.absPath)) {
        place(skippedAnalysis(d, reason));
        scan.notes.push(`${d.relPath}: ${r.ok ? '' : 'not read: '}${reason}`);
      }
      return null;
    }
    sources.set(d.absPath, r.text);
    return r.text;
  };
  const append = (a: FileAnalysis): void => void results.push(a);
  for (const d of scripts) {
    // A file the cache's stat index vouches for is looked up without reading it.
    const known = cache && scan.overrides?.get(d.absPath) === undefined ? cache.probe.knownHash(d.absPath) : null;
    let text: string | null = null;
    if (known === null && (text = readNow(d, append)) === null) continue;
    const key = cache ? (known ?? cache.probe.hashOf(d.absPath, text as string)) : null;
    const entry = cache && key ? cache.store.lookup(d.absPath, key, cache.probe) : null;
    const reused = cache && entry ? cache.store.use(d.absPath, entry) : null;
    if (reused && entry && key) {
      if (text === null && cache) cache.store.stats.unread++;
      if (entry.notes) typeNotesAt.set(results.length, entry.notes);
      if (entry.typed) typedHits.push({ i: results.length, d, key, entry, unread: text === null });
      if (entry.asker) reusedAskers.push(d.absPath);
      results.push(withLazyLines(reused, text ?? (() => scan.reader.read(d.absPath) ?? '')));
      // A typed result counts once it is known to stand (below).
      if (!entry.typed) scan.onFile?.();
      continue;
    }
    if (text === null && (text = readNow(d, append)) === null) continue;
    // A dependent with no possible message loop has nothing to gate: not parsed at all.
    if (scan.dependents?.has(d.absPath) === true && !scan.gated.has(d.absPath) && scan.prefilter !== false && !needsScriptAnalysis(text, scan.receiveMethods)) {
      scan.onFile?.();
      continue;
    }
    pending.push({ i: results.length, d, text, key });
    results.push(null);
  }
  if (cache && typedHits.length > 0) {
    // A reused result that rests on a program stands only where this run would build that
    // program from the same roots: a new, changed or unstaged file may add or remove one.
    const { typedHitsToRedo } = await import('./type-facts.js');
    const redo = new Set(scan.types === false ? [] : typedHitsToRedo(typedHits, reusedAskers, pending, { ...scan.types, receiveMethods: scan.receiveMethods }));
    for (const hit of typedHits) {
      if (!redo.has(hit)) {
        scan.onFile?.();
        continue;
      }
      cache.store.unuse(hit.d.absPath);
      if (hit.unread) cache.store.stats.unread--;
      typeNotesAt.delete(hit.i);
      results[hit.i] = null;
      const text = readNow(hit.d, (skipped) => (results[hit.i] = skipped));
      if (text !== null) pending.push({ i: hit.i, d: hit.d, text, key: hit.key });
    }
    pending.sort((a, b) => a.i - b.i);
  }
  if (pending.length > 0) {
    // The type checkers are planned from every TS/JS text of the scan (read, under types only,
    // for the files the cache vouched for).
    const texts = (): { absPath: string; text: string }[] =>
      scripts.flatMap((d) => {
        const text = scan.reader.read(d.absPath);
        return text === null ? [] : [{ absPath: d.absPath, text }];
      });
    // The threads load their compilers while this one loads its own and plans the checkers.
    const pool = scan.threads && scan.maxFileBytes !== undefined ? await startPool(pending.length, scan, scan.maxFileBytes) : null;
    try {
      const queued = pool ? queueAll(pool, pending, scan) : null;
      const opened = await openProject(scan, texts);
      const outcomes = pool && queued ? await analyseInThreads(pool, queued, opened, scan) : null;
      // Results computed now are stored once every file is analysed: what a program was asked
      // while answering later files is then part of its facts too.
      const toStore: { d: DiscoveredFile; key: string; analysis: FileAnalysis; facts: Fact[]; asked: readonly string[]; notes: readonly string[] }[] = [];
      const keep = (i: number, d: DiscoveredFile, key: string | null, analysis: FileAnalysis, facts: Fact[], asked: readonly string[]): void => {
        const notes = asked.length > 0 ? opened.notesOf(asked) : [];
        if (asked.length > 0) typeNotesAt.set(i, notes);
        if (cache && key) toStore.push({ d, key, analysis, facts, asked, notes });
      };
      for (const [n, { i, d, text, key }] of pending.entries()) {
        const outcome = outcomes?.[n];
        // A thread's result stands unless a checker could have answered what it asked (it had
        // none), or it failed (the main thread's failure is the one a one-thread scan reports);
        // a file a failed thread handed back is analysed here too.
        if (outcome && 'analysis' in outcome && !outcome.asked.some((p) => opened.oracle?.mayAnswer(p))) {
          results[i] = withLazyLines(outcome.analysis, text);
          keep(i, d, key, outcome.analysis, outcome.facts, outcome.asked);
          continue;
        }
        const log = cache ? new FactLog(cache.probe) : null;
        try {
          const analysis = opened.analyser.analyse(d.relPath, d.absPath, text, log);
          results[i] = analysis;
          keep(i, d, key, analysis, log?.list() ?? [], [...opened.analyser.recorder.asked]);
          if (!outcomes) scan.onFile?.();
        } catch (e) {
          // One file the analyser cannot handle must not stop the scan: report it and go on.
          const reason = analysisFailure(e);
          results[i] = skippedAnalysis(d, reason);
          scan.notes.push(`${d.relPath}: ${reason}`);
        }
      }
      for (const { d, key, analysis, facts, asked, notes } of toStore) {
        // Under --no-types an ask has one answer: nothing more to rest on.
        const typed = asked.length === 0 || opened.typeFacts === null ? NO_TYPES : opened.typeFacts.of(asked);
        if (typed === null) cache?.store.miss();
        else cache?.store.put(d.absPath, key, analysis, [...facts, ...typed.facts], 'facts', { ...typed.extras, notes, asker: opened.askers.has(d.absPath) });
      }
    } finally {
      await pool?.close();
    }
  }
  const noted = new Set<string>();
  for (const i of [...typeNotesAt.keys()].sort((a, b) => a - b)) {
    for (const note of typeNotesAt.get(i) ?? []) {
      if (noted.has(note)) continue;
      noted.add(note);
      scan.notes.push(note);
    }
  }
  for (const r of results) if (r) scan.analysed.push(r);
}

/** Worker threads for `files` files to analyse, or null when this thread alone should (few files, `--jobs 1`). */
async function startPool(files: number, scan: ScriptScan, maxFileBytes: number): Promise<ScriptPool | null> {
  const { ScriptPool, scriptThreadsFor } = await import('./script-pool.js');
  const threads = scriptThreadsFor(files, scan.jobs);
  if (threads <= 1) return null;
  return new ScriptPool(threads - 1, { maxFileBytes, receiveMethods: [...scan.receiveMethods], connectionNames: [...scan.connectionNames], guardHelpers: [...scan.guardHelpers], prefilter: scan.prefilter !== false, dependencies: scan.dependencies === true });
}

/** Queues every pending file for the threads: the outcomes (or their promises) in the order of `pending`, by task id. */
function queueAll(pool: ScriptPool, pending: readonly Pending[], scan: ScriptScan): { outcomes: (ScriptReply | Promise<ScriptReply>)[]; index: Map<number, number> } {
  const outcomes: (ScriptReply | Promise<ScriptReply>)[] = [];
  const index = new Map<number, number>();
  for (const [n, t] of pending.entries()) {
    const { id, reply } = pool.analyse({ relPath: t.d.relPath, absPath: t.d.absPath, text: t.text, facts: (scan.cache ?? null) !== null });
    index.set(id, n);
    outcomes.push(
      reply.then((r) => {
        scan.onFile?.();
        return r;
      }),
    );
  }
  return { outcomes, index };
}

/**
 * Every queued file analysed once, with no type checker, by the worker threads and by this one
 * (taking files from the same queue, between the threads' replies). The files this thread takes
 * are analysed as a thread would, checker off, so that which thread took a file never changes
 * its outcome.
 */
async function analyseInThreads(pool: ScriptPool, queued: ReturnType<typeof queueAll>, opened: Opened, scan: ScriptScan): Promise<ScriptReply[]> {
  const { outcomes, index } = queued;
  const { runScriptTask } = await import('./script-worker.js');
  const checker = opened.analyser.recorder.inner;
  opened.analyser.recorder.inner = null;
  try {
    for (let task = pool.take(); task !== null; task = pool.take()) {
      outcomes[index.get(task.id) as number] = runScriptTask(opened.analyser, task, scan.cache?.probe ?? null);
      scan.onFile?.();
      // Let the threads' replies in, so that each gets its next file.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    opened.analyser.recorder.inner = checker;
  }
  return Promise.all(outcomes);
}
