"""Agent sockets through the real ASGI app and channel layer, for the realtime tests."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.authtoken.models import Token

from chatdesk.asgi import application

ORIGIN = [(b"origin", b"http://127.0.0.1:8000")]


async def agent_socket(user) -> WebsocketCommunicator:
    """A connected `/ws/agent/` socket for `user`, past its `session.ready`."""
    token, _ = await database_sync_to_async(Token.objects.get_or_create)(user=user)
    communicator = WebsocketCommunicator(
        application, f"/ws/agent/?token={token.key}", headers=ORIGIN
    )
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "session.ready"
    return communicator


async def drain(communicator: WebsocketCommunicator) -> list[dict]:
    """Every frame until the socket has been quiet for half a second."""
    events = []
    while not await communicator.receive_nothing(timeout=0.5):
        events.append(await communicator.receive_json_from())
    return events
