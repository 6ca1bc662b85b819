"""Notifications: the guard comes from app.ws_utils, a helper of this repository."""
import json
import logging

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from app.ws_utils import wait_for_handshake

logger = logging.getLogger(__name__)
router = APIRouter()


@router.websocket("/ws/notifications")
async def notifications(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        if not await wait_for_handshake(websocket, timeout=3.0):
            logger.warning("notifications: giving up on a connection that never opened")
            break
        try:
            raw = await websocket.receive_text()
        except WebSocketDisconnect:
            break
        await websocket.send_json({"ack": json.loads(raw).get("id")})
