// The helper style of the TS/JS guard (SPEC §8 `--style helper`): one `async function` per module
// holding the bounded wait of the inline block (codemods/typescript-readystate.ts), and at each
// loop a call followed by the block's own re-check, which warns and leaves. The warning stays at
// the call site, where the module's or the class's logger (`this.logger`) is in scope; the
// re-check makes the analyser read the same fingerprint as the inline block's (`recheck-break`),
// so both styles can share a consistency group.

export interface ReadyStateHelperTemplate {
  name: string;
  /** TS files get a structural parameter type (any socket with readyState and its constants). */
  typed: boolean;
  indentUnit: string;
  eol: string;
  semicolons: boolean;
  timeoutMs: number;
  intervalMs: number;
  clock: 'monotonic' | 'wall';
  exitsOnTerminalState: boolean;
  /** `WebSocket` where the state constants are static only (Cloudflare), else read from the socket. */
  constants?: string;
}

export function renderReadyStateHelper(t: ReadyStateHelperTemplate): string {
  const s = t.semicolons ? ';' : '';
  const u = t.indentUnit;
  const now = t.clock === 'wall' ? 'Date.now()' : 'performance.now()';
  const k = t.constants ?? 'ws';
  const shape = t.constants ? '{ readonly readyState: number }' : '{ readonly readyState: number; readonly OPEN: number; readonly CLOSING: number; readonly CLOSED: number }';
  const signature = t.typed
    ? [
        `async function ${t.name}(`,
        `${u}ws: ${shape},`,
        `${u}timeoutMs = ${t.timeoutMs},`,
        `${u}intervalMs = ${t.intervalMs},`,
        '): Promise<void> {',
      ]
    : [`async function ${t.name}(ws, timeoutMs = ${t.timeoutMs}, intervalMs = ${t.intervalMs}) {`];
  const what = 'Waits at most `timeoutMs` for the WebSocket to open; callers check `readyState` after it.';
  // JS: the parameter's type in JSDoc, for projects that type-check their JS (checkJs).
  const doc = t.typed
    ? [`/** ${what} */`]
    : ['/**', ` * ${what}`, ` * @param {${t.constants ? '{ readyState: number }' : '{ readyState: number, OPEN: number, CLOSING: number, CLOSED: number }'}} ws`, ' */'];
  const lines = [
    ...doc,
    ...signature,
    `${u}const start = ${now}${s}`,
    `${u}while (ws.readyState !== ${k}.OPEN) {`,
  ];
  if (t.exitsOnTerminalState) lines.push(`${u}${u}if (ws.readyState === ${k}.CLOSING || ws.readyState === ${k}.CLOSED) return${s}`);
  lines.push(
    `${u}${u}if (${now} - start > timeoutMs) return${s}`,
    `${u}${u}await new Promise((resolve) => setTimeout(resolve, intervalMs))${s}`,
    `${u}}`,
    '}',
  );
  return lines.map((l) => l + t.eol).join('');
}

export interface ReadyStateCallTemplate {
  /** The socket expression as the loop writes it: `ws`, `this.socket`. */
  socket: string;
  /** As the helper's: where the state constants are read (default: the socket). */
  constants?: string;
  /** The call as written at the site: `waitForOpen(this.ws)`. */
  call: string;
  /** The statement's indentation. */
  indent: string;
  indentUnit: string;
  eol: string;
  quote: "'" | '"';
  semicolons: boolean;
  logger: string;
  logs: boolean;
  timeoutMs: number;
  /** `return` in a function, `break` in a top-level message loop. */
  leave: 'return' | 'break';
}

/** `await waitForOpen(ws);` then `if (ws.readyState !== ws.OPEN) { logger.warn(…); return; }` */
export function renderReadyStateCall(t: ReadyStateCallTemplate): string {
  const s = t.semicolons ? ';' : '';
  const i1 = t.indent + t.indentUnit;
  const lines = [`${t.indent}await ${t.call}${s}`, `${t.indent}if (${t.socket}.readyState !== ${t.constants ?? t.socket}.OPEN) {`];
  if (t.logs) lines.push(`${i1}${t.logger}.warn(${t.quote}WebSocket not open within ${t.timeoutMs} ms${t.quote})${s}`);
  lines.push(`${i1}${t.leave}${s}`, `${t.indent}}`);
  return lines.map((l) => l + t.eol).join('');
}
