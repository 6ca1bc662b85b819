// The parallel Python scan (issue #8): worker threads parse and analyse while the main thread
// reads, prefilters and assembles the results in discovery order. Used when there is enough
// work (MIN_FILES_PER_WORKER per extra thread) on a plain working-tree scan; `--jobs N` sets
// the number of threads (1: none).
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerInit, WorkerReply, WorkerTask } from './python-worker.js';

/** Below this many Python files per thread, starting a thread (~0.2 s: Node + the grammar) does not pay. */
export const MIN_FILES_PER_WORKER = 200;
/** How many files each thread has in hand, so that none waits for the next message. */
const IN_FLIGHT = 4;

/** The worker script beside this module; absent when running from TypeScript sources (tests), which then scan in one thread. */
function workerUrl(): URL | null {
  const url = new URL('./python-worker.js', import.meta.url);
  return fileURLToPath(import.meta.url).endsWith('.js') ? url : null;
}

/** How many threads a scan of `files` Python files uses: `jobs` when given, else one per core when there is enough work. */
export function threadsFor(files: number, jobs: number | undefined): number {
  if (workerUrl() === null) return 1;
  const cores = os.availableParallelism();
  const wanted = jobs ?? Math.min(cores, 4);
  if (wanted <= 1) return 1;
  const enough = jobs !== undefined ? files >= 2 : files >= MIN_FILES_PER_WORKER * 2;
  return enough ? Math.max(1, Math.min(wanted, Math.ceil(files / (jobs !== undefined ? 1 : MIN_FILES_PER_WORKER)))) : 1;
}

export class PythonPool {
  private readonly workers: { worker: Worker; inFlight: number }[] = [];
  private readonly queue: WorkerTask[] = [];
  private readonly waiting = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failed: Error | null = null;

  constructor(threads: number, init: WorkerInit) {
    const url = workerUrl();
    if (!url) throw new Error('python worker script not found');
    for (let i = 0; i < threads; i++) {
      // A small heap: a thread holds one tree and the helpers it resolved, and the scan's peak memory counts every thread.
      const worker = new Worker(url, { resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 } });
      const slot = { worker, inFlight: 0 };
      worker.on('message', (reply: WorkerReply) => {
        slot.inFlight--;
        const w = this.waiting.get(reply.id);
        this.waiting.delete(reply.id);
        w?.resolve(reply);
        this.pump();
      });
      worker.on('error', (e) => this.fail(e));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`a scan thread exited with code ${code}`));
      });
      worker.postMessage({ init });
      this.workers.push(slot);
    }
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  analyse(task: Omit<WorkerTask, 'id'>): Promise<WorkerReply> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    const p = new Promise<WorkerReply>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.queue.push({ ...task, id });
    this.pump();
    return p;
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const slot = this.workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      if (slot.inFlight >= IN_FLIGHT) return;
      slot.inFlight++;
      slot.worker.postMessage({ task: this.queue.shift() });
    }
  }

  /** Stops every thread (their trees live in their own memory and go with them). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((s) => s.worker.terminate()));
  }
}
