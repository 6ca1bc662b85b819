// The canonical Starlette/FastAPI handshake guard (SPEC §8), rendered for one site. The block
// is parametrised by the fingerprint it must have, so that a fixed loop matches its group:
// the re-scan after the fix reads the same fingerprint back, or the fix is refused.
import type { Clock, SleepKind } from '../src/model.js';

/** The comment above every inline block the codemod writes (`--upgrade` replaces it with the block). */
export const GUARD_MARKER = '# handshake-guard: bounded wait for the WebSocket handshake';

export type GuardTimeout = 'recheck-break' | 'break' | 'return' | 'raise';

export interface PythonGuardSpec {
  /** The connection expression, e.g. `websocket` or `self.ws`. */
  conn: string;
  states: readonly string[];
  timeoutSeconds: number;
  intervalSeconds: number;
  clock: Clock;
  sleep: SleepKind;
  exitsOnTerminalState: boolean;
  onTimeout: GuardTimeout;
  logs: boolean;
  /** The module's validation helper call to re-check with (`is_ready(websocket, cid)`), if the loop uses one. */
  recheck: string | null;
  /** How to leave: `break` inside a loop, `return` before the loop of a function. */
  leave: 'break' | 'return';
  names: GuardNames;
}

/** Local names the block uses, as the module binds them (aliases respected). */
export interface GuardNames {
  webSocketState: string;
  asyncio: string;
  time: string;
  logger: string;
  /**
   * How the logger formats its arguments: `%` (logging, structlog's stdlib style) or `{}`
   * (loguru, which would print `%.1f` as it stands).
   */
  loggerFormat: 'percent' | 'brace';
}

export interface Layout {
  indent: string;
  unit: string;
  eol: string;
}

export function pyFloat(v: number): string {
  const s = String(Number(v.toPrecision(12)));
  return /[.e]/.test(s) ? s : `${s}.0`;
}

function clockCall(clock: Clock, n: GuardNames): string {
  if (clock === 'wall') return `${n.time}.time()`;
  if (clock === 'loop') return `${n.asyncio}.get_running_loop().time()`;
  return `${n.time}.monotonic()`;
}

function notConnected(conn: string, states: readonly string[], n: GuardNames): string {
  return states.map((s) => `${conn}.${s} != ${n.webSocketState}.CONNECTED`).join(' or ');
}

function disconnected(conn: string, states: readonly string[], n: GuardNames): string {
  if (states.length === 1) return `${conn}.${states[0]} == ${n.webSocketState}.DISCONNECTED`;
  return `${n.webSocketState}.DISCONNECTED in (${states.map((s) => `${conn}.${s}`).join(', ')})`;
}

function sleepCall(spec: Pick<PythonGuardSpec, 'sleep' | 'names'>, interval: string): string {
  return spec.sleep === 'blocking' ? `${spec.names.time}.sleep(${interval})` : `await ${spec.names.asyncio}.sleep(${interval})`;
}

const seconds = (n: GuardNames): string => (n.loggerFormat === 'brace' ? '{:.1f}' : '%.1f');
const message = (n: GuardNames): string => `WebSocket handshake not complete after ${seconds(n)} s; leaving the message loop`;

/**
 * The inline block, inserted before the receive (per-message) or before the loop. The warning
 * is logged where the bound runs out, so it is true when it appears: leaving at once on
 * DISCONNECTED (no wait happened) logs nothing. With `waitOnly` the block ends after the wait:
 * the loop's own check that follows it is the fallback.
 */
export function renderInlineGuard(spec: PythonGuardSpec, layout: Layout, waitOnly = false): string {
  const { indent: I, unit: U } = layout;
  const n = spec.names;
  const clock = clockCall(spec.clock, n);
  const timeout = pyFloat(spec.timeoutSeconds);
  // A re-check that leaves reads `recheck-break` whether it breaks (in the loop) or returns
  // (before it); `break` and a `return` before the loop need the flag to read as themselves.
  const flag = !waitOnly && (spec.onTimeout === 'break' || (spec.onTimeout === 'return' && spec.leave === 'return'));
  const lines: string[] = [GUARD_MARKER];
  if (flag) lines.push('_hg_timed_out = False');
  lines.push(`_hg_deadline = ${clock} + ${timeout}`);
  lines.push(`while ${notConnected(spec.conn, spec.states, n)}:`);
  if (spec.exitsOnTerminalState) {
    lines.push(`${U}if ${disconnected(spec.conn, spec.states, n)}:`);
    if (flag) lines.push(`${U}${U}_hg_timed_out = True`);
    lines.push(`${U}${U}break`);
  }
  lines.push(`${U}if ${clock} >= _hg_deadline:`);
  if (flag) lines.push(`${U}${U}_hg_timed_out = True`);
  if (spec.logs) lines.push(`${U}${U}${n.logger}.warning("${message(n)}", ${timeout})`);
  lines.push(`${U}${U}break`);
  lines.push(`${U}${sleepCall(spec, pyFloat(spec.intervalSeconds))}`);
  if (!waitOnly) {
    const leave =
      spec.onTimeout === 'raise'
        ? `raise TimeoutError("WebSocket not connected (closed, or handshake not complete within ${timeout} s)")`
        : spec.onTimeout === 'return'
          ? 'return'
          : spec.leave;
    const condition = flag ? '_hg_timed_out' : spec.recheck ? `not ${spec.recheck}` : notConnected(spec.conn, spec.states, n);
    lines.push(`if ${condition}:`);
    lines.push(`${U}${leave}`);
  }
  return lines.map((l) => `${I}${l}${layout.eol}`).join('');
}

export const HELPER_NAME = '_hg_wait_for_handshake';

/** The helper style: one `async def` per module, returning whether the handshake completed. */
export function renderHelperDef(spec: Omit<PythonGuardSpec, 'conn' | 'recheck' | 'leave' | 'onTimeout'>, layout: Layout): string {
  const { unit: U, eol } = layout;
  const n = spec.names;
  const clock = clockCall(spec.clock, n);
  const lines = [
    `async def ${HELPER_NAME}(websocket, timeout=${pyFloat(spec.timeoutSeconds)}, interval=${pyFloat(spec.intervalSeconds)}):`,
    `${U}"""Waits at most \`timeout\` seconds for the WebSocket handshake; False if it did not complete."""`,
    `${U}deadline = ${clock} + timeout`,
    `${U}while ${notConnected('websocket', spec.states, n)}:`,
  ];
  if (spec.exitsOnTerminalState) lines.push(`${U}${U}if ${disconnected('websocket', spec.states, n)}:`, `${U}${U}${U}return False`);
  lines.push(`${U}${U}if ${clock} >= deadline:`);
  if (spec.logs) lines.push(`${U}${U}${U}${n.logger}.warning("WebSocket handshake not complete after ${seconds(n)} s", timeout)`);
  lines.push(`${U}${U}${U}return False`, `${U}${U}${sleepCall(spec, 'interval')}`, `${U}return True`);
  return lines.map((l) => `${l}${eol}`).join('');
}

/** The call site of the helper style: leave when the wait did not end CONNECTED. */
export function renderHelperCall(helperCall: string, leave: 'break' | 'return', layout: Layout): string {
  const { indent: I, unit: U, eol } = layout;
  return `${I}if not await ${helperCall}:${eol}${I}${U}${leave}${eol}`;
}

/** The helper's wait alone, its result left to the loop's own state check that follows it (the fallback). */
export function renderHelperWait(helperCall: string, layout: Layout): string {
  return `${layout.indent}await ${helperCall}${layout.eol}`;
}
