// The inserted guard's timeout warning goes through the module's logger (SPEC §8). loguru formats
// its arguments with str.format: a `%.1f` message printed as it stands. The fixed file is run
// with Debian's python3 and the real loguru, its socket never completing the handshake.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempTree } from './helpers/cli.js';

const PYTHON = '/usr/bin/python3';
const hasLoguru = spawnSync(PYTHON, ['-c', 'import loguru, starlette'], { encoding: 'utf8' }).status === 0;

const APP = `from loguru import logger
from starlette.websockets import WebSocket


async def echo(websocket: WebSocket):
    await websocket.accept()
    while True:
        data = await websocket.receive_text()
        logger.info("got {}", data)
`;

// A socket whose handshake never completes: the guard must time out, warn and leave.
const RUN = `import asyncio, sys
from starlette.websockets import WebSocketState
sys.path.insert(0, sys.argv[1])
from app import echo


class Stuck:
    application_state = WebSocketState.CONNECTING
    client_state = WebSocketState.CONNECTING

    async def accept(self):
        pass

    async def receive_text(self):
        raise AssertionError("received before the handshake completed")


asyncio.run(echo(Stuck()))
print("left the loop")
`;

describe('fix with a loguru logger', () => {
  it.skipIf(!hasLoguru)('the timeout warning shows the bound (str.format style), and the fixed code runs', () => {
    const dir = tempTree({ 'app.py': APP, 'run.py': RUN });
    const fixed = cli(['fix', '--write', '--timeout', '0.2', 'app.py'], dir);
    expect(fixed.code).toBe(0);
    expect(readFileSync(path.join(dir, 'app.py'), 'utf8')).toContain('logger.warning("WebSocket handshake not complete after {:.1f} s; leaving the message loop", 0.2)');
    const r = spawnSync(PYTHON, [path.join(dir, 'run.py'), dir], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stdout).toBe('left the loop\n');
    expect(r.stderr).toContain('WebSocket handshake not complete after 0.2 s; leaving the message loop');
    expect(r.status).toBe(0);
  });
});
