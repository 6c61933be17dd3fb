"""Realtime: a socket hears only about chats its agent may see, and a revoked token is out."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.authtoken.models import Token

from chatdesk.asgi import application
from tests.sockets import ORIGIN, agent_socket, drain

pytestmark = pytest.mark.django_db(transaction=True)


async def test_an_outsider_socket_hears_nothing_of_a_chat_it_may_not_see(
    customer_writes, api, alice, bob, oscar, queue_a
):
    insider, outsider = await agent_socket(alice), await agent_socket(oscar)
    try:
        message = await database_sync_to_async(customer_writes)("secret order 4411")
        conversation_id = message.conversation_id
        # Taken by bob, then a second customer line: more events, none of them for oscar.
        taken = await database_sync_to_async(api(bob).post)(
            f"/api/v1/conversations/{conversation_id}/take/"
        )
        assert taken.status_code == 200
        await database_sync_to_async(customer_writes)("and my address is …")
        heard = await drain(insider)
        assert "message.created" in {event["type"] for event in heard}
        assert await drain(outsider) == []
    finally:
        await insider.disconnect()
        await outsider.disconnect()


async def test_a_deleted_token_no_longer_opens_a_socket(alice):
    token = await database_sync_to_async(Token.objects.create)(user=alice)
    await database_sync_to_async(token.delete)()
    communicator = WebsocketCommunicator(
        application, f"/ws/agent/?token={token.key}", headers=ORIGIN
    )
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4401
