# The endpoint binds `time` (assigned later in the loop) and `logger` (a `for` target) itself:
# a guard reading `time.monotonic()` there raised UnboundLocalError on the first message.
import logging
from datetime import datetime

from fastapi import FastAPI, WebSocket

app = FastAPI()
logger = logging.getLogger(__name__)


@app.websocket("/ws")
async def endpoint(websocket: WebSocket):
    await websocket.accept()
    for logger in ["endpoint"]:
        pass
    while True:
        data = await websocket.receive_text()
        if data == "bye":
            await websocket.close()
            break
        time = datetime.now().isoformat()
        await websocket.send_text(f"echo:{data}")
    print("LEFT", logger, len(time) > 0, flush=True)
