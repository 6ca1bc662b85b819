"""Shared WebSocket helpers: one bounded wait for the handshake, used by every endpoint."""
import asyncio
import logging
import time

from starlette.websockets import WebSocket, WebSocketState

logger = logging.getLogger(__name__)


async def wait_for_handshake(websocket: WebSocket, timeout: float = 3.0, interval: float = 0.01) -> bool:
    """Waits until both sides report CONNECTED; False when the bound runs out or the peer left."""
    deadline = time.monotonic() + timeout
    while (
        websocket.client_state != WebSocketState.CONNECTED
        or websocket.application_state != WebSocketState.CONNECTED
    ):
        if WebSocketState.DISCONNECTED in (websocket.client_state, websocket.application_state):
            return False
        if time.monotonic() >= deadline:
            logger.warning("WebSocket handshake not complete after %.1f s", timeout)
            return False
        await asyncio.sleep(interval)
    return True
