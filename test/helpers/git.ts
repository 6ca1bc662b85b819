// Real git repositories in temp directories, for the diff-aware and hook tests.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function write(root: string, rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

/** A repository on branch main whose first commit holds `files` (none: no commit yet). */
export function gitRepo(files: Record<string, string> = {}, dirs?: string[]): string {
  const root = mkdtempSync(path.join(tmpdir(), 'hg-git-'));
  dirs?.push(root);
  git(root, 'init', '-q', '-b', 'main');
  for (const [rel, text] of Object.entries(files)) write(root, rel, text);
  if (Object.keys(files).length > 0) {
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'base');
  }
  return root;
}

export function removeAll(dirs: string[]): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export const UNGUARDED = `from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    while True:
        text = await websocket.receive_text()
        await websocket.send_text(text)
`;

/** UNGUARDED with the canonical bounded polling guard (timeout and interval as given). */
export function guarded(timeout = '3.0', interval = '0.01', name = 'echo'): string {
  return `import asyncio
import logging
import time

from fastapi import FastAPI, WebSocket
from starlette.websockets import WebSocketState

app = FastAPI()
logger = logging.getLogger(__name__)


@app.websocket("/ws")
async def ${name}(websocket: WebSocket):
    await websocket.accept()
    while True:
        deadline = time.monotonic() + ${timeout}
        while websocket.application_state != WebSocketState.CONNECTED:
            if websocket.application_state == WebSocketState.DISCONNECTED:
                break
            if time.monotonic() >= deadline:
                break
            await asyncio.sleep(${interval})
        if websocket.application_state != WebSocketState.CONNECTED:
            logger.warning("handshake not complete after ${timeout} s")
            break
        text = await websocket.receive_text()
        await websocket.send_text(text)
`;
}
