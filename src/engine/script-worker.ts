// A worker thread of the parallel TS/JS scan (issue #8): loads the compiler itself, analyses the
// files the main thread sends with no type checker, and posts each FileAnalysis back with the
// facts it observed and the files it asked the checker about (the main thread analyses those
// again where its checker could answer). Only for plain working-tree scans (no --staged, no
// source overrides), so imports are read from disk exactly as the main thread would.
import { parentPort } from 'node:worker_threads';
import { loadTypeScript } from '../languages/typescript/compiler.js';
import type { FileAnalysis } from '../model.js';
import { FactLog, FactProbe, type Fact } from './deps.js';
import { readSource } from './read.js';
import { ScriptAnalyser } from './script-analysis.js';
import { analysisFailure } from './skipped.js';

export interface ScriptWorkerInit {
  maxFileBytes: number;
  receiveMethods: string[];
  connectionNames: string[];
  guardHelpers: string[];
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
    const analysis = analyser.analyse(t.relPath, t.absPath, t.text, log);
    // The lines are split again on the main thread when needed: never copied across, nor kept meanwhile.
    Object.defineProperty(analysis, 'lines', { value: [], enumerable: true, writable: true, configurable: true });
    return { id: t.id, analysis, facts: log?.list() ?? [], asked: [...analyser.recorder.asked] };
  } catch (e) {
    return { id: t.id, error: analysisFailure(e), asked: [...analyser.recorder.asked] };
  }
}

if (parentPort) {
  const port = parentPort;
  let analyser: ScriptAnalyser | null = null;
  let probe: FactProbe | null = null;
  const ready = loadTypeScript();
  let chain: Promise<void> = Promise.resolve();
  const crashAfter = process.env['HG_TEST_THREAD_EXIT_AFTER'] ? Number(process.env['HG_TEST_THREAD_EXIT_AFTER']) : null;
  let handled = 0;
  port.on('message', (msg: { init?: ScriptWorkerInit; task?: ScriptTask }) => {
    chain = chain.then(async () => {
      const ts = await ready;
      if (msg.init) {
        const { maxFileBytes } = msg.init;
        // Each imported file is read once while it is needed (the facts hash it, the project parses it).
        const texts = new Map<string, string | null>();
        const reader = {
          read(absPath: string): string | null {
            if (!texts.has(absPath)) {
              if (texts.size >= KEEP_MODULES * 4) texts.clear();
              const r = readSource(absPath, maxFileBytes);
              texts.set(absPath, r.ok ? r.text : null);
            }
            return texts.get(absPath) ?? null;
          },
        };
        analyser = new ScriptAnalyser(ts, reader, { receiveMethods: msg.init.receiveMethods, connectionNames: msg.init.connectionNames }, msg.init.guardHelpers);
        probe = new FactProbe(reader);
        return;
      }
      const t = msg.task;
      if (!t || !analyser) return;
      // Tests only: a thread that dies mid-scan (its files must be analysed by the main thread).
      if (crashAfter !== null && handled++ >= crashAfter) process.exit(3);
      const reply = runScriptTask(analyser, t, probe);
      if (analyser.project.size > KEEP_MODULES) analyser.project.forgetAll();
      port.postMessage(reply);
    });
  });
}
