// The TS/JS half of the pipeline: the compiler is loaded only when a TS/JS file needs parsing
// (not when every result comes from the result cache).
import { existsSync } from 'node:fs';
import { withLazyLines } from './lazy-lines.js';
import type { TsProject } from '../languages/typescript/module.js';
import type { SocketType, TypeOracle } from '../languages/typescript/types.js';
import type { FileAnalysis } from '../model.js';
import type { ResultCache } from './cache.js';
import { FactLog, type FactProbe } from './deps.js';
import type { DiscoveredFile } from './discover.js';
import type { ReadResult } from './read.js';
import { analysisFailure, skippedAnalysis } from './skipped.js';

export interface ScriptScan {
  reader: { read(absPath: string): string | null };
  readFile(absPath: string): ReadResult;
  gated: ReadonlySet<string>;
  analysed: FileAnalysis[];
  notes: string[];
  guardHelpers: readonly string[];
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
  types: false | { explicit: string | null; stopDir: string; cwd: string };
  cache?: { store: ResultCache; probe: FactProbe } | null;
}

/**
 * TYPE-AWARE RESULTS ARE NEVER CACHED. A file's analysis asks the type checker only where
 * provenance cannot place a receiver; where a checker answers, the answer depends on the whole
 * program, which the cache cannot re-check. So every ask is recorded, with or without a
 * checker: a file that never asked has the same result in every types mode and is cached with
 * the facts it read; one that asked is cached only where no checker could answer (`--no-types`,
 * a mode in the shard's salt, or no tsconfig.json found — the absence of each one the finder
 * looked at becomes a fact); otherwise (see `cacheableAfterAsk`) it is analysed on every run.
 */
class AskRecorder implements TypeOracle {
  asked = false;
  constructor(private readonly inner: TypeOracle | null) {}
  socketAt(absPath: string, start: number, width: number): SocketType | null {
    this.asked = true;
    return this.inner ? this.inner.socketAt(absPath, start, width) : null;
  }
}

interface Opened {
  project: TsProject;
  recorder: AskRecorder;
  observe: (log: FactLog | null) => void;
  /** Whether a file that asked the checker got an answer no program could change (recorded in `log`). */
  cacheableAfterAsk: (absPath: string, log: FactLog) => boolean;
  analyse: typeof import('../languages/typescript/analyze.js').analyzeTypeScript;
}

/**
 * The project, created on the first file the cache does not hold: only then is the compiler
 * loaded and the type checkers planned (from every TS/JS text of the scan, as their roots).
 */
async function openProject(scan: ScriptScan, texts: readonly { absPath: string; text: string }[]): Promise<Opened> {
  const { loadTypeScript } = await import('../languages/typescript/compiler.js');
  const { TsProject } = await import('../languages/typescript/module.js');
  const { analyzeTypeScript } = await import('../languages/typescript/analyze.js');
  let log: FactLog | null = null;
  // Every import a file's analysis resolves goes through module(path): what its result rests on.
  class RecordingProject extends TsProject {
    override module(absPath: string, text?: string): ReturnType<TsProject['module']> {
      if (text === undefined) log?.add('r', absPath);
      return super.module(absPath, text);
    }
  }
  const ts = await loadTypeScript();
  const project = new RecordingProject(ts, scan.reader, { receiveMethods: scan.receiveMethods, connectionNames: scan.connectionNames });
  let oracle: TypeOracle | null = null;
  if (scan.types !== false) {
    const { planTypes } = await import('../languages/typescript/type-router.js');
    oracle = await planTypes({
      ts,
      files: texts,
      explicit: scan.types.explicit,
      stopDir: scan.types.stopDir,
      cwd: scan.types.cwd,
      receiveMethods: scan.receiveMethods,
      sourceOf: (absPath) => scan.overrides?.get(absPath) ?? scan.reader.read(absPath),
      note: (message) => scan.notes.push(message),
    });
  }
  const recorder = new AskRecorder(oracle);
  project.types = recorder;
  const types = scan.types;
  const { tsconfigCandidates } = await import('../languages/typescript/tsconfig.js');
  const cacheableAfterAsk = (absPath: string, l: FactLog): boolean => {
    if (types === false) return true;
    if (types.explicit !== null) return false;
    const candidates = tsconfigCandidates(absPath, types.stopDir);
    if (candidates.some((c) => existsSync(c))) return false;
    for (const c of candidates) l.add('e', c);
    return true;
  };
  return { project, recorder, observe: (l) => (log = l), cacheableAfterAsk, analyse: analyzeTypeScript };
}

export async function analyseScripts(discovered: readonly DiscoveredFile[], scan: ScriptScan, sources: Map<string, string | null>): Promise<void> {
  const scripts = discovered.filter((d) => d.language === 'typescript' || d.language === 'javascript');
  if (scripts.length === 0) return;
  const cache = scan.cache ?? null;
  // Every file is read (and looked up in the cache) first: the type checkers' programs are
  // planned from the texts that can need them, and only if some file must be analysed.
  const results: (FileAnalysis | null)[] = [];
  const pending: { i: number; d: DiscoveredFile; text: string; key: string | null }[] = [];
  const readNow = (d: DiscoveredFile): string | null => {
    const override = scan.overrides?.get(d.absPath);
    const r = override !== undefined ? ({ ok: true, text: override } as const) : scan.readFile(d.absPath);
    if (!r.ok) {
      if (scan.gated.has(d.absPath)) {
        results.push(skippedAnalysis(d, r.reason));
        scan.notes.push(`${d.relPath}: not read: ${r.reason}`);
      }
      return null;
    }
    sources.set(d.absPath, r.text);
    return r.text;
  };
  for (const d of scripts) {
    // A file the cache's stat index vouches for is looked up without reading it.
    const known = cache && scan.overrides?.get(d.absPath) === undefined ? cache.probe.knownHash(d.absPath) : null;
    let text: string | null = null;
    if (known === null && (text = readNow(d)) === null) continue;
    const key = cache ? (known ?? cache.probe.hashOf(d.absPath, text as string)) : null;
    const entry = cache && key ? cache.store.lookup(d.absPath, key, cache.probe) : null;
    const reused = cache && entry ? cache.store.use(d.absPath, entry) : null;
    if (reused) {
      if (text === null && cache) cache.store.stats.unread++;
      results.push(withLazyLines(reused, text ?? (() => scan.reader.read(d.absPath) ?? '')));
      scan.onFile?.();
      continue;
    }
    if (text === null && (text = readNow(d)) === null) continue;
    pending.push({ i: results.length, d, text, key });
    results.push(null);
  }
  if (pending.length > 0) {
    // The type checkers are planned from every TS/JS text of the scan: read those the cache vouched for.
    const texts = scripts.flatMap((d) => {
      const text = scan.overrides?.get(d.absPath) ?? scan.reader.read(d.absPath);
      return text === null ? [] : [{ absPath: d.absPath, text }];
    });
    const opened = await openProject(scan, texts);
    for (const { i, d, text, key } of pending) {
      const log = cache ? new FactLog(cache.probe) : null;
      opened.observe(log);
      opened.recorder.asked = false;
      try {
        const analysis = opened.analyse(d.relPath, d.absPath, text, { project: opened.project, guardHelpers: scan.guardHelpers });
        results[i] = analysis;
        if (cache && key && log && (!opened.recorder.asked || opened.cacheableAfterAsk(d.absPath, log))) cache.store.put(d.absPath, key, analysis, log.list(), 'facts');
        // Drop the file's tree once analysed (a later import parses it again if it needs it):
        // keeping every tree took 1.8 GB on 5,000 files.
        opened.project['modules'].delete(d.absPath);
        scan.onFile?.();
      } catch (e) {
        // One file the analyser cannot handle must not stop the scan: report it and go on.
        const reason = analysisFailure(e);
        results[i] = skippedAnalysis(d, reason);
        scan.notes.push(`${d.relPath}: ${reason}`);
      } finally {
        opened.observe(null);
      }
    }
  }
  for (const r of results) if (r) scan.analysed.push(r);
}
