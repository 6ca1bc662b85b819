// The TS/JS half of the pipeline: the compiler is loaded only when a TS/JS file needs parsing
// (not when every result comes from the result cache).
import { withLazyLines } from '../languages/python/analyze.js';
import type { TsProject } from '../languages/typescript/module.js';
import type { FileAnalysis } from '../model.js';
import type { ResultCache } from './cache.js';
import { FactLog, type FactProbe } from './deps.js';
import type { DiscoveredFile } from './discover.js';
import type { ReadResult } from './read.js';

export interface ScriptScan {
  reader: { read(absPath: string): string | null };
  readFile(absPath: string): ReadResult;
  gated: ReadonlySet<string>;
  analysed: FileAnalysis[];
  notes: string[];
  guardHelpers: readonly string[];
  overrides?: ReadonlyMap<string, string>;
  /** Called after each TS/JS file (the CLI's progress bar). */
  onFile?: () => void;
  /** `--project`: the tsconfig.json whose type checker resolves socket types (opt-in, slower). */
  tsconfig?: string;
  cache?: { store: ResultCache; probe: FactProbe } | null;
}

/**
 * TYPE-AWARE RESULTS ARE NEVER CACHED. A fast-path (syntax-only) result depends on the file and
 * the relative imports it read, which the cache records and re-checks; with a type checker
 * (`--project`, or any tsconfig-driven mode) it depends on the whole program, which it cannot.
 */
function cacheable(scan: ScriptScan): boolean {
  return scan.tsconfig === undefined;
}

/** The project, created on the first file the cache does not hold: only then is the compiler loaded. */
async function openProject(scan: ScriptScan): Promise<{ project: TsProject; observe: (log: FactLog | null) => void; analyse: typeof import('../languages/typescript/analyze.js').analyzeTypeScript }> {
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
  const project = new RecordingProject(await loadTypeScript(), scan.reader);
  if (scan.tsconfig) project.types = await (await import('../languages/typescript/types.js')).typeOracle(scan.tsconfig);
  return { project, observe: (l) => (log = l), analyse: analyzeTypeScript };
}

export async function analyseScripts(discovered: readonly DiscoveredFile[], scan: ScriptScan, sources: Map<string, string | null>): Promise<void> {
  const scripts = discovered.filter((d) => d.language === 'typescript' || d.language === 'javascript');
  if (scripts.length === 0) return;
  const cache = cacheable(scan) ? (scan.cache ?? null) : null;
  let opened: Awaited<ReturnType<typeof openProject>> | null = null;
  for (const d of scripts) {
    const override = scan.overrides?.get(d.absPath);
    const r = override !== undefined ? ({ ok: true, text: override } as const) : scan.readFile(d.absPath);
    if (!r.ok) {
      if (scan.gated.has(d.absPath)) {
        scan.analysed.push(empty(d, r.reason));
        scan.notes.push(`${d.relPath}: not read: ${r.reason}`);
      }
      continue;
    }
    sources.set(d.absPath, r.text);
    const key = cache ? cache.probe.hashOf(d.absPath, r.text) : null;
    const entry = cache && key ? cache.store.lookup(d.absPath, key, cache.probe) : null;
    const reused = cache && entry ? cache.store.use(d.absPath, entry) : null;
    if (reused) {
      scan.analysed.push(withLazyLines(reused, r.text));
      scan.onFile?.();
      continue;
    }
    opened ??= await openProject(scan);
    const log = cache ? new FactLog(cache.probe) : null;
    opened.observe(log);
    try {
      const analysis = opened.analyse(d.relPath, d.absPath, r.text, { project: opened.project, guardHelpers: scan.guardHelpers });
      scan.analysed.push(analysis);
      if (cache && key && log) cache.store.put(d.absPath, key, analysis, log.list(), 'facts');
      // Drop the file's tree once analysed (a later import parses it again if it needs it):
      // keeping every tree took 1.8 GB on 5,000 files.
      opened.project['modules'].delete(d.absPath);
      scan.onFile?.();
    } catch (e) {
      // One file the analyser cannot handle must not stop the scan: report it and go on.
      const reason = `analysis failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
      scan.analysed.push(empty(d, reason));
      scan.notes.push(`${d.relPath}: ${reason}`);
    } finally {
      opened.observe(null);
    }
  }
}

function empty(d: DiscoveredFile, reason: string): FileAnalysis {
  return { file: d.relPath, absPath: d.absPath, language: d.language, skipped: reason, syntax: [], loops: [], suppressions: [], lines: [] };
}
