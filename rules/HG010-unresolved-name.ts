import type { Rule, RuleReport } from '../src/rule.js';
import { checkedLoops, pointSpan, report } from './support.js';

export const rule: Rule = {
  id: 'HG010',
  name: 'unresolved-name',
  summary: 'A name the handshake guard needs is not bound in the module.',
  defaultSeverity: 'error',
  checkId: 'imports',
  fixable: false,
  docs: {
    whatItDoes:
      'Reports names a handshake guard uses — `WebSocketState`, `asyncio`, `time`, the logger, a validation ' +
      'or polling helper — that are neither imported, defined nor otherwise bound in the module or the ' +
      'enclosing function.',
    whyIsThisBad:
      'Python resolves names only when the line runs. A guard that names `WebSocketState` without importing ' +
      'it imports fine, passes a syntax check, and raises `NameError` on the first message of the first ' +
      'connection in production — the guard meant to protect the loop is what kills it. A missing logger is ' +
      'worse: the `NameError` fires only on the timeout path, the one tests rarely reach.',
    example: {
      python: `import asyncio
import logging
import time

from fastapi import WebSocket

logger = logging.getLogger(__name__)


async def message_loop(websocket: WebSocket) -> None:
    while True:
        start = time.monotonic()
        while time.monotonic() - start < 3.0:
            if websocket.application_state == WebSocketState.CONNECTED:  # NameError
                break
            if websocket.application_state == WebSocketState.DISCONNECTED:
                return
            await asyncio.sleep(0.01)
        else:
            logger.warning("WebSocket handshake not complete after 3.0 s")
            break
        await websocket.send_text(await websocket.receive_text())
`,
      typescript: `import WebSocket from 'ws';

const ws = new WebSocket('wss://feed.example.com/stream');
for (const symbol of ['AAPL', 'MSFT']) {
  // ReferenceError at run time in plain JS: waitForOpen is never imported
  if (!(await waitForOpen(ws, 3000))) break;
  ws.send(JSON.stringify({ op: 'subscribe', symbol }));
}
`,
    },
    useInstead: {
      python: `import asyncio
import logging
import time

from fastapi import WebSocket
from fastapi.websockets import WebSocketState

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
        await websocket.send_text(await websocket.receive_text())
`,
      typescript: `import WebSocket from 'ws';
import { waitForOpen } from './ws-utils.js';

const ws = new WebSocket('wss://feed.example.com/stream');
for (const symbol of ['AAPL', 'MSFT']) {
  if (!(await waitForOpen(ws, 3000))) break;
  ws.send(JSON.stringify({ op: 'subscribe', symbol }));
}
`,
    },
  },
  check(ctx) {
    const reports: RuleReport[] = [];
    // Two loops can share a guard (a helper, a before-loop check): report each name use once.
    const seen = new Set<string>();
    for (const loop of checkedLoops(ctx.loops)) {
      for (const use of loop.guard.unboundNames) {
        const key = JSON.stringify([loop.file, use.name, use.position.line, use.position.column]);
        if (seen.has(key)) continue;
        seen.add(key);
        reports.push(
          report(
            loop,
            pointSpan(use.position, use.name.length),
            `\`${use.name}\` is used by the handshake guard of ${loop.function} but is not bound in the module (missing import or definition?)`,
          ),
        );
      }
    }
    return reports;
  },
};
