// A guard that calls a repository helper, read back from its line so that fix can call the same
// helper the same way: `wait_ready(ws, 5.0)` → `, 5.0`. Shared by the Python and TS/JS planners.
import type { MessageLoop } from '../model.js';

/**
 * The arguments after the connection in the reference guard's call of its helper, as written
 * (`, 5.0`, or `` for none); null when the guard calls no helper or the call is not on its line
 * in a simple form. `shape` wraps the call pattern (e.g. anchored `await name(…);`).
 */
export function helperArgsAfterConnection(ref: MessageLoop, text: string, shape: (call: string) => string = (call) => call): string | null {
  const name = ref.guard.helper;
  if (!name || !ref.guard.span) return null;
  const line = text.split(/\r\n|\r|\n/)[ref.guard.span.start.line - 1] ?? '';
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(shape(`${escaped}\\(([^()]*)\\)`)).exec(line);
  if (!m) return null;
  const args = (m[1] ?? '').split(',').slice(1).map((a) => a.trim()).filter(Boolean);
  return args.length ? `, ${args.join(', ')}` : '';
}
