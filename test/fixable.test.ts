// A finding's `fixable` (JSON, SARIF, the text's "N findings fixable") is a promise about `fix`:
// each case runs the scan and `fix` (with --upgrade for the rules it answers only so) and holds
// every finding's flag to what fix planned for its loop — fixed, or skipped with a reason.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFix } from '../src/fix/fix.js';

const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

/** Per finding of a loop: `rule function fixable=… fix=<insert|upgrade|skip reason>`. */
async function claims(files: Record<string, string>): Promise<string[]> {
  return (await claimsAndMessages(files)).claims;
}

async function claimsAndMessages(files: Record<string, string>): Promise<{ claims: string[]; messages: string[] }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-fixable-'));
  temps.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const paths = Object.keys(files);
  const plain = await runFix({ cwd: dir, paths, write: false, upgrade: false });
  const upgraded = await runFix({ cwd: dir, paths, write: false, upgrade: true });
  const out: string[] = [];
  for (const f of plain.scan.findings) {
    if (!f.loop) continue;
    const byInsert = f.ruleId === 'HG001' || f.ruleId === 'HG003';
    const result = byInsert ? plain : upgraded;
    const outcome = result.files.flatMap((x) => x.outcomes).find((o) => o.loop.file === f.loop?.file && o.loop.span.start.line === f.loop.span.start.line);
    const fixed = outcome !== undefined && outcome.skipped === null && result.files.every((x) => x.refused === null);
    // The invariant: fixable exactly where fix plans an edit.
    expect([f.ruleId, f.loop.function, f.fixable]).toEqual([f.ruleId, f.loop.function, fixed]);
    out.push(`${f.ruleId} ${f.loop.function} fixable=${f.fixable} fix=${outcome ? (outcome.skipped ?? outcome.action) : 'nothing'}`);
  }
  return { claims: out, messages: plain.scan.findings.map((f) => f.message) };
}

describe('fixable: true only where fix plans an edit for the loop', () => {
  it('TS: an async method that returns a value (the guard would `return;`), a forEach callback socket', async () => {
    const out = await claims({
      'feed.ts': `import WebSocket from "ws";

export class Feed {
  private ws = new WebSocket("wss://feed.example/stream");

  async replay(items: string[]): Promise<number> {
    let n = 0;
    while (n < items.length) {
      this.ws.send(items[n++]);
    }
    return n;
  }
}

export async function fanout(urls: string[]): Promise<void> {
  const socks = urls.map((u) => new WebSocket(u));
  socks.forEach((ws) => ws.send("hi"));
}

export async function plain(url: string, items: string[]): Promise<void> {
  const ws = new WebSocket(url);
  for (const item of items) ws.send(item);
}
`,
    });
    expect(out).toEqual([
      'HG001 Feed.replay fixable=false fix=Feed.replay returns a value (line 11): the guard\'s `return;` on timeout would make it return undefined, which its return type does not include; guard it by hand',
      'HG001 fanout fixable=false fix=the socket `ws` is declared inside the loop, so a guard before the loop cannot read it; guard it by hand inside the loop',
      'HG001 plain fixable=true fix=insert',
    ]);
  }, 60_000);

  it("TS: a function that returns a value is fixable when the group's guards throw (no `return;` written)", async () => {
    const out = await claims({
      'a.ts': `import WebSocket from 'ws';

export async function a(url: string, items: string[]): Promise<void> {
  const ws = new WebSocket(url);
  const t0 = performance.now();
  while (ws.readyState !== ws.OPEN) {
    if (ws.readyState === ws.CLOSING || ws.readyState === ws.CLOSED) throw new Error('closed');
    if (performance.now() - t0 > 3000) {
      console.warn('not open');
      throw new Error('not open');
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  for (const item of items) ws.send(item);
}

export async function count(url: string, items: string[]): Promise<number> {
  const ws = new WebSocket(url);
  for (const item of items) ws.send(item);
  return items.length;
}
`,
    });
    expect(out).toEqual(['HG001 count fixable=true fix=insert']);
  }, 60_000);

  it('Python: an aiohttp response not prepared (the message names prepare), a name-only connection, a receive in a comprehension, a helper guard in HG002', async () => {
    const { claims: out, messages } = await claimsAndMessages({
      'srv.py': `from aiohttp import web


async def no_prepare(request):
    ws = web.WebSocketResponse()
    async for msg in ws:
        print(msg)
    return ws
`,
      'batch.py': `from fastapi import WebSocket


async def batch(websocket: WebSocket):
    while True:
        items = [await websocket.receive_text() for _ in range(3)]
        print(items)
`,
      'test_chat.py': `from falcon import testing


async def test_chat(conductor: testing.ASGIConductor):
    received = []
    async with conductor as c:
        async with c.simulate_ws('/chat') as ws:
            while True:
                received.append(await ws.receive_text())
`,
      'app/__init__.py': '',
      'app/utils/__init__.py': '',
      'app/utils/ws.py': `import asyncio
import logging
import time

from starlette.websockets import WebSocket, WebSocketState

logger = logging.getLogger(__name__)


async def wait_until_connected(ws: WebSocket, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while ws.application_state != WebSocketState.CONNECTED:
        if ws.application_state == WebSocketState.DISCONNECTED:
            return False
        if time.monotonic() >= deadline:
            logger.warning("not connected")
            return False
        await asyncio.sleep(0.01)
    return True
`,
      'app/chat.py': `from fastapi import WebSocket

from app.utils import ws as wsutil
from app.utils.ws import wait_until_connected


async def direct(websocket: WebSocket):
    while True:
        if not await wait_until_connected(websocket):
            break
        await websocket.receive_text()


async def module_attr(websocket: WebSocket):
    while True:
        if not await wsutil.wait_until_connected(websocket, timeout=2.0):
            break
        await websocket.receive_text()
`,
    });
    expect(out).toEqual([
      "HG002 module_attr fixable=false fix=the guard is a call to wsutil.wait_until_connected that passes its own timeout (line 16): align the call's arguments with the group's guards, or upgrade that helper, by hand",
      'HG001 batch fixable=false fix=the receive is inside a list comprehension',
      "HG001 no_prepare fixable=false fix=the guard polls Starlette's application_state, which aiohttp connections do not have",
      "HG001 test_chat fixable=false fix=ws is a falcon WebSocket, not Starlette's: the guard polls Starlette's application_state/client_state and WebSocketState, which it does not share — guard it by hand",
    ]);
    // No polling guard can wait for an aiohttp handshake: the message names what completes it.
    expect(messages).toContain('message loop in no_prepare receives (async for … in ws, line 6) with no handshake guard; await `ws.prepare(request)` before the loop receives: aiohttp completes the handshake there');
  }, 60_000);
});
