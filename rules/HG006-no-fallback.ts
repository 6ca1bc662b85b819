import type { Rule, RuleReport } from '../src/rule.js';
import { GUARDED_LOOP_PY, checkedLoops, formatSeconds, guardSpan, pollingFingerprint, report } from './support.js';

export const rule: Rule = {
  id: 'HG006',
  name: 'no-fallback',
  summary: 'Nothing happens when the handshake guard’s bound runs out; the loop goes on to receive anyway.',
  defaultSeverity: 'error',
  checkId: 'logic',
  fixable: true,
  docs: {
    whatItDoes:
      'Reports polling guards whose timeout path falls through to the receive (Python) or to the send ' +
      '(TypeScript): no `else: break` on the polling `while`, no re-check after it, no `return`/`raise`, and ' +
      'for a helper, a result that the caller ignores.',
    whyIsThisBad:
      'A bound without a fallback only delays the crash it was meant to prevent: when the handshake has not ' +
      'completed after N seconds the loop receives anyway and Starlette raises `RuntimeError: WebSocket is ' +
      'not connected`, or `ws` throws `WebSocket is not open: readyState 0 (CONNECTING)` — now N seconds ' +
      'later and with no hint that the guard ran out.',
    example: {
      python: `import asyncio
import logging
import time

from fastapi import WebSocket
from starlette.websockets import WebSocketState

logger = logging.getLogger(__name__)


async def message_loop(websocket: WebSocket) -> None:
    while True:
        start = time.monotonic()
        while time.monotonic() - start < 3.0:
            if websocket.application_state == WebSocketState.CONNECTED:
                break
            if websocket.application_state == WebSocketState.DISCONNECTED:
                return
            await asyncio.sleep(0.01)
        else:
            logger.warning("WebSocket handshake not complete after 3.0 s")
            # falls through: receive_text() raises RuntimeError
        await websocket.send_text(await websocket.receive_text())
`,
      typescript: `import WebSocket from 'ws';

export async function subscribe(url: string, symbols: string[]): Promise<void> {
  const ws = new WebSocket(url);
  const start = performance.now();
  while (ws.readyState !== WebSocket.OPEN) {
    if (ws.readyState >= WebSocket.CLOSING) return;
    if (performance.now() - start > 3000) {
      console.warn('websocket not open after 3000 ms');
      break; // leaves the wait, not the function: ws.send() below throws while CONNECTING
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  for (const symbol of symbols) ws.send(JSON.stringify({ op: 'subscribe', symbol }));
}
`,
    },
    useInstead: {
      python: GUARDED_LOOP_PY,
      typescript: `import WebSocket from 'ws';

export async function subscribe(url: string, symbols: string[]): Promise<void> {
  const ws = new WebSocket(url);
  const start = performance.now();
  while (ws.readyState !== WebSocket.OPEN) {
    if (ws.readyState >= WebSocket.CLOSING) return;
    if (performance.now() - start > 3000) {
      console.warn('websocket not open after 3000 ms; subscription aborted');
      ws.terminate();
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  for (const symbol of symbols) ws.send(JSON.stringify({ op: 'subscribe', symbol }));
}
`,
    },
  },
  check(ctx) {
    const reports: RuleReport[] = [];
    for (const loop of checkedLoops(ctx.loops)) {
      const fingerprint = pollingFingerprint(loop);
      if (!fingerprint || fingerprint.onTimeout !== 'none') continue;
      reports.push(
        report(
          loop,
          guardSpan(loop),
          `handshake guard of ${loop.function} does nothing when its bound (${formatSeconds(fingerprint.timeoutSeconds)}) runs out, so the loop ${loop.language === 'python' ? 'receives on' : 'sends on'} a connection that is not ready; leave the loop (or re-check and leave) on timeout`,
        ),
      );
    }
    return reports;
  },
};
