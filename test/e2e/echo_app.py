# A FastAPI app whose message loop has no handshake guard; the test fixes it with
# `handshake-guard fix --write`, then serves it with uvicorn and talks to it.
import time

from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/echo")
async def echo(websocket: WebSocket):
    await websocket.accept()
    closed_at = None
    while True:
        text = await websocket.receive_text()
        if text == "bye":
            closed_at = time.monotonic()
            await websocket.close()
            continue
        await websocket.send_text(f"echo:{text}")
    print(f"LEFT {time.monotonic() - closed_at:.3f}", flush=True)
