// The parallel TS/JS scan (issue #8): worker threads (script-worker.ts), each with its own
// compiler, analyse files while the main thread takes its share from the same queue; the main
// thread then puts the results back in discovery order (scripts.ts). Used when there is enough
// work on a plain working-tree scan; `--jobs N` sets how many threads analyse, the main one
// included (1: no worker). By default two at most: each thread holds a compiler, and the scan's
// peak memory counts them all.
import os from 'node:os';
import type { ScriptReply, ScriptTask, ScriptWorkerInit } from './script-worker.js';
import { ThreadPool, workerScript } from './thread-pool.js';

/**
 * Below this many TS/JS files to analyse per extra thread, a thread does not pay: it loads its
 * own compiler (~0.4 s CPU, ~60 MB) while a file takes ~2.5 ms on the bench tree.
 */
const MIN_SCRIPTS_PER_THREAD = 400;

const workerUrl = (): URL | null => workerScript('script-worker.js');

/** By default at most this many threads analyse (the main one included): each holds a compiler (~80 MB). */
const DEFAULT_MAX_THREADS = 2;

/** How many threads analyse `files` TS/JS files, the main one included: `jobs` when given, else one per core (up to 2) when there is enough work. */
export function scriptThreadsFor(files: number, jobs: number | undefined): number {
  if (workerUrl() === null) return 1;
  const wanted = jobs ?? Math.min(os.availableParallelism(), DEFAULT_MAX_THREADS);
  if (wanted <= 1 || files < 2) return 1;
  if (jobs !== undefined) return Math.min(wanted, files);
  return Math.max(1, Math.min(wanted, Math.floor(files / MIN_SCRIPTS_PER_THREAD)));
}

export class ScriptPool extends ThreadPool<ScriptTask, ScriptReply> {
  constructor(workers: number, init: ScriptWorkerInit) {
    const url = workerUrl();
    if (!url) throw new Error('script worker not found');
    // A bounded heap: the compiler and one file's tree; the scan's peak memory counts every thread.
    // A stack no deeper than the main thread's (~1 MB; a worker's is 4 MB by default): a file
    // deep enough to overflow it fails here and is analysed again on the main thread, so no
    // file the main thread would refuse is analysed by a thread.
    super(url, workers, init, { maxOldGenerationSizeMb: 160, maxYoungGenerationSizeMb: 16, stackSizeMb: 0.9 }, (id) => ({ id, retry: true }));
  }
}
