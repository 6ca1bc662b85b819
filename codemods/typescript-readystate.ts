// The TS/JS guard template (SPEC §3b): a bounded polling block on `readyState` — monotonic clock
// (`performance.now()`), leaves at once on CLOSING/CLOSED, waits while CONNECTING with a
// non-blocking sleep, on timeout logs a warning through the module's logger and returns.
// Rendered in the file's own style: quotes, semicolons, indentation and line endings.

export interface ReadyStateTemplate {
  /** The socket expression as the loop writes it: `ws`, `this.socket`. */
  socket: string;
  /** The indentation of the loop the block goes before. */
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
}

export function renderReadyStateGuard(t: ReadyStateTemplate): string {
  const s = t.semicolons ? ';' : '';
  const q = t.quote;
  const i0 = t.indent;
  const i1 = i0 + t.indentUnit;
  const i2 = i1 + t.indentUnit;
  const sock = t.socket;
  const message = `${q}WebSocket not open after ${t.timeoutMs} ms${q}`;
  const lines = [
    `${i0}const ${t.startName} = performance.now()${s}`,
    `${i0}while (${sock}.readyState !== ${sock}.OPEN) {`,
    `${i1}if (${sock}.readyState === ${sock}.CLOSING || ${sock}.readyState === ${sock}.CLOSED) return${s}`,
    `${i1}if (performance.now() - ${t.startName} > ${t.timeoutMs}) {`,
    `${i2}${t.logger}.warn(${message})${s}`,
    `${i2}return${s}`,
    `${i1}}`,
    `${i1}await new Promise((resolve) => setTimeout(resolve, ${t.intervalMs}))${s}`,
    `${i0}}`,
  ];
  return lines.map((l) => l + t.eol).join('');
}
