# The loop checks the state itself and records why it left (fastrtc's WebSocketHandler shape):
# the fix must wait before that check, not bypass it, or `finally` closes the socket twice.
from fastapi import FastAPI, WebSocket
from fastapi.websockets import WebSocketDisconnect, WebSocketState

app = FastAPI()


@app.websocket("/ws")
async def handle_websocket(websocket: WebSocket):
    await websocket.accept()
    was_disconnected = False
    try:
        while True:
            if websocket.application_state != WebSocketState.CONNECTED:
                was_disconnected = True
                break
            message = await websocket.receive_text()
            if message == "bye":
                await websocket.close()
                continue
            await websocket.send_text(f"echo:{message}")
    except WebSocketDisconnect:
        was_disconnected = True
    finally:
        if not was_disconnected:
            await websocket.close()
        print(f"LEFT was_disconnected={was_disconnected}", flush=True)
