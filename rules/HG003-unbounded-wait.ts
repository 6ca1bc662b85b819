import type { Rule, RuleReport } from '../src/rule.js';
import { GUARDED_SEND_TS, checkedLoops, guardSpan, platformFailure, report } from './support.js';

export const rule: Rule = {
  id: 'HG003',
  name: 'unbounded-wait',
  summary: 'A wait for the handshake has no time bound.',
  defaultSeverity: 'error',
  checkId: 'coverage',
  fixable: true,
  docs: {
    whatItDoes:
      'Reports handshake guards that wait for the connection to become CONNECTED (Python) or OPEN ' +
      '(TypeScript) without any time bound: a `while` on the connection state with no deadline, ' +
      '`await once(ws, \'open\')` with no abort signal, an open promise with no timeout.',
    whyIsThisBad:
      'A handshake that never completes — a client that vanished mid-upgrade, a proxy that dropped the ' +
      'response — keeps the coroutine waiting forever. Each such wait pins a task, its buffers and often a ' +
      'slot in a connection limit; under load they pile up until the worker stops accepting. On an ' +
      'EventTarget, `events.once` never rejects on `error`, so the wait cannot even fail.',
    example: {
      python: `import asyncio

from fastapi import WebSocket
from starlette.websockets import WebSocketState


async def message_loop(websocket: WebSocket) -> None:
    while True:
        while websocket.application_state != WebSocketState.CONNECTED:
            await asyncio.sleep(0.01)  # waits forever if the handshake never completes
        text = await websocket.receive_text()
        await websocket.send_text(text)
`,
      typescript: `import { once } from 'node:events';
import WebSocket from 'ws';

const ws = new WebSocket('wss://feed.example.com/stream');
await once(ws, 'open'); // hangs if the upgrade response never arrives
for (const symbol of ['AAPL', 'MSFT']) {
  ws.send(JSON.stringify({ op: 'subscribe', symbol }));
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
            logger.warning("WebSocket handshake not complete after 3.0 s")
            break
        text = await websocket.receive_text()
        await websocket.send_text(text)
`,
      typescript: GUARDED_SEND_TS,
    },
  },
  check(ctx) {
    const reports: RuleReport[] = [];
    for (const loop of checkedLoops(ctx.loops)) {
      if (platformFailure(ctx.files, loop)) continue; // HG012/HG013 report it
      if (loop.guard.kind !== 'unbounded') continue;
      reports.push(
        report(
          loop,
          loop.guard.parts.unboundedWait ?? guardSpan(loop),
          `handshake guard of ${loop.function} waits with no time bound (\`${loop.guard.summary}\`); bound the wait and leave the loop on timeout`,
        ),
      );
    }
    return reports;
  },
};
