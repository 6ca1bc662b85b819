// The Python half of the pipeline: read every file, take what the result cache still holds,
// and parse and analyse the rest (worker threads when there are enough of them). The parser
// and the threads are started only when some file needs parsing.
import path from 'node:path';
import type { ResolvedConfig } from '../config/types.js';
import { hasLoopKeyword, LoopPrefilter } from '../languages/python/prefilter.js';
import type { SourceReader } from '../languages/python/repo-index.js';
import type { FileAnalysis, TargetVersion } from '../model.js';
import type { ResultCache } from './cache.js';
import { FactLog, type Fact, type FactProbe } from './deps.js';
import type { DiscoveredFile } from './discover.js';
import { PythonPool, threadsFor } from './python-pool.js';
import type { WorkerReply } from './python-worker.js';
import { withLazyLines } from './lazy-lines.js';
import type { ReadResult } from './read.js';
import { analysisFailure, skippedAnalysis } from './skipped.js';

export interface PythonScan {
  cwd: string;
  config: ResolvedConfig;
  discovered: readonly DiscoveredFile[];
  gated: ReadonlySet<string>;
  /** Results, in discovery order (appended to). */
  analysed: FileAnalysis[];
  notes: string[];
  sources: Map<string, string | null>;
  reader: SourceReader;
  readFile(absPath: string): ReadResult;
  overrides?: ReadonlyMap<string, string>;
  targetFor(dir: string): Promise<TargetVersion>;
  /** false: `--no-prefilter`. */
  prefilter: boolean;
  /** Diff-aware runs: loops note the other files their guards rest on (`MessageLoop.dependsOn`). */
  dependencies?: boolean;
  /**
   * Diff-aware runs: unchanged files analysed only for loops that may rest on a changed file's
   * definitions (changes.ts `dependents`); one without a possible message loop is skipped whole.
   */
  dependents?: ReadonlySet<string>;
  jobs?: number;
  /** Worker threads allowed (not with --staged or source overrides: their readers live here). */
  threads: boolean;
  cache: { store: ResultCache; probe: FactProbe } | null;
  progress: { read: number; parsed: number; total: number };
  onProgress?: (progress: { read: number; parsed: number; total: number }) => void;
}

interface Todo {
  at: number;
  noteAt: number;
  d: DiscoveredFile;
  text: string;
  target: TargetVersion;
  loops: boolean;
  key: string | null;
}

type Outcome = { analysis: FileAnalysis; facts: Fact[] } | { error: string };

const PENDING_NOTE = '\0pending';
/** Files read between two turns of the event loop. */
const YIELD_EVERY = 32;

/** Analyses the scan's Python files into `scan.analysed`; returns the facts the prefilter's verdicts rest on (for the cache). */
export async function analysePythonFiles(scan: PythonScan): Promise<Fact[]> {
  const threads: Threads = { pool: null, replies: [], index: new Map() };
  try {
    return await analyse(scan, threads);
  } finally {
    // Threads started during pass 1 stop even when it fails.
    await threads.pool?.close();
  }
}

interface Threads {
  pool: PythonPool | null;
  /** One per todo entry sent to the pool, in todo order. */
  replies: Promise<WorkerReply>[];
  /** Task id → todo index. */
  index: Map<number, number>;
}

async function analyse(scan: PythonScan, threads: Threads): Promise<Fact[]> {
  const { config, cache } = scan;
  // `analysers` threads analyse, the main one included: n - 1 workers.
  const startPool = (analysers: number): PythonPool =>
    new PythonPool(analysers - 1, { cwd: scan.cwd, maxFileBytes: config.maxFileBytes, receiveMethods: config.receiveMethods, connectionNames: config.connectionNames, guardHelpers: config.guardHelpers, pollingHelpers: config.pollingHelpers, dependencies: scan.dependencies === true });
  const send = (t: Todo, pool: PythonPool): void => {
    const { id, reply } = pool.analyse({ relPath: t.d.relPath, absPath: t.d.absPath, text: t.text, target: t.target, loops: t.loops, facts: cache !== null && t.loops });
    void reply.then(() => {
      scan.progress.parsed++;
      tick();
    }, () => {});
    threads.index.set(id, threads.replies.length);
    threads.replies.push(reply);
  };
  // Threads start as soon as there are files enough for all of them, so that they parse while
  // the rest is read and prefiltered (issue #8: a cold scan's pass 1 left a core idle ~1.5 s).
  const mostThreads = scan.threads ? threadsFor(Number.MAX_SAFE_INTEGER, scan.jobs) : 1;
  const prefilterFacts = cache ? new FactLog(cache.probe) : null;
  const prefilter = scan.prefilter ? new LoopPrefilter(config.receiveMethods, scan.cwd, scan.reader, cache ? (dir) => cache.probe.listing(dir) : undefined) : null;
  if (prefilter && cache && prefilterFacts) {
    prefilter.observer = (kind, p) => prefilterFacts.add(kind, p);
    cache.probe.signature = (p, text) => prefilter.signature(p, text);
  }
  const todo: Todo[] = [];
  // Every directory's target at once: one at a time, the reads of pyproject.toml and friends
  // wait for each other (~0.6 s on 5,000 files in 600 directories).
  const dirs = new Set(scan.discovered.flatMap((d) => (d.language === 'python' ? [path.dirname(d.absPath)] : [])));
  const targets = new Map(await Promise.all([...dirs].map(async (dir) => [dir, await scan.targetFor(dir)] as const)));
  const tick = (): void => scan.onProgress?.(scan.progress);

  // Pass 1: read, key, and take every result the cache still holds.
  let sinceYield = 0;
  for (const d of scan.discovered) {
    if (d.language !== 'python') continue;
    // Reading is synchronous: let the event loop feed the git processes started meanwhile.
    if (++sinceYield === YIELD_EVERY) {
      sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    // A file a cache check already read (as another file's helper) is not read again; one the
    // cache's stat index vouches for is not read at all unless something needs its text.
    const known = scan.overrides?.get(d.absPath) ?? scan.sources.get(d.absPath);
    let text: string | null = typeof known === 'string' ? known : null;
    const hash = text === null && cache ? cache.probe.knownHash(d.absPath) : null;
    const readNow = (): string | null => {
      const r = scan.readFile(d.absPath);
      if (!r.ok) {
        if (scan.gated.has(d.absPath)) {
          scan.analysed.push(skippedAnalysis(d, r.reason));
          scan.notes.push(`${d.relPath}: not read: ${r.reason}`);
        }
        return null;
      }
      scan.sources.set(d.absPath, r.text);
      return r.text;
    };
    if (text === null && hash === null && (text = readNow()) === null) continue;
    scan.progress.read++;
    tick();
    const target = targets.get(path.dirname(d.absPath)) ?? (await scan.targetFor(path.dirname(d.absPath)));
    let key: string | null = null;
    let loops: boolean | null = null;
    if (cache) {
      key = `${hash ?? cache.probe.hashOf(d.absPath, text as string)}\0${target.pythonVersion}\0${target.source}`;
      const entry = cache.store.lookup(d.absPath, key, cache.probe);
      // A `verdict` entry is loop-free only while the prefilter still says so.
      if (entry && entry.kind === 'verdict' && !cache.store.provedFree(d.absPath, cache.probe)) {
        if (text === null && (text = readNow()) === null) continue;
        loops = prefilter?.needsLoopAnalysis(d.absPath, text) ?? true;
      }
      const reused = entry && loops !== true ? cache.store.use(d.absPath, entry) : null;
      if (reused) {
        if (text === null) cache.store.stats.unread++;
        scan.analysed.push(withLazyLines(reused, text ?? (() => scan.reader.read(d.absPath) ?? '')));
        scan.progress.parsed++;
        tick();
        continue;
      }
    }
    if (text === null && (text = readNow()) === null) continue;
    loops ??= prefilter === null || prefilter.needsLoopAnalysis(d.absPath, text);
    // A dependent without a possible message loop has nothing to gate: not parsed at all.
    if (!loops && scan.dependents?.has(d.absPath) === true && !scan.gated.has(d.absPath)) {
      scan.progress.parsed++;
      tick();
      continue;
    }
    // Placeholders keep results and notes in discovery order.
    const t: Todo = { at: scan.analysed.length, noteAt: scan.notes.length, d, text, target, loops, key };
    todo.push(t);
    scan.analysed.push(skippedAnalysis(d, 'pending'));
    scan.notes.push(PENDING_NOTE);
    if (threads.pool) send(t, threads.pool);
    else if (mostThreads > 1 && threadsFor(todo.length, scan.jobs) === mostThreads) {
      const pool = (threads.pool = startPool(mostThreads));
      for (const early of todo) send(early, pool);
    }
  }

  // Pass 2: parse and analyse what the cache did not hold.
  if (todo.length > 0) {
    // The analyser, the parser and the module index are loaded only now: a warm run needs none.
    const [{ analyzePython }, { loadParser }, { RepoIndex }] = await Promise.all([import('../languages/python/analyze.js'), import('../languages/python/parser.js'), import('../languages/python/repo-index.js')]);
    const parser = await loadParser();
    const index = new RepoIndex(parser, scan.cwd, scan.reader);
    if (!threads.pool) {
      const n = scan.threads ? threadsFor(todo.length, scan.jobs) : 1;
      if (n > 1) {
        const pool = (threads.pool = startPool(n));
        for (const t of todo) send(t, pool);
      }
    }
    const pool = threads.pool;
    // Here: on the main thread, recording what the helper resolution looked at.
    const analyseHere = (t: Todo): Outcome => {
      const log = cache && t.loops ? new FactLog(cache.probe) : null;
      index.observer = log ? (kind, p) => log.add(kind, p) : null;
      try {
        const analysis = analyzePython(t.d.relPath, t.d.absPath, t.text, {
          parser,
          index,
          target: t.target,
          receiveMethods: config.receiveMethods,
          connectionNames: config.connectionNames,
          guardHelpers: config.guardHelpers,
          pollingHelpers: config.pollingHelpers,
          loops: t.loops,
          dependencies: scan.dependencies === true,
        });
        return { analysis, facts: log?.list() ?? [] };
      } catch (e) {
        // One file the analyser cannot handle must not stop the scan: report it and go on.
        return { error: analysisFailure(e) };
      } finally {
        index.observer = null;
      }
    };
    try {
      // This thread takes its share from the threads' queue (the files no thread has yet).
      const here: (Outcome | undefined)[] = [];
      if (pool) {
        for (let task = pool.take(); task !== null; task = pool.take()) {
          const i = threads.index.get(task.id) as number;
          here[i] = analyseHere(todo[i] as Todo);
          scan.progress.parsed++;
          tick();
          // Let the threads' replies in, so that each gets its next file.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
      for (const [i, t] of todo.entries()) {
        const pending = pool ? threads.replies[i] : undefined;
        let outcome: Outcome;
        const mine = here[i];
        if (mine) outcome = mine;
        else if (pending) {
          const answer = await pending;
          // A file a failed thread handed back is analysed here, as a one-thread scan would.
          outcome = 'retry' in answer ? analyseHere(t) : 'error' in answer ? { error: answer.error } : { analysis: answer.analysis, facts: answer.facts };
        } else {
          outcome = analyseHere(t);
          scan.progress.parsed++;
          tick();
        }
        if ('analysis' in outcome) {
          scan.analysed[t.at] = withLazyLines(outcome.analysis, t.text);
          // No loop keyword: the result rests on the text alone; loop-free by the prefilter: on its verdict.
          const kind = !t.loops && prefilter !== null && hasLoopKeyword(t.text) ? 'verdict' : 'facts';
          if (cache && t.key) cache.store.put(t.d.absPath, t.key, outcome.analysis, outcome.facts, kind);
        } else {
          scan.analysed[t.at] = skippedAnalysis(t.d, outcome.error);
          scan.notes[t.noteAt] = `${t.d.relPath}: ${outcome.error}`;
        }
      }
    } finally {
      index.dispose();
      await pool?.close();
    }
  }
  for (let i = scan.notes.length - 1; i >= 0; i--) if (scan.notes[i] === PENDING_NOTE) scan.notes.splice(i, 1);
  return prefilterFacts?.list() ?? [];
}
