// The parallel TS/JS scan (issue #8): worker threads (script-worker.ts), each with its own
// compiler, analyse files while the main thread takes its share from the same queue; the main
// thread then puts the results back in discovery order (scripts.ts). Used when there is enough
// work on a plain working-tree scan; `--jobs N` sets how many threads analyse, the main one
// included (1: no worker). By default two at most: each thread holds a compiler, and the scan's
// peak memory counts them all.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ScriptReply, ScriptTask, ScriptWorkerInit } from './script-worker.js';

/**
 * Below this many TS/JS files to analyse per extra thread, a thread does not pay: it loads its
 * own compiler (~0.4 s CPU, ~60 MB) while a file takes ~2.5 ms on the bench tree.
 */
export const MIN_SCRIPTS_PER_THREAD = 400;
/** How many files each thread has in hand, so that none waits for the next message. */
const IN_FLIGHT = 4;

/** The worker script beside this module; absent when running from TypeScript sources (tests), which then scan in one thread. */
function workerUrl(): URL | null {
  const url = new URL('./script-worker.js', import.meta.url);
  return fileURLToPath(import.meta.url).endsWith('.js') ? url : null;
}

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

interface Slot {
  worker: Worker;
  inFlight: number;
  ids: Set<number>;
}

export class ScriptPool {
  private readonly workers: Slot[] = [];
  private readonly queue: ScriptTask[] = [];
  private readonly waiting = new Map<number, (r: ScriptReply) => void>();
  private nextId = 0;

  constructor(workers: number, init: ScriptWorkerInit) {
    const url = workerUrl();
    if (!url) throw new Error('script worker not found');
    for (let i = 0; i < workers; i++) {
      // A bounded heap: the compiler and one file's tree; the scan's peak memory counts every thread.
      // A stack no deeper than the main thread's (~1 MB; a worker's is 4 MB by default): a file
      // deep enough to overflow it fails here and is analysed again on the main thread, so no
      // file the main thread would refuse is analysed by a thread.
      const worker = new Worker(url, { resourceLimits: { maxOldGenerationSizeMb: 160, maxYoungGenerationSizeMb: 16, stackSizeMb: 0.9 } });
      const slot: Slot = { worker, inFlight: 0, ids: new Set() };
      worker.on('message', (reply: ScriptReply) => {
        slot.inFlight--;
        slot.ids.delete(reply.id);
        this.settle(reply);
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

  private settle(reply: ScriptReply): void {
    const resolve = this.waiting.get(reply.id);
    this.waiting.delete(reply.id);
    resolve?.(reply);
  }

  private lose(slot: Slot): void {
    const at = this.workers.indexOf(slot);
    if (at < 0) return;
    this.workers.splice(at, 1);
    for (const id of slot.ids) this.settle({ id, retry: true });
    slot.ids.clear();
    this.pump();
  }

  /** Queues a file; its reply comes from a thread, or never if the main thread takes it (`take`). */
  analyse(task: Omit<ScriptTask, 'id'>): { id: number; reply: Promise<ScriptReply> } {
    const id = this.nextId++;
    const reply = new Promise<ScriptReply>((resolve) => this.waiting.set(id, resolve));
    this.queue.push({ ...task, id });
    this.pump();
    return { id, reply };
  }

  /** The next queued file no thread has yet, for the main thread to analyse; null when none is left. */
  take(): ScriptTask | null {
    const task = this.queue.shift() ?? null;
    if (task) this.waiting.delete(task.id);
    return task;
  }

  private pump(): void {
    while (this.queue.length > 0 && this.workers.length > 0) {
      const slot = this.workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      if (slot.inFlight >= IN_FLIGHT) return;
      const task = this.queue.shift() as ScriptTask;
      slot.inFlight++;
      slot.ids.add(task.id);
      slot.worker.postMessage({ task });
    }
  }

  /** Stops every thread (their trees and compilers live in their own memory and go with them). */
  async close(): Promise<void> {
    const all = this.workers.splice(0);
    await Promise.all(all.map((s) => s.worker.terminate()));
  }
}
