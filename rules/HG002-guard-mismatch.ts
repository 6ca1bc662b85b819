import { COMPARED_FIELDS, type Fingerprint, type MessageLoop } from '../src/model.js';
import type { Rule, RuleReport } from '../src/rule.js';
import { majority } from '../src/guard-majority.js';
import { checkedLoops, formatNumber, guardLine, guardSpan, pollingFingerprint, report } from './support.js';

type ComparedField = (typeof COMPARED_FIELDS)[number];

interface PollingLoop {
  loop: MessageLoop;
  fingerprint: Fingerprint;
}

function formatValue(value: Fingerprint[ComparedField]): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return formatNumber(value);
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  return String(value);
}

/** A stable key per field value; states are compared as sets. */
function valueKey(fingerprint: Fingerprint, field: ComparedField): string {
  const value = fingerprint[field];
  return JSON.stringify(Array.isArray(value) ? [...value].sort() : value);
}

/** `line 40`, or `app/other.py:40` when a repository-wide group spans files. */
function where(loop: MessageLoop, relativeTo: MessageLoop): string {
  return loop.file === relativeTo.file ? `line ${guardLine(loop)}` : `${loop.file}:${guardLine(loop)}`;
}

/** `line 40 Router._main_message_loop`. */
function location(member: PollingLoop, relativeTo: MessageLoop): string {
  return `${where(member.loop, relativeTo)} ${member.loop.function}`;
}

/** `timeoutSeconds: 3 (line 40 A), 5 (line 90 B)` — the reference's value first, then in loop order. */
function describeField(field: ComparedField, members: PollingLoop[], reference: PollingLoop, subject: MessageLoop): string {
  const byValue = new Map<string, { text: string; where: string[] }>();
  for (const member of [reference, ...members.filter((m) => m !== reference)]) {
    const key = valueKey(member.fingerprint, field);
    let entry = byValue.get(key);
    if (!entry) {
      entry = { text: formatValue(member.fingerprint[field]), where: [] };
      byValue.set(key, entry);
    }
    entry.where.push(location(member, subject));
  }
  const values = [...byValue.values()].map((entry) => `${entry.text} (${entry.where.join(', ')})`);
  return `${field}: ${values.join(', ')}`;
}

export const rule: Rule = {
  id: 'HG002',
  name: 'guard-mismatch',
  summary: 'Polling guards of one consistency group differ.',
  defaultSeverity: 'error',
  checkId: 'consistency',
  fixable: true,
  docs: {
    whatItDoes:
      'Compares the fingerprints of the polling guards in each consistency group (by default one file): ' +
      'timeout, interval, the states checked, the clock, the sleep, what happens on timeout, whether it logs ' +
      'and whether it leaves on a terminal state. The most common fingerprint is the reference (on a tie, ' +
      'the first loop’s); every guard that differs is reported with each differing field and every loop’s ' +
      'value. Placement (per message or before the loop) is not compared.',
    whyIsThisBad:
      'A fix applied "consistently in both message loops" is only as good as the loop that was forgotten or ' +
      'copied from an older draft. Guards that drift apart behave differently under the same network ' +
      'conditions — one loop gives up after 3 s, another after 30 s, one logs, another drops the ' +
      'connection silently — and reviews cannot tell which behaviour was intended.',
    example: {
      python: `import asyncio
import logging
import time

from fastapi import WebSocket
from starlette.websockets import WebSocketState

logger = logging.getLogger(__name__)


async def wait_for_handshake(websocket: WebSocket, timeout: float = 3.0, interval: float = 0.01) -> bool:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if websocket.application_state == WebSocketState.CONNECTED:
            return True
        if websocket.application_state == WebSocketState.DISCONNECTED:
            return False
        await asyncio.sleep(interval)
    logger.warning("WebSocket handshake not complete after %.1f s", timeout)
    return False


async def chat_loop(websocket: WebSocket) -> None:
    while True:
        if not await wait_for_handshake(websocket):
            break
        await websocket.send_text(await websocket.receive_text())


async def presence_loop(websocket: WebSocket) -> None:
    while True:
        if not await wait_for_handshake(websocket, timeout=8.0, interval=0.25):  # drifted
            break
        await websocket.send_json(await websocket.receive_json())
`,
      typescript: `import { once } from 'node:events';
import WebSocket from 'ws';

async function openWithin(ws: WebSocket, timeoutMs: number): Promise<boolean> {
  try {
    await once(ws, 'open', { signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch (err) {
    console.warn(\`websocket not open after \${timeoutMs} ms\`, err);
    ws.terminate();
    return false;
  }
}

export async function streamTrades(url: string, symbols: string[]): Promise<void> {
  const ws = new WebSocket(url);
  if (!(await openWithin(ws, 3000))) return;
  for (const symbol of symbols) ws.send(JSON.stringify({ op: 'subscribe', channel: 'trades', symbol }));
}

export async function streamQuotes(url: string, symbols: string[]): Promise<void> {
  const ws = new WebSocket(url);
  if (!(await openWithin(ws, 8000))) return; // drifted
  for (const symbol of symbols) ws.send(JSON.stringify({ op: 'subscribe', channel: 'quotes', symbol }));
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


async def wait_for_handshake(websocket: WebSocket, timeout: float = 3.0, interval: float = 0.01) -> bool:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if websocket.application_state == WebSocketState.CONNECTED:
            return True
        if websocket.application_state == WebSocketState.DISCONNECTED:
            return False
        await asyncio.sleep(interval)
    logger.warning("WebSocket handshake not complete after %.1f s", timeout)
    return False


async def chat_loop(websocket: WebSocket) -> None:
    while True:
        if not await wait_for_handshake(websocket):
            break
        await websocket.send_text(await websocket.receive_text())


async def presence_loop(websocket: WebSocket) -> None:
    while True:
        if not await wait_for_handshake(websocket):
            break
        await websocket.send_json(await websocket.receive_json())
`,
      typescript: `import { once } from 'node:events';
import WebSocket from 'ws';

async function openWithin(ws: WebSocket, timeoutMs: number): Promise<boolean> {
  try {
    await once(ws, 'open', { signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch (err) {
    console.warn(\`websocket not open after \${timeoutMs} ms\`, err);
    ws.terminate();
    return false;
  }
}

export async function streamTrades(url: string, symbols: string[]): Promise<void> {
  const ws = new WebSocket(url);
  if (!(await openWithin(ws, 3000))) return;
  for (const symbol of symbols) ws.send(JSON.stringify({ op: 'subscribe', channel: 'trades', symbol }));
}

export async function streamQuotes(url: string, symbols: string[]): Promise<void> {
  const ws = new WebSocket(url);
  if (!(await openWithin(ws, 3000))) return;
  for (const symbol of symbols) ws.send(JSON.stringify({ op: 'subscribe', channel: 'quotes', symbol }));
}
`,
    },
  },
  check(ctx) {
    const reports: RuleReport[] = [];
    for (const group of ctx.groups) {
      const members: PollingLoop[] = [];
      for (const loop of checkedLoops(group.loops)) {
        const fingerprint = pollingFingerprint(loop);
        if (fingerprint) members.push({ loop, fingerprint });
      }
      if (members.length < 2) continue;
      // The group's most common fingerprint, the first loop's on a tie: the guard `fix` follows too.
      const ref = majority(members.map((m) => m.loop));
      const reference = members.find((m) => m.loop === ref?.loop) ?? (members[0] as PollingLoop);
      for (const member of members) {
        if (member === reference) continue;
        const differing = COMPARED_FIELDS.filter(
          (field) => valueKey(member.fingerprint, field) !== valueKey(reference.fingerprint, field),
        );
        if (differing.length === 0) continue;
        const fields = differing.map((field) => describeField(field, members, reference, member.loop));
        reports.push(
          report(
            member.loop,
            guardSpan(member.loop),
            `polling guard differs from ${reference.loop.function} (${where(reference.loop, member.loop)}): ${fields.join('; ')}`,
          ),
        );
      }
    }
    return reports;
  },
};
