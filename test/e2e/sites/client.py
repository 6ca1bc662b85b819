# A real WebSocket client: sends each argument after the port, prints every answer, and how
# the connection ended (the app closes it on "bye").
import asyncio
import json
import sys

import websockets


async def main(port: int, messages: list) -> None:
    answers = []
    closed = None
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws") as ws:
        for m in messages:
            await ws.send(m)
        try:
            while True:
                answers.append(await asyncio.wait_for(ws.recv(), 5))
        except websockets.ConnectionClosed as e:
            closed = e.rcvd.code if e.rcvd else None
    print(json.dumps({"answers": answers, "closed": closed}))


asyncio.run(main(int(sys.argv[1]), sys.argv[2:]))
