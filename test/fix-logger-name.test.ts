// The guard's timeout warning goes through the module's logger (SPEC §8) — only a name that is
// one. `from math import log` and `log: list[str] = []` were taken for loggers by their name:
// the fixed code raised AttributeError (`log.warning`) exactly when the bound ran out. The fixed
// file is run with Debian's python3, its socket never completing the handshake. A logger made by
// a project's own factory (`make_logger(…)`, celery's `get_task_logger(…)`) is one.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempTree } from './helpers/cli.js';

const PYTHON = '/usr/bin/python3';

const APP = (top: string, use: string) => `${top}

from starlette.websockets import WebSocket


async def echo(websocket: WebSocket):
    await websocket.accept()
    while True:
        data = await websocket.receive_text()
        await websocket.send_text(str(${use}))
`;

// A socket whose handshake never completes: the guard must time out, warn and leave.
const RUN = `import asyncio, logging, sys
from starlette.websockets import WebSocketState
logging.basicConfig(format="%(name)s %(levelname)s %(message)s")
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

describe('fix and a module name that looks like a logger', () => {
  for (const [top, use, logger, line] of [
    ['from math import log', 'log(2.0)', 'logger', 'logger = logging.getLogger(__name__)'],
    ['log: list[str] = []', 'log', 'logger', 'logger = logging.getLogger(__name__)'],
    ['logger: list[str] = []', 'logger', '_hg_logger', '_hg_logger = logging.getLogger(__name__)'],
    ['import logging\n\nlog: logging.Logger = logging.getLogger("app.ws")', 'log', 'log', null],
    ['import logging\n\n\ndef make_logger(name):\n    return logging.getLogger(name)\n\n\nLOG = make_logger("app.ws")', 'LOG', 'LOG', null],
    ['import logging\n\n_log = logging.getLogger("app").getChild("ws")', '_log', '_log', null],
  ] as const) {
    it(top.split('\n').pop() as string, () => {
      const dir = tempTree({ 'app.py': APP(top, use), 'run.py': RUN });
      expect(cli(['fix', '--write', '--timeout', '0.2', 'app.py'], dir).stdout).toMatch(/^1 loop fixed in 1 file/m);
      const fixed = readFileSync(path.join(dir, 'app.py'), 'utf8');
      expect(fixed).toContain(top.split('\n').pop()); // the module's own binding stays
      expect(fixed).toContain(`${logger}.warning("WebSocket handshake not complete after %.1f s; leaving the message loop", 0.2)`);
      if (line) expect(fixed).toContain(line);
      const r = spawnSync(PYTHON, [path.join(dir, 'run.py'), dir], { encoding: 'utf8', timeout: 30_000 });
      expect(r.stderr).toBe(`${line ? 'app' : 'app.ws'} WARNING WebSocket handshake not complete after 0.2 s; leaving the message loop\n`);
      expect(r.stdout).toBe('left the loop\n');
      expect(r.status).toBe(0);
      expect(cli(['verify', 'app.py'], dir).code).toBe(0);
    });
  }
});
