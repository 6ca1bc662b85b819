// A guard helper module and routes that guard their loop through it (app/guards.py,
// app/routes.py): the smallest tree where one file's result rests on another's content.
export const HELPER = `import asyncio
import time

from starlette.websockets import WebSocketState


async def wait_for_handshake(websocket, timeout=3.0):
    start = time.monotonic()
    while websocket.client_state == WebSocketState.CONNECTING:
        if time.monotonic() - start > timeout:
            return False
        await asyncio.sleep(0.01)
    return websocket.client_state == WebSocketState.CONNECTED
`;

export const ROUTES = `from fastapi import FastAPI, WebSocket

from app.guards import wait_for_handshake

app = FastAPI()


@app.websocket("/ws")
async def endpoint(websocket: WebSocket):
    await websocket.accept()
    while True:
        if not await wait_for_handshake(websocket):
            break
        data = await websocket.receive_text()
        await websocket.send_text(data)
`;
