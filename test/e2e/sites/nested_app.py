# The message loop (the inner `for`) is nested in a loop that goes on with the same socket:
# a guard that left only the inner loop would hand the closed socket back to the outer one.
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def batches(websocket: WebSocket):
    await websocket.accept()
    while True:
        batch = []
        for _ in range(3):
            batch.append(await websocket.receive_text())
        if "bye" in batch:
            await websocket.close()
            continue
        await websocket.send_text(",".join(batch))
    print("LEFT outer loop", flush=True)
