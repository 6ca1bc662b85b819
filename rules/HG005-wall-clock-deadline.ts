import type { Rule, RuleReport } from '../src/rule.js';
import { GUARDED_LOOP_TS, checkedLoops, guardSpan, isPython, pollingFingerprint, report } from './support.js';

export const rule: Rule = {
  id: 'HG005',
  name: 'wall-clock-deadline',
  summary: 'A handshake guard measures its bound with a wall clock instead of a monotonic one.',
  defaultSeverity: 'warning',
  checkId: 'logic',
  fixable: true,
  docs: {
    whatItDoes:
      'Reports polling guards whose deadline is computed from a wall clock — `time.time()` or ' +
      '`datetime.now()` in Python, `Date.now()` or `new Date()` in TypeScript — rather than a monotonic ' +
      'clock (`time.monotonic()`, `loop.time()`, `performance.now()`).',
    whyIsThisBad:
      'The wall clock jumps: NTP corrections, leap-second smearing, a VM resumed from suspend or a container ' +
      'whose host clock is adjusted. A backward jump makes a 3-second bound last minutes; a forward jump ' +
      'ends it at once and the guard gives up on a handshake that was about to complete. Monotonic clocks ' +
      'only move forward at a steady rate, which is what a timeout needs.',
    example: {
      python: `import asyncio
import logging
import time

from fastapi import WebSocket
from starlette.websockets import WebSocketState

logger = logging.getLogger(__name__)


async def message_loop(websocket: WebSocket) -> None:
    while True:
        started = time.time()
        while time.time() - started < 3.0:  # wall clock: jumps with NTP
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

export async function subscribe(url: string, symbols: string[]): Promise<void> {
  const ws = new WebSocket(url);
  const deadline = Date.now() + 3000; // wall clock: jumps with NTP
  while (ws.readyState === WebSocket.CONNECTING && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
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
      python: `import asyncio
import logging
import time

from fastapi import WebSocket
from starlette.websockets import WebSocketState

logger = logging.getLogger(__name__)


async def message_loop(websocket: WebSocket) -> None:
    while True:
        started = time.monotonic()
        while time.monotonic() - started < 3.0:
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
      typescript: GUARDED_LOOP_TS,
    },
  },
  check(ctx) {
    const reports: RuleReport[] = [];
    for (const loop of checkedLoops(ctx.loops)) {
      const fingerprint = pollingFingerprint(loop);
      if (!fingerprint || fingerprint.clock !== 'wall') continue;
      const instead = isPython(loop) ? 'time.monotonic()' : 'performance.now()';
      reports.push(
        report(
          loop,
          loop.guard.parts.clockCall ?? guardSpan(loop),
          `handshake guard of ${loop.function} measures its bound with the wall clock, which jumps with NTP and suspend; use ${instead}`,
        ),
      );
    }
    return reports;
  },
};
