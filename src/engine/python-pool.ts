// The parallel Python scan (issue #8): worker threads parse and analyse while the main thread
// reads and prefilters; then the main thread takes its share from the same queue and assembles
// the results in discovery order. Used when there is enough work (MIN_FILES_PER_WORKER per extra
// thread) on a plain working-tree scan; `--jobs N` sets how many threads analyse, the main one
// included (1: no worker).
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

/** How many threads analyse `files` Python files, the main one included: `jobs` when given, else one per core (up to 4) when there is enough work. */
export function threadsFor(files: number, jobs: number | undefined): number {
  if (workerUrl() === null) return 1;
  const cores = os.availableParallelism();
  const wanted = jobs ?? Math.min(cores, 4);
  if (wanted <= 1) return 1;
  const enough = jobs !== undefined ? files >= 2 : files >= MIN_FILES_PER_WORKER * 2;
  return enough ? Math.max(1, Math.min(wanted, Math.ceil(files / (jobs !== undefined ? 1 : MIN_FILES_PER_WORKER)))) : 1;
}

export class PythonPool {
  private readonly workers: { worker: Worker; inFlight: number; ids: Set<number> }[] = [];
  private readonly queue: WorkerTask[] = [];
  private readonly waiting = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  constructor(threads: number, init: WorkerInit) {
    const url = workerUrl();
    if (!url) throw new Error('python worker script not found');
    for (let i = 0; i < threads; i++) {
      // A small heap: a thread holds one tree and the helpers it resolved, and the scan's peak memory counts every thread.
      const worker = new Worker(url, { resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 } });
      const slot = { worker, inFlight: 0, ids: new Set<number>() };
      worker.on('message', (reply: WorkerReply) => {
        slot.inFlight--;
        slot.ids.delete(reply.id);
        const w = this.waiting.get(reply.id);
        this.waiting.delete(reply.id);
        w?.resolve(reply);
        this.pump();
      });
      // A thread that fails (out of its heap on a huge file, say) hands its files back to the
      // main thread, which analyses them itself: a thread never changes a scan's results.
      worker.on('error', () => this.lose(slot));
      worker.on('exit', (code) => {
        if (code !== 0) this.lose(slot);
      });
      worker.postMessage({ init });
      this.workers.push(slot);
    }
  }

  private lose(slot: { worker: Worker; inFlight: number; ids: Set<number> }): void {
    const at = this.workers.indexOf(slot);
    if (at < 0) return;
    this.workers.splice(at, 1);
    for (const id of slot.ids) this.handBack(id);
    slot.ids.clear();
    if (this.workers.length === 0) for (const t of this.queue.splice(0)) this.handBack(t.id);
    else this.pump();
  }

  private handBack(id: number): void {
    const w = this.waiting.get(id);
    this.waiting.delete(id);
    w?.resolve({ id, retry: true });
  }

  /** Queues a file; its reply comes from a thread (retry: from none), or never if the main thread takes it (`take`). */
  analyse(task: Omit<WorkerTask, 'id'>): { id: number; reply: Promise<WorkerReply> } {
    const id = this.nextId++;
    const reply = new Promise<WorkerReply>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    if (this.workers.length === 0) {
      this.handBack(id);
      return { id, reply };
    }
    this.queue.push({ ...task, id });
    this.pump();
    return { id, reply };
  }

  /** The next queued file no thread has yet, for the main thread to analyse; null when none is left. */
  take(): WorkerTask | null {
    const task = this.queue.shift() ?? null;
    if (task) this.waiting.delete(task.id);
    return task;
  }

  private pump(): void {
    while (this.queue.length > 0 && this.workers.length > 0) {
      const slot = this.workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      if (slot.inFlight >= IN_FLIGHT) return;
      const task = this.queue.shift() as WorkerTask;
      slot.inFlight++;
      slot.ids.add(task.id);
      slot.worker.postMessage({ task });
    }
  }

  /** Stops every thread (their trees live in their own memory and go with them). */
  async close(): Promise<void> {
    const all = this.workers.splice(0);
    await Promise.all(all.map((s) => s.worker.terminate()));
  }
}
