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
      typescript: `import { once } from 'node:events';
import WebSocket from 'ws';

export async function subscribe(url: string, symbols: string[]): Promise<void> {
  const ws = new WebSocket(url);
  try {
    await once(ws, 'open', { signal: AbortSignal.timeout(3000) });
  } catch {
    ws.terminate();
    return; // the connection is dropped without a trace
  }
  for (const symbol of symbols) ws.send(JSON.stringify({ op: 'subscribe', symbol }));
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
      typescript: `import { once } from 'node:events';
import WebSocket from 'ws';

export async function subscribe(url: string, symbols: string[]): Promise<void> {
  const ws = new WebSocket(url);
  try {
    await once(ws, 'open', { signal: AbortSignal.timeout(3000) });
  } catch (err) {
    console.warn(\`websocket \${url} not open after 3000 ms; subscription aborted\`, err);
    ws.terminate();
    return;
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
