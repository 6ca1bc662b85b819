import type { Rule, RuleReport } from '../src/rule.js';
import { pollsOf } from '../src/wait-bound.js';
import { GUARDED_LOOP_PY, GUARDED_LOOP_TS, checkedLoops, formatNumber, guardSpan, pollingFingerprint, report } from './support.js';

function range(min: number, max: number): string {
  return `${formatNumber(min)}–${formatNumber(max)} s`;
}

export const rule: Rule = {
  id: 'HG008',
  name: 'parameter-out-of-range',
  summary: 'A handshake guard’s timeout or interval is outside the configured bounds.',
  defaultSeverity: 'warning',
  checkId: 'parameters',
  fixable: false,
  docs: {
    whatItDoes:
      'Checks each polling guard’s timeout and interval against the configured `bounds` (defaults: timeout ' +
      '0.1–10 s, interval 1–500 ms, at most 1000 polls per wait, where polls = timeout / interval).',
    whyIsThisBad:
      'A handshake completes within milliseconds or not at all. A 60-second bound holds a dead connection ' +
      'and its task for a minute per message; a 50 ms bound gives up on slow but healthy clients. An ' +
      'interval of 1 s adds up to a second of latency to every message, and an interval of 0.1 ms turns ' +
      'the guard into a busy loop that wakes the event loop thousands of times per wait.',
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
        while time.monotonic() - start < 60:  # a minute per message
            if websocket.application_state == WebSocketState.CONNECTED:
                break
            if websocket.application_state == WebSocketState.DISCONNECTED:
                return
            await asyncio.sleep(1.0)  # up to a second of added latency
        else:
            logger.warning("WebSocket handshake not complete after 60 s")
            break
        await websocket.send_text(await websocket.receive_text())
`,
      typescript: `import WebSocket from 'ws';

export async function subscribe(url: string, symbols: string[]): Promise<void> {
  const ws = new WebSocket(url);
  const start = performance.now();
  // a 60 s bound polled every millisecond: up to 60 000 wake-ups per wait
  while (ws.readyState === WebSocket.CONNECTING && performance.now() - start < 60_000) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  if (ws.readyState !== WebSocket.OPEN) {
    console.warn(\`websocket not open after 60 s (readyState \${ws.readyState})\`);
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
    const { timeoutSeconds: timeoutRange, intervalSeconds: intervalRange, maxPolls } = ctx.bounds;
    for (const loop of checkedLoops(ctx.loops)) {
      const fingerprint = pollingFingerprint(loop);
      if (!fingerprint) continue;
      const { timeoutSeconds: timeout, intervalSeconds: interval } = fingerprint;
      const { parts } = loop.guard;
      const owner = `handshake guard of ${loop.function}`;
      if (timeout !== null && (timeout < timeoutRange.min || timeout > timeoutRange.max)) {
        reports.push(
          report(
            loop,
            parts.timeout ?? guardSpan(loop),
            `${owner} has timeout ${formatNumber(timeout)} s, outside the allowed ${range(timeoutRange.min, timeoutRange.max)}`,
          ),
        );
      }
      if (interval !== null && (interval < intervalRange.min || interval > intervalRange.max)) {
        reports.push(
          report(
            loop,
            parts.interval ?? guardSpan(loop),
            `${owner} has interval ${formatNumber(interval)} s, outside the allowed ${range(intervalRange.min, intervalRange.max)}`,
          ),
        );
      }
      if (timeout !== null && interval !== null && interval > 0) {
        const polls = pollsOf(timeout, interval);
        if (polls > maxPolls) {
          reports.push(
            report(
              loop,
              parts.timeout ?? guardSpan(loop),
              `${owner} polls up to ${formatNumber(polls)} times per wait (timeout ${formatNumber(timeout)} s / interval ${formatNumber(interval)} s), more than the allowed ${maxPolls}`,
            ),
          );
        }
      }
    }
    return reports;
  },
};
