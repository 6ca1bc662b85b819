# A real WebSocket client (the websockets library): sends N messages, expects every answer,
# then asks the app to close and reports how the connection ended.
import asyncio
import json
import sys

import websockets


async def main(port: int, count: int) -> None:
    answers = []
    async with websockets.connect(f"ws://127.0.0.1:{port}/echo") as ws:
        for i in range(count):
            await ws.send(f"m{i}")
            answers.append(await asyncio.wait_for(ws.recv(), 5))
        await ws.send("bye")
        try:
            await asyncio.wait_for(ws.recv(), 5)
            closed = None
        except websockets.ConnectionClosed as e:
            closed = e.code
    print(json.dumps({"answers": answers, "closed": closed}))


asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
