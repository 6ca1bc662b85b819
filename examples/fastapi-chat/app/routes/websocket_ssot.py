"""WebSocket SSOT router: one module, four connection modes, four message loops.

The situation of the seed report: its "all green" table said the handshake fix was applied
"consistently in both message loops"; the module has four. Run
`handshake-guard verify examples/` to see what the report should have said.
"""
import asyncio
import json
import logging
import time
import uuid
from typing import Any, Dict, Optional

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.websockets import WebSocketState

logger = logging.getLogger(__name__)

HEARTBEAT_TYPES = frozenset({"ping", "heartbeat"})


def is_websocket_connected_and_ready(websocket: WebSocket, connection_id: Optional[str] = None) -> bool:
    """True when both sides of the handshake report CONNECTED."""
    try:
        ready = (
            websocket.client_state == WebSocketState.CONNECTED
            and websocket.application_state == WebSocketState.CONNECTED
        )
    except AttributeError:
        ready = False
    if not ready:
        logger.debug("WebSocket %s not ready for receive", connection_id)
    return ready


class WebSocketSSOTRouter:
    """Single source of truth for the WebSocket endpoints of the backend."""

    def __init__(self) -> None:
        self.router = APIRouter()
        self.router.add_api_websocket_route("/ws", self.websocket_endpoint)
        self.router.add_api_websocket_route("/ws/factory", self.factory_websocket_endpoint)
        self.router.add_api_websocket_route("/ws/isolated", self.isolated_websocket_endpoint)
        self.router.add_api_websocket_route("/ws/legacy", self.legacy_websocket_endpoint)
        self.active_connections: Dict[str, WebSocket] = {}

    # ---- endpoints -------------------------------------------------------------------

    async def websocket_endpoint(self, websocket: WebSocket) -> None:
        connection_id = await self._accept(websocket, mode="main")
        try:
            await self._main_message_loop(websocket, connection_id)
        finally:
            self._forget(connection_id)

    async def factory_websocket_endpoint(self, websocket: WebSocket) -> None:
        connection_id = await self._accept(websocket, mode="factory")
        try:
            await self._factory_message_loop(websocket, connection_id)
        finally:
            self._forget(connection_id)

    async def isolated_websocket_endpoint(self, websocket: WebSocket) -> None:
        connection_id = await self._accept(websocket, mode="isolated")
        user_id = websocket.query_params.get("user_id", "anonymous")
        try:
            await self._isolated_message_loop(websocket, connection_id, user_id)
        finally:
            self._forget(connection_id)

    async def legacy_websocket_endpoint(self, websocket: WebSocket) -> None:
        connection_id = await self._accept(websocket, mode="legacy")
        try:
            await self._legacy_message_loop(websocket, connection_id)
        finally:
            self._forget(connection_id)

    # ---- message loops ---------------------------------------------------------------

    async def _main_message_loop(self, websocket: WebSocket, connection_id: str) -> None:
        """Standard WebSocket message processing."""
        while True:
            try:
                # Issue #1061: Progressive handshake completion validation
                max_handshake_wait = 3.0  # 3-second maximum timeout
                handshake_wait_start = time.time()

                while time.time() - handshake_wait_start < max_handshake_wait:
                    # Check WebSocket readiness
                    if hasattr(websocket, 'receive') and callable(websocket.receive):
                        test_ready = True
                        if hasattr(websocket, 'client_state') and websocket.client_state != WebSocketState.CONNECTED:
                            test_ready = False
                        elif hasattr(websocket, 'application_state') and websocket.application_state != WebSocketState.CONNECTED:
                            test_ready = False

                        if test_ready:
                            break

                    await asyncio.sleep(0.01)  # 10ms incremental check

                # Fall back to the existing validation when the wait ran out
                if not is_websocket_connected_and_ready(websocket, connection_id):
                    logger.warning(
                        "WebSocket %s not ready after %.1fs handshake wait; leaving main loop",
                        connection_id,
                        max_handshake_wait,
                    )
                    break

                raw = await websocket.receive_text()
                await self._handle_message(websocket, connection_id, raw, mode="main")
            except WebSocketDisconnect:
                logger.info("WebSocket %s disconnected (main)", connection_id)
                break
            except Exception:
                logger.exception("Unexpected error in main message loop for %s", connection_id)
                break

    async def _factory_message_loop(self, websocket: WebSocket, connection_id: str) -> None:
        """Factory pattern user isolation mode."""
        while True:
            try:
                # Issue #1061: Progressive handshake completion validation
                max_handshake_wait = 3.0  # 3-second maximum timeout
                handshake_wait_start = time.time()

                while time.time() - handshake_wait_start < max_handshake_wait:
                    # Check WebSocket readiness
                    if hasattr(websocket, 'receive') and callable(websocket.receive):
                        test_ready = True
                        if hasattr(websocket, 'client_state') and websocket.client_state != WebSocketState.CONNECTED:
                            test_ready = False
                        elif hasattr(websocket, 'application_state') and websocket.application_state != WebSocketState.CONNECTED:
                            test_ready = False

                        if test_ready:
                            break

                    await asyncio.sleep(0.01)  # 10ms incremental check

                # Fall back to the existing validation when the wait ran out
                if not is_websocket_connected_and_ready(websocket, connection_id):
                    logger.warning(
                        "WebSocket %s not ready after %.1fs handshake wait; leaving factory loop",
                        connection_id,
                        max_handshake_wait,
                    )
                    break

                raw = await websocket.receive_text()
                await self._handle_message(websocket, connection_id, raw, mode="factory")
            except WebSocketDisconnect:
                logger.info("WebSocket %s disconnected (factory)", connection_id)
                break
            except Exception:
                logger.exception("Unexpected error in factory message loop for %s", connection_id)
                break

    async def _isolated_message_loop(self, websocket: WebSocket, connection_id: str, user_id: str) -> None:
        """Per-user isolated execution context."""
        while True:
            try:
                if not is_websocket_connected_and_ready(websocket, connection_id):
                    break
                raw = await websocket.receive_text()
                logger.debug("isolated message from user %s on %s", user_id, connection_id)
                await self._handle_message(websocket, connection_id, raw, mode="isolated")
            except WebSocketDisconnect:
                logger.info("WebSocket %s disconnected (isolated, user %s)", connection_id, user_id)
                break
            except Exception:
                logger.exception("Unexpected error in isolated message loop for %s", connection_id)
                break

    async def _legacy_message_loop(self, websocket: WebSocket, connection_id: str) -> None:
        """Pre-SSOT protocol kept for old clients."""
        while True:
            try:
                if not is_websocket_connected_and_ready(websocket, connection_id):
                    break
                raw = await websocket.receive_text()
                await self._handle_message(websocket, connection_id, raw, mode="legacy")
            except WebSocketDisconnect:
                logger.info("WebSocket %s disconnected (legacy)", connection_id)
                break
            except Exception:
                logger.exception("Unexpected error in legacy message loop for %s", connection_id)
                break

    # ---- helpers ---------------------------------------------------------------------

    async def _accept(self, websocket: WebSocket, mode: str) -> str:
        await websocket.accept()
        connection_id = f"{mode}-{uuid.uuid4().hex[:12]}"
        self.active_connections[connection_id] = websocket
        logger.info("WebSocket %s accepted (%d active)", connection_id, len(self.active_connections))
        return connection_id

    def _forget(self, connection_id: str) -> None:
        self.active_connections.pop(connection_id, None)

    async def _handle_message(self, websocket: WebSocket, connection_id: str, raw: str, mode: str) -> None:
        try:
            message: Dict[str, Any] = json.loads(raw)
        except json.JSONDecodeError:
            await self._send_error(websocket, connection_id, "Invalid JSON")
            return
        message_type = message.get("type")
        if message_type in HEARTBEAT_TYPES:
            await websocket.send_json({"type": "pong", "timestamp": time.time()})
            return
        if message_type == "user_message":
            await websocket.send_json(
                {"type": "agent_started", "connection_id": connection_id, "mode": mode, "thread_id": message.get("thread_id")}
            )
            return
        await self._send_error(websocket, connection_id, f"Unknown message type: {message_type}")

    async def _send_error(self, websocket: WebSocket, connection_id: str, detail: str) -> None:
        if is_websocket_connected_and_ready(websocket, connection_id):
            await websocket.send_json({"type": "error", "detail": detail})
        else:
            logger.debug("dropping error for %s: %s", connection_id, detail)


websocket_ssot_router = WebSocketSSOTRouter()
router = websocket_ssot_router.router
