"""Helpers for the visitor-socket tests."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from chatdesk.asgi import application
from tests.livechat.conftest import WS_HEADERS


def visitor_socket(token: str, *, ip: str = "127.0.0.1", headers=None) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application, f"/ws/livechat/?token={token}", headers=headers or WS_HEADERS
    )
    # channels.testing sets no client address; daphne does (the visitor's IP).
    communicator.scope["client"] = (ip, 50123)
    return communicator


async def open_session(start_session, **body) -> dict:
    response = await sync_to_async(start_session)(**body)
    assert response.status_code == 201, response.content
    return response.json()


async def next_frame(communicator: WebsocketCommunicator, wanted: str, timeout: float = 5) -> dict:
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame["type"] == wanted:
            return frame
