// A worker thread of the parallel Python scan (issue #8): parses, syntax-checks and (where the
// prefilter allows) analyses the files the main thread sends, with its own parser and module
// index, and posts each FileAnalysis back. Only used for plain working-tree scans (no --staged,
// no source overrides), so helpers are read from disk exactly as the main thread would.
import { parentPort } from 'node:worker_threads';
import type { FileAnalysis, TargetVersion } from '../model.js';
import type { PollingHelper } from '../config/types.js';
import { analyzePython } from '../languages/python/analyze.js';
import { loadParser } from '../languages/python/parser.js';
import { RepoIndex } from '../languages/python/repo-index.js';
import { FactLog, FactProbe, type Fact } from './deps.js';
import { analysisFailure } from './skipped.js';
import { cachingReader, serveTasks, withoutLines } from './thread-worker.js';

export interface WorkerInit {
  cwd: string;
  maxFileBytes: number;
  receiveMethods: string[];
  connectionNames: string[];
  guardHelpers: string[];
  pollingHelpers: PollingHelper[];
  /** Diff-aware runs: loops note the files their guards rest on (`MessageLoop.dependsOn`). */
  dependencies: boolean;
}

export interface WorkerTask {
  id: number;
  relPath: string;
  absPath: string;
  text: string;
  target: TargetVersion;
  loops: boolean;
  /** Record the facts the analysis observes about other files (the result cache is on). */
  facts: boolean;
}

/** `retry`: the thread failed; the main thread analyses the file itself. */
export type WorkerReply = { id: number; analysis: FileAnalysis; facts: Fact[] } | { id: number; error: string } | { id: number; retry: true };

if (parentPort) {
  // The parser loads while the pool sends its init.
  const ready = loadParser();
  serveTasks(async (init: WorkerInit) => {
    const parser = await ready;
    const reader = cachingReader(init.maxFileBytes);
    const index = new RepoIndex(parser, init.cwd, reader);
    const probe = new FactProbe(reader);
    return (t: WorkerTask): WorkerReply => {
      const log = t.facts ? new FactLog(probe) : null;
      index.observer = log ? (kind, p) => log.add(kind, p) : null;
      try {
        const analysis = analyzePython(t.relPath, t.absPath, t.text, {
          parser,
          index,
          target: t.target,
          receiveMethods: init.receiveMethods,
          connectionNames: init.connectionNames,
          guardHelpers: init.guardHelpers,
          pollingHelpers: init.pollingHelpers,
          loops: t.loops,
          dependencies: init.dependencies,
        });
        return { id: t.id, analysis: withoutLines(analysis), facts: log?.list() ?? [] };
      } catch (e) {
        return { id: t.id, error: analysisFailure(e) };
      } finally {
        index.observer = null;
      }
    };
  });
}
