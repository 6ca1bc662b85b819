// Worker threads that take files from one queue, shared with the main thread (issue #8): the
// Python (python-pool.ts) and the TS/JS (script-pool.ts) scans use it with their own worker
// script. Each thread has IN_FLIGHT files in hand, so none waits for its next message; the main
// thread takes what no thread has yet (`take`). A thread that fails (out of its heap on a huge
// file, say) hands its files back (`retry`), and the main thread analyses them itself: a thread
// never changes a scan's results.
import { fileURLToPath } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';

/** A worker script beside this module; null when running from TypeScript sources (tests), which then scan in one thread. */
export function workerScript(name: string): URL | null {
  return fileURLToPath(import.meta.url).endsWith('.js') ? new URL(`./${name}`, import.meta.url) : null;
}

/** How many files each thread has in hand, so that none waits for the next message. */
const IN_FLIGHT = 4;

interface Slot {
  worker: Worker;
  inFlight: number;
  ids: Set<number>;
}

export class ThreadPool<Task extends { id: number }, Reply extends { id: number }> {
  private readonly workers: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly waiting = new Map<number, (r: Reply) => void>();
  private nextId = 0;

  /** `retry`: the reply that hands a file back to the main thread. */
  constructor(
    url: URL,
    threads: number,
    init: unknown,
    resourceLimits: ResourceLimits,
    private readonly retry: (id: number) => Reply,
  ) {
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(url, { resourceLimits });
      const slot: Slot = { worker, inFlight: 0, ids: new Set() };
      worker.on('message', (reply: Reply) => {
        slot.inFlight--;
        slot.ids.delete(reply.id);
        this.settle(reply);
        this.pump();
      });
      worker.on('error', () => this.lose(slot));
      worker.on('exit', (code) => {
        if (code !== 0) this.lose(slot);
      });
      worker.postMessage({ init });
      this.workers.push(slot);
    }
  }

  private settle(reply: Reply): void {
    const resolve = this.waiting.get(reply.id);
    this.waiting.delete(reply.id);
    resolve?.(reply);
  }

  private lose(slot: Slot): void {
    const at = this.workers.indexOf(slot);
    if (at < 0) return;
    this.workers.splice(at, 1);
    for (const id of slot.ids) this.settle(this.retry(id));
    slot.ids.clear();
    this.pump();
  }

  /** Queues a file; its reply comes from a thread, or never if the main thread takes it (`take`). */
  analyse(task: Omit<Task, 'id'>): { id: number; reply: Promise<Reply> } {
    const id = this.nextId++;
    const reply = new Promise<Reply>((resolve) => this.waiting.set(id, resolve));
    this.queue.push({ ...task, id } as Task);
    this.pump();
    return { id, reply };
  }

  /** The next queued file no thread has yet, for the main thread to analyse; null when none is left. */
  take(): Task | null {
    const task = this.queue.shift() ?? null;
    if (task) this.waiting.delete(task.id);
    return task;
  }

  private pump(): void {
    while (this.queue.length > 0 && this.workers.length > 0) {
      const slot = this.workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      if (slot.inFlight >= IN_FLIGHT) return;
      const task = this.queue.shift() as Task;
      slot.inFlight++;
      slot.ids.add(task.id);
      slot.worker.postMessage({ task });
    }
  }

  /** Stops every thread (what they hold lives in their own memory and goes with them). */
  async close(): Promise<void> {
    const all = this.workers.splice(0);
    await Promise.all(all.map((s) => s.worker.terminate()));
  }
}
