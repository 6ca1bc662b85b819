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
      'worse: the `NameError` fires only on the timeout path, the one tests rarely reach. JavaScript is the ' +
      'same (`ReferenceError`), and so is TypeScript built without type-checking (esbuild, tsx, swc).',
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

export async function subscribe(url: string, symbols: string[]): Promise<void> {
  const ws = new WebSocket(url);
  const start = performance.now();
  while (ws.readyState === WebSocket.CONNECTING && performance.now() - start < 3000) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (ws.readyState !== WebSocket.OPEN) {
    // \`logger\` is never imported: a ReferenceError, and only on the timeout path
    logger.warn({ url, readyState: ws.readyState }, 'websocket not open after 3000 ms');
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
      typescript: `import pino from 'pino';
import WebSocket from 'ws';

const logger = pino();

export async function subscribe(url: string, symbols: string[]): Promise<void> {
  const ws = new WebSocket(url);
  const start = performance.now();
  while (ws.readyState === WebSocket.CONNECTING && performance.now() - start < 3000) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (ws.readyState !== WebSocket.OPEN) {
    logger.warn({ url, readyState: ws.readyState }, 'websocket not open after 3000 ms');
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
            use.typeCheckingOnly
              ? `\`${use.name}\` is used by the handshake guard of ${loop.function} but is bound only under \`if TYPE_CHECKING:\`, which never runs (import it at run time)`
              : `\`${use.name}\` is used by the handshake guard of ${loop.function} but is not bound in the module (missing import or definition?)`,
          ),
        );
      }
    }
    return reports;
  },
};
