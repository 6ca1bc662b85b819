import type { Rule, RuleReport } from '../src/rule.js';
import { GUARDED_LOOP_PY, GUARDED_LOOP_TS, checkedLoops, guardSpan, isPython, pollingFingerprint, report } from './support.js';

export const rule: Rule = {
  id: 'HG004',
  name: 'blocking-sleep',
  summary: 'A handshake guard sleeps with a blocking call inside an async function.',
  defaultSeverity: 'error',
  checkId: 'logic',
  fixable: false,
  docs: {
    whatItDoes:
      'Reports polling guards in `async` functions that sleep between checks with a blocking call — ' +
      '`time.sleep` (however it is imported) in Python, `Atomics.wait` or a busy-wait in TypeScript — ' +
      'instead of yielding to the event loop.',
    whyIsThisBad:
      'The handshake the guard waits for is completed by the same event loop the blocking sleep freezes. ' +
      'While the guard sleeps, no other connection is served and the state it polls cannot change, so the ' +
      'guard usually runs to its full timeout and fails anyway — stalling every other client of the worker ' +
      'for that long.',
    example: {
      python: `import logging
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
            time.sleep(0.01)  # freezes the event loop
        else:
            logger.warning("WebSocket handshake not complete after 3.0 s")
            break
        await websocket.send_text(await websocket.receive_text())
`,
      typescript: `import WebSocket from 'ws';

const pause = new Int32Array(new SharedArrayBuffer(4));

export async function subscribe(url: string, symbols: string[]): Promise<void> {
  const ws = new WebSocket(url);
  const start = performance.now();
  while (ws.readyState === WebSocket.CONNECTING && performance.now() - start < 3000) {
    Atomics.wait(pause, 0, 0, 10); // blocks the thread: 'open' can never fire
  }
  if (ws.readyState !== WebSocket.OPEN) {
    console.warn(\`websocket not open after 3000 ms (readyState \${ws.readyState})\`);
    ws.terminate();
    return;
  }
  for (const symbol of symbols) ws.send(JSON.stringify({ op: 'subscribe', symbol }));
}
`,
    },
    useInstead: {
      python: GUARDED_LOOP_PY,
      typescript: GUARDED_LOOP_TS,
    },
  },
  check(ctx) {
    const reports: RuleReport[] = [];
    for (const loop of checkedLoops(ctx.loops)) {
      const fingerprint = pollingFingerprint(loop);
      if (!fingerprint || fingerprint.sleep !== 'blocking' || !loop.inAsyncFunction) continue;
      const instead = isPython(loop) ? 'await asyncio.sleep(...)' : 'await new Promise((r) => setTimeout(r, ms))';
      reports.push(
        report(
          loop,
          loop.guard.parts.sleepCall ?? guardSpan(loop),
          `handshake guard of ${loop.function} sleeps with a blocking call inside an async function, freezing the event loop that completes the handshake; use ${instead}`,
        ),
      );
    }
    return reports;
  },
};
