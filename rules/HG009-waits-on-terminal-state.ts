import type { Rule, RuleReport } from '../src/rule.js';
import { GUARDED_LOOP_PY, GUARDED_LOOP_TS, checkedLoops, formatSeconds, guardSpan, isPython, pollingFingerprint, report } from './support.js';

export const rule: Rule = {
  id: 'HG009',
  name: 'waits-on-terminal-state',
  summary: 'A handshake guard keeps waiting when the connection is DISCONNECTED (or CLOSED).',
  defaultSeverity: 'warning',
  checkId: 'logic',
  fixable: true,
  docs: {
    whatItDoes:
      'Reports polling guards that only test for CONNECTED (Python) or OPEN (TypeScript) and so go on ' +
      'polling when the connection has reached a terminal state — `WebSocketState.DISCONNECTED`, ' +
      '`CLOSING`/`CLOSED` — from which it can never become connected.',
    whyIsThisBad:
      'A client that disconnects during the handshake is common (tab closed, network switch). A guard that ' +
      'does not recognise the terminal state burns its whole bound on a connection that is already gone, ' +
      'for every such client, and then takes the timeout path and logs a misleading "handshake timeout". ' +
      'Leaving at once makes the worst case on a closed socket zero instead of the full bound.',
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
        while time.monotonic() - start < 3.0:  # spins 3 s on a closed socket
            if websocket.application_state == WebSocketState.CONNECTED:
                break
            await asyncio.sleep(0.01)
        else:
            logger.warning("WebSocket handshake not complete after 3.0 s")
            break
        await websocket.send_text(await websocket.receive_text())
`,
      typescript: `import WebSocket from 'ws';

export async function subscribe(url: string, symbols: string[]): Promise<void> {
  const ws = new WebSocket(url);
  const start = performance.now();
  // spins the full 3 s on a socket that is already CLOSED
  while (ws.readyState !== WebSocket.OPEN && performance.now() - start < 3000) {
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
      python: GUARDED_LOOP_PY,
      typescript: GUARDED_LOOP_TS,
    },
  },
  check(ctx) {
    const reports: RuleReport[] = [];
    for (const loop of checkedLoops(ctx.loops)) {
      const fingerprint = pollingFingerprint(loop);
      if (!fingerprint || fingerprint.exitsOnTerminalState) continue;
      const terminal = isPython(loop) ? 'DISCONNECTED' : 'CLOSING or CLOSED';
      const states = fingerprint.states.length > 0 ? ` (states checked: ${fingerprint.states.join(', ')})` : '';
      reports.push(
        report(
          loop,
          guardSpan(loop),
          `handshake guard of ${loop.function} keeps waiting up to ${formatSeconds(fingerprint.timeoutSeconds)} when the connection is ${terminal}${states}; leave at once on ${terminal}`,
        ),
      );
    }
    return reports;
  },
};
