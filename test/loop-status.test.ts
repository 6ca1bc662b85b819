// A loop's JSON status speaks for every error on it, not only coverage: a polling guard with no
// fallback (HG006) meets the policy (it is counted as guarded) but its loop fails.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';
import { tempTree } from './helpers/cli.js';

const NO_FALLBACK = `import asyncio
import logging
import time

from fastapi import WebSocket
from starlette.websockets import WebSocketState

logger = logging.getLogger(__name__)


async def feed(websocket: WebSocket) -> None:
    while True:
        start = time.monotonic()
        while time.monotonic() - start < 3.0:
            if websocket.application_state == WebSocketState.CONNECTED:
                break
            if websocket.application_state == WebSocketState.DISCONNECTED:
                return
            await asyncio.sleep(0.01)
        await websocket.receive_text()
`;

describe('loop status', () => {
  it('is fail when an error finding other than HG001 is on the loop, and guarded still counts it', async () => {
    const dir = tempTree({ 'feed.py': NO_FALLBACK });
    const r = await run({ cwd: dir, paths: ['.'] });
    expect(r.report.findings.map((f) => f.ruleId)).toEqual(['HG006', 'HG007']);
    expect(r.report.loops.map((l) => [l.guard.kind, l.status])).toEqual([['polling', 'fail']]);
    expect(r.report.summary).toMatchObject({ loops: 1, guarded: 1 });
    expect(r.report.checks.find((c) => c.id === 'coverage')?.status).toBe('pass');
  });

  it('is suppressed when its findings are all suppressed', async () => {
    const dir = tempTree({});
    writeFileSync(
      path.join(dir, 'a.py'),
      'from fastapi import WebSocket\n\n\nasync def f(websocket: WebSocket):\n    # handshake-guard: ignore[HG001] -- the proxy accepts first\n    while True:\n        await websocket.receive_text()\n',
    );
    const r = await run({ cwd: dir, paths: ['.'] });
    expect(r.report.loops.map((l) => l.status)).toEqual(['suppressed']);
    expect(r.report.summary.guarded).toBe(0);
  });
});
