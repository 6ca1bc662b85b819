// The TS/JS guard template (SPEC §3b): a bounded polling block on `readyState` — monotonic clock
// (`performance.now()`), leaves at once on CLOSING/CLOSED, waits while CONNECTING with a
// non-blocking sleep, on timeout logs a warning through the module's logger and leaves.
// Rendered in the file's own style: quotes, semicolons, indentation and line endings.
//
// The canonical form (`onTimeout: 'recheck'`) breaks out of the wait and re-checks `readyState`
// after it, so the same block can `return` from a function or `break` a top-level message loop
// and still has one fingerprint (`recheck-break`). `return` and `raise` exist only to follow a
// group whose guards already leave that way (the analyser reads them as different fingerprints).

export type TsGuardTimeout = 'recheck' | 'return' | 'raise';

export interface ReadyStateTemplate {
  /** The socket expression as the loop writes it: `ws`, `this.socket`. */
  socket: string;
  /**
   * Where the state constants are read: the socket itself (`ws.OPEN`, the default), or the class
   * (`WebSocket.OPEN`: Cloudflare's workers-types declare them static only).
   */
  constants?: string;
  /** The indentation of the statement the block goes before. */
  indent: string;
  indentUnit: string;
  eol: string;
  quote: "'" | '"';
  semicolons: boolean;
  /** The logger expression: `logger`, `log`, `this.logger`, `console`. */
  logger: string;
  timeoutMs: number;
  intervalMs: number;
  /** A name for the start time that nothing in the function uses yet. */
  startName: string;
  clock: 'monotonic' | 'wall';
  onTimeout: TsGuardTimeout;
  /** How the recheck leaves: `return` in a function, `break` in a top-level message loop. */
  leave: 'return' | 'break';
  logs: boolean;
  exitsOnTerminalState: boolean;
}

/** The block's fingerprint fields, as the analyser reads them back (src/languages/typescript/guards.ts). */
export function templateOnTimeout(t: TsGuardTimeout): 'recheck-break' | 'return' | 'raise' {
  return t === 'recheck' ? 'recheck-break' : t;
}

export function renderReadyStateGuard(t: ReadyStateTemplate): string {
  const s = t.semicolons ? ';' : '';
  const q = t.quote;
  const i0 = t.indent;
  const i1 = i0 + t.indentUnit;
  const i2 = i1 + t.indentUnit;
  const sock = t.socket;
  const k = t.constants ?? sock;
  const now = t.clock === 'wall' ? 'Date.now()' : 'performance.now()';
  const terminal = `${sock}.readyState === ${k}.CLOSING || ${sock}.readyState === ${k}.CLOSED`;
  const warn = `${t.logger}.warn(${q}WebSocket not open within ${t.timeoutMs} ms${q})${s}`;
  const thrown = `throw new Error(${q}WebSocket not open within ${t.timeoutMs} ms${q})${s}`;
  const exit = t.onTimeout === 'recheck' ? `break${s}` : t.onTimeout === 'raise' ? thrown : `return${s}`;
  const closed = t.onTimeout === 'raise' ? `throw new Error(${q}WebSocket closed before it opened${q})${s}` : exit;
  const lines = [`${i0}const ${t.startName} = ${now}${s}`, `${i0}while (${sock}.readyState !== ${k}.OPEN) {`];
  if (t.exitsOnTerminalState) lines.push(`${i1}if (${terminal}) ${closed}`);
  if (t.onTimeout === 'recheck') lines.push(`${i1}if (${now} - ${t.startName} > ${t.timeoutMs}) break${s}`);
  else {
    lines.push(`${i1}if (${now} - ${t.startName} > ${t.timeoutMs}) {`);
    if (t.logs) lines.push(`${i2}${warn}`);
    lines.push(`${i2}${exit}`, `${i1}}`);
  }
  lines.push(`${i1}await new Promise((resolve) => setTimeout(resolve, ${t.intervalMs}))${s}`, `${i0}}`);
  if (t.onTimeout === 'recheck') {
    lines.push(`${i0}if (${sock}.readyState !== ${k}.OPEN) {`);
    if (t.logs) lines.push(`${i1}${warn}`);
    lines.push(`${i1}${t.leave}${s}`, `${i0}}`);
  }
  return lines.map((l) => l + t.eol).join('');
}
