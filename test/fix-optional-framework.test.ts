// fix and a framework imported only where it is needed (SPEC §8: the fixed code must still run).
// A module that imports FastAPI/Starlette lazily (inside `create_app()`) or optionally (in a
// try/except) must not gain a top-level `from … import WebSocketState`: importing the module
// without the framework installed would fail (RealtimeSTT's `load_fastapi()`). The file is left
// alone with the reason; with WebSocketState imported beside the framework, it is fixed.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempTree } from './helpers/cli.js';

const LAZY = (extra: string) => `import logging

logger = logging.getLogger(__name__)


def create_app():
    from fastapi import FastAPI, WebSocket
${extra}
    app = FastAPI()

    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        while True:
            await websocket.receive_text()

    return app
`;

const OPTIONAL = `try:
    from starlette.websockets import WebSocket
except ImportError:  # the server extra is not installed
    WebSocket = None


async def ws(websocket: WebSocket):
    await websocket.accept()
    while True:
        await websocket.receive_text()
`;

// Imports the module as if FastAPI and Starlette were not installed.
const IMPORT_WITHOUT_FRAMEWORK = (dir: string, mod: string) =>
  spawnSync('/usr/bin/python3', ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(dir)}); sys.modules['fastapi'] = None; sys.modules['starlette'] = None; import ${mod}; print('ok')`], { encoding: 'utf8' });

describe('fix and an optional framework import', () => {
  it('lazy or optional: the file is left alone, and fix says why', () => {
    const dir = tempTree({ 'app_lazy.py': LAZY(''), 'app_try.py': OPTIONAL });
    const r = cli(['fix', '--write', '.'], dir);
    expect(readFileSync(path.join(dir, 'app_lazy.py'), 'utf8')).toBe(LAZY(''));
    expect(readFileSync(path.join(dir, 'app_try.py'), 'utf8')).toBe(OPTIONAL);
    expect(r.stdout).toContain('app_lazy.py:14 create_app.ws (the module imports fastapi only inside a function or a try/if block (an optional dependency)');
    expect(r.stdout).toContain('app_try.py:9 ws (the module imports starlette only inside a function or a try/if block');
    expect(IMPORT_WITHOUT_FRAMEWORK(dir, 'app_lazy').stdout).toBe('ok\n');
  });

  it('WebSocketState imported beside the framework: fixed, and the module still imports without it', () => {
    const dir = tempTree({ 'app_lazy.py': LAZY('    from fastapi.websockets import WebSocketState\n') });
    const r = cli(['fix', '--write', '.'], dir);
    expect(r.stdout).toMatch(/^1 loop fixed in 1 file/m);
    const fixed = readFileSync(path.join(dir, 'app_lazy.py'), 'utf8');
    expect(fixed).toContain('while websocket.application_state != WebSocketState.CONNECTED');
    // Only the standard library at the top: the framework stays where the module imports it.
    expect(fixed.split('\n').filter((l) => /^(from|import) /.test(l)).sort()).toEqual(['import asyncio', 'import logging', 'import time']);
    expect(IMPORT_WITHOUT_FRAMEWORK(dir, 'app_lazy').stdout).toBe('ok\n');
    expect(cli(['verify', '.'], dir).code).toBe(0);
  });

  it('imported only under TYPE_CHECKING: never at run time, so the file is left alone with that reason', () => {
    const typed = `from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.websockets import WebSocket, WebSocketState


async def ws(websocket: WebSocket):
    await websocket.accept()
    while True:
        await websocket.receive_text()
`;
    const dir = tempTree({ 'app_typed.py': typed });
    const r = cli(['fix', '--write', '.'], dir);
    expect(readFileSync(path.join(dir, 'app_typed.py'), 'utf8')).toBe(typed);
    expect(r.stdout).toContain('app_typed.py:11 ws (the module imports starlette only under `if TYPE_CHECKING:` (never at run time)');
  });
});
