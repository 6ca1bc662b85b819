import type { Rule, RuleReport } from '../src/rule.js';
import { checkedLoops, formatSeconds, guardSpan, pollingFingerprint, report } from './support.js';

export const rule: Rule = {
  id: 'HG007',
  name: 'silent-timeout',
  summary: 'The timeout path of a handshake guard logs nothing.',
  defaultSeverity: 'warning',
  checkId: 'logic',
  fixable: true,
  docs: {
    whatItDoes:
      'Reports polling guards whose timeout path — the `else:` of the polling `while`, the re-check after ' +
      'it, or the helper’s `return False` — leaves or goes on without a logging call.',
    whyIsThisBad:
      'A guard that times out closes a user’s connection. Without a log line nobody can tell a handshake ' +
      'timeout from a client that left, so the race the guard works around becomes invisible: no alert, ' +
      'no count, no way to see whether the bound is too short for the platform.',
    example: {
      python: `import asyncio
import time

from fastapi import WebSocket
from starlette.websockets import WebSocketState


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
            break  # the connection is dropped without a trace
        await websocket.send_text(await websocket.receive_text())
`,
      typescript: `import WebSocket from 'ws';

export async function waitForOpen(ws: WebSocket, timeoutMs = 3000): Promise<boolean> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if (ws.readyState === WebSocket.OPEN) return true;
    if (ws.readyState >= WebSocket.CLOSING) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return false; // silent
}
`,
    },
    useInstead: {
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
            logger.warning("WebSocket handshake not complete after 3.0 s; closing loop")
            break
        await websocket.send_text(await websocket.receive_text())
`,
      typescript: `import WebSocket from 'ws';
import { logger } from './logger.js';

export async function waitForOpen(ws: WebSocket, timeoutMs = 3000): Promise<boolean> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if (ws.readyState === WebSocket.OPEN) return true;
    if (ws.readyState >= WebSocket.CLOSING) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  logger.warn({ url: ws.url, timeoutMs }, 'websocket not open before timeout');
  return false;
}
`,
    },
  },
  check(ctx) {
    const reports: RuleReport[] = [];
    for (const loop of checkedLoops(ctx.loops)) {
      const fingerprint = pollingFingerprint(loop);
      if (!fingerprint || fingerprint.logsOnTimeout) continue;
      reports.push(
        report(
          loop,
          guardSpan(loop),
          `handshake guard of ${loop.function} logs nothing when its bound (${formatSeconds(fingerprint.timeoutSeconds)}) runs out (on timeout: ${fingerprint.onTimeout}); log a warning on the timeout path`,
        ),
      );
    }
    return reports;
  },
};
