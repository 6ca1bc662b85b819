// The parallel Python scan (issue #8): worker threads parse and analyse while the main thread
// reads and prefilters; then the main thread takes its share from the same queue and assembles
// the results in discovery order. Used when there is enough work (MIN_FILES_PER_WORKER per extra
// thread) on a plain working-tree scan; `--jobs N` sets how many threads analyse, the main one
// included (1: no worker).
import os from 'node:os';
import type { WorkerInit, WorkerReply, WorkerTask } from './python-worker.js';
import { ThreadPool, workerScript } from './thread-pool.js';

/** Below this many Python files per thread, starting a thread (~0.2 s: Node + the grammar) does not pay. */
export const MIN_FILES_PER_WORKER = 200;

const workerUrl = (): URL | null => workerScript('python-worker.js');

/** How many threads analyse `files` Python files, the main one included: `jobs` when given, else one per core (up to 4) when there is enough work. */
export function threadsFor(files: number, jobs: number | undefined): number {
  if (workerUrl() === null) return 1;
  const cores = os.availableParallelism();
  const wanted = jobs ?? Math.min(cores, 4);
  if (wanted <= 1) return 1;
  const enough = jobs !== undefined ? files >= 2 : files >= MIN_FILES_PER_WORKER * 2;
  return enough ? Math.max(1, Math.min(wanted, Math.ceil(files / (jobs !== undefined ? 1 : MIN_FILES_PER_WORKER)))) : 1;
}

export class PythonPool extends ThreadPool<WorkerTask, WorkerReply> {
  constructor(threads: number, init: WorkerInit) {
    const url = workerUrl();
    if (!url) throw new Error('python worker script not found');
    // A small heap: a thread holds one tree and the helpers it resolved, and the scan's peak memory counts every thread.
    super(url, threads, init, { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 }, (id) => ({ id, retry: true }));
  }
}
