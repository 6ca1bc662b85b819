import type { MessageLoop, RequirePolicy } from '../src/model.js';
import type { Rule, RuleReport } from '../src/rule.js';
import { GUARDED_SEND_TS, checkedLoops, loopStart, platformFailure, report } from './support.js';

function describeReceive(loop: MessageLoop): string {
  const { call, via, span } = loop.receive;
  // A receive reached through a repository function is named with that function.
  const where = via !== null && via !== call ? `${call} via ${via}` : call;
  return `${where}, line ${span.start.line}`;
}

function requirement(policy: RequirePolicy, loop: MessageLoop): string {
  // An aiohttp response is handshaken by its own `prepare()`, which nothing has awaited yet: no
  // wait for a state replaces it (and `fix`'s block polls Starlette's states, which it lacks).
  if (loop.language === 'python' && loop.framework === 'aiohttp') {
    return `await \`${loop.receive.connection}.prepare(request)\` before the loop receives: aiohttp completes the handshake there`;
  }
  return policy === 'polling' ? 'a bounded polling guard is required' : 'a state check or a polling guard is required';
}

export const rule: Rule = {
  id: 'HG001',
  name: 'receive-before-guard',
  summary: 'A message loop receives with no handshake guard that meets the policy.',
  defaultSeverity: 'error',
  checkId: 'coverage',
  fixable: true,
  docs: {
    whatItDoes:
      'Checks every WebSocket message loop for a handshake guard that runs before the receive (Python) or ' +
      'before the socket is used (TypeScript), on every path, and reports loops whose guard does not meet ' +
      'the `require` policy: no guard at all, or — under the default `require = "polling"` — only a ' +
      'single-shot state check.',
    whyIsThisBad:
      'When the loop runs before the handshake has completed, Starlette and FastAPI raise ' +
      '`RuntimeError: WebSocket is not connected. Need to call "accept" first.` and the connection dies. ' +
      'Behind proxies and on platforms such as Cloud Run the handshake can finish a few milliseconds after ' +
      'the handler starts, so the failure is intermittent and hard to reproduce. A single-shot check only ' +
      'turns the crash into a dropped connection; a bounded wait lets the handshake finish. In TypeScript, ' +
      '`ws` throws `WebSocket is not open: readyState 0 (CONNECTING)` when a client sends too early.',
    example: {
      python: `from fastapi import WebSocket


class ChatRouter:
    async def _message_loop(self, websocket: WebSocket) -> None:
        while True:
            message = await websocket.receive_json()
            await websocket.send_json({"ack": message.get("id")})
`,
      typescript: `import WebSocket from 'ws';

const ws = new WebSocket('wss://feed.example.com/stream');
for (const symbol of ['AAPL', 'MSFT']) {
  ws.send(JSON.stringify({ op: 'subscribe', symbol })); // throws while CONNECTING
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


class ChatRouter:
    async def _message_loop(self, websocket: WebSocket) -> None:
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
            message = await websocket.receive_json()
            await websocket.send_json({"ack": message.get("id")})
`,
      typescript: GUARDED_SEND_TS,
    },
  },
  check(ctx) {
    const reports: RuleReport[] = [];
    for (const loop of checkedLoops(ctx.loops)) {
      if (platformFailure(ctx.files, loop)) continue; // HG012/HG013 report it
      const { kind, summary } = loop.guard;
      let has: string;
      if (kind === 'none') has = 'no handshake guard';
      else if (kind === 'check' && ctx.require === 'polling') has = `only a weak single-shot check (\`${summary}\`)`;
      else continue;
      reports.push(
        report(
          loop,
          loopStart(loop),
          // TS/JS loops fail by sending on a socket that may still be CONNECTING (SPEC §3b).
          `message loop in ${loop.function} ${loop.language === 'python' ? 'receives' : 'sends on a socket that may still be CONNECTING'} (${describeReceive(loop)}) with ${has}; ${requirement(ctx.require, loop)}`,
        ),
      );
    }
    return reports;
  },
};
