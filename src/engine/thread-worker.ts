// The worker side of a ThreadPool (thread-pool.ts), shared by the Python and TS/JS workers:
// messages handled one at a time in order (`init` once, then tasks), a reader of the working
// tree that reads each file once, and what a result sheds before it crosses back.
import { parentPort } from 'node:worker_threads';
import type { FileAnalysis } from '../model.js';
import { readSource } from './read.js';

/**
 * Serves the pool's messages: `start(init)` once, when `init` arrives, gives the function that
 * turns each task into its reply. Tests only: HG_TEST_THREAD_EXIT_AFTER=N makes the thread die
 * after N files (their files must then be analysed by the main thread).
 */
export function serveTasks<Init, Task, Reply>(start: (init: Init) => Promise<(task: Task) => Reply>): void {
  const port = parentPort;
  if (!port) return;
  let run: ((task: Task) => Reply) | null = null;
  let chain: Promise<void> = Promise.resolve();
  const crashAfter = process.env['HG_TEST_THREAD_EXIT_AFTER'] ? Number(process.env['HG_TEST_THREAD_EXIT_AFTER']) : null;
  let handled = 0;
  port.on('message', (msg: { init?: Init; task?: Task }) => {
    chain = chain.then(async () => {
      if (msg.init) {
        run = await start(msg.init);
        return;
      }
      if (!msg.task || !run) return;
      if (crashAfter !== null && handled++ >= crashAfter) process.exit(3);
      port.postMessage(run(msg.task));
    });
  });
}

/** Reads each file once while it is needed (`keep`: forget them all beyond this many). */
export function cachingReader(maxFileBytes: number, keep = Infinity): { read(absPath: string): string | null } {
  const texts = new Map<string, string | null>();
  return {
    read(absPath: string): string | null {
      if (!texts.has(absPath)) {
        if (texts.size >= keep) texts.clear();
        const r = readSource(absPath, maxFileBytes);
        texts.set(absPath, r.ok ? r.text : null);
      }
      return texts.get(absPath) ?? null;
    },
  };
}

/** The lines are split again on the main thread when needed: never copied across, nor kept meanwhile. */
export function withoutLines(analysis: FileAnalysis): FileAnalysis {
  Object.defineProperty(analysis, 'lines', { value: [], enumerable: true, writable: true, configurable: true });
  return analysis;
}
