// A worker thread of the parallel Python scan (issue #8): parses, syntax-checks and (where the
// prefilter allows) analyses the files the main thread sends, with its own parser and module
// index, and posts each FileAnalysis back. Only used for plain working-tree scans (no --staged,
// no source overrides), so helpers are read from disk exactly as the main thread would.
import { parentPort } from 'node:worker_threads';
import type { FileAnalysis, TargetVersion } from '../model.js';
import { analyzePython } from '../languages/python/analyze.js';
import { loadParser } from '../languages/python/parser.js';
import { RepoIndex } from '../languages/python/repo-index.js';
import { FactLog, FactProbe, type Fact } from './deps.js';
import { readSource } from './read.js';
import { analysisFailure } from './skipped.js';

export interface WorkerInit {
  cwd: string;
  maxFileBytes: number;
  receiveMethods: string[];
  connectionNames: string[];
  guardHelpers: string[];
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
  const port = parentPort;
  let init: WorkerInit | null = null;
  let index: RepoIndex | null = null;
  let probe: FactProbe | null = null;
  const ready = loadParser();
  let chain: Promise<void> = Promise.resolve();
  const crashAfter = process.env['HG_TEST_THREAD_EXIT_AFTER'] ? Number(process.env['HG_TEST_THREAD_EXIT_AFTER']) : null;
  let handled = 0;
  port.on('message', (msg: { init?: WorkerInit; task?: WorkerTask; close?: true }) => {
    chain = chain.then(async () => {
      const parser = await ready;
      if (msg.init) {
        init = msg.init;
        const maxFileBytes = init.maxFileBytes;
        const cache = new Map<string, string | null>();
        const reader = {
          read(absPath: string): string | null {
            if (!cache.has(absPath)) {
              const r = readSource(absPath, maxFileBytes);
              cache.set(absPath, r.ok ? r.text : null);
            }
            return cache.get(absPath) ?? null;
          },
        };
        index = new RepoIndex(parser, init.cwd, reader);
        probe = new FactProbe(reader);
        return;
      }
      if (msg.close) {
        index?.dispose();
        port.close();
        return;
      }
      const t = msg.task;
      if (!t || !init || !index) return;
      // Tests only: a thread that dies mid-scan (its files must be analysed by the main thread).
      if (crashAfter !== null && handled++ >= crashAfter) process.exit(3);
      let reply: WorkerReply;
      const log = t.facts && probe ? new FactLog(probe) : null;
      index.observer = log ? (kind, p) => log.add(kind, p) : null;
      try {
        const analysis = analyzePython(t.relPath, t.absPath, t.text, {
          parser,
          index,
          target: t.target,
          receiveMethods: init.receiveMethods,
          connectionNames: init.connectionNames,
          guardHelpers: init.guardHelpers,
          loops: t.loops,
        });
        // The lines are split again on the main thread when needed: never copied across.
        Object.defineProperty(analysis, 'lines', { value: [], enumerable: true, writable: true, configurable: true });
        reply = { id: t.id, analysis, facts: log?.list() ?? [] };
      } catch (e) {
        reply = { id: t.id, error: analysisFailure(e) };
      }
      index.observer = null;
      port.postMessage(reply);
    });
  });
}
