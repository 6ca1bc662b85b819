// A worker thread of the parallel TS/JS scan (issue #8): loads the compiler itself, analyses the
// files the main thread sends with no type checker, and posts each FileAnalysis back with the
// facts it observed and the files it asked the checker about (the main thread analyses those
// again where its checker could answer). Only for plain working-tree scans (no --staged, no
// source overrides), so imports are read from disk exactly as the main thread would.
import { parentPort } from 'node:worker_threads';
import { loadTypeScript } from '../languages/typescript/compiler.js';
import type { FileAnalysis } from '../model.js';
import { FactLog, FactProbe, type Fact } from './deps.js';
import { ScriptAnalyser } from './script-analysis.js';
import { analysisFailure } from './skipped.js';
import { cachingReader, serveTasks, withoutLines } from './thread-worker.js';

export interface ScriptWorkerInit {
  maxFileBytes: number;
  receiveMethods: string[];
  connectionNames: string[];
  guardHelpers: string[];
  /** false: `--no-prefilter`. */
  prefilter: boolean;
  /** Diff-aware runs: loops note the files their guards rest on (`MessageLoop.dependsOn`). */
  dependencies: boolean;
}

export interface ScriptTask {
  id: number;
  relPath: string;
  absPath: string;
  text: string;
  /** Record the facts the analysis observes about other files (the result cache is on). */
  facts: boolean;
}

/** `asked`: the files the analysis asked the type checker about. `retry`: the thread failed; the main thread analyses the file. */
export type ScriptReply = { id: number; analysis: FileAnalysis; facts: Fact[]; asked: string[] } | { id: number; error: string; asked: string[] } | { id: number; retry: true };

/** Imported files kept parsed between files: beyond this the thread forgets them (another thread may analyse them; it would keep them forever). */
const KEEP_MODULES = 64;

/** Runs one task with an analyser (the worker's, or the main thread's when it takes a share). */
export function runScriptTask(analyser: ScriptAnalyser, t: ScriptTask, probe: FactProbe | null): ScriptReply {
  const log = t.facts && probe ? new FactLog(probe) : null;
  try {
    const analysis = withoutLines(analyser.analyse(t.relPath, t.absPath, t.text, log));
    return { id: t.id, analysis, facts: log?.list() ?? [], asked: [...analyser.recorder.asked] };
  } catch (e) {
    return { id: t.id, error: analysisFailure(e), asked: [...analyser.recorder.asked] };
  }
}

if (parentPort) {
  // The compiler loads while the pool sends its init.
  const ready = loadTypeScript();
  serveTasks(async (init: ScriptWorkerInit) => {
    const ts = await ready;
    // Each imported file is read once while it is needed (the facts hash it, the project parses it).
    const reader = cachingReader(init.maxFileBytes, KEEP_MODULES * 4);
    const analyser = new ScriptAnalyser(ts, reader, { receiveMethods: init.receiveMethods, connectionNames: init.connectionNames }, init.guardHelpers, init.prefilter, init.dependencies);
    const probe = new FactProbe(reader);
    return (t: ScriptTask): ScriptReply => {
      const reply = runScriptTask(analyser, t, probe);
      if (analyser.project.size > KEEP_MODULES) analyser.project.forgetAll();
      return reply;
    };
  });
}
