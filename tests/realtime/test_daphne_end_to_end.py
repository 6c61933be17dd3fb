"""End to end through a real daphne process and a real websocket client.

A customer message stored in this process reaches the agents' sockets in the
daphne process over the Redis channel layer; a take over HTTP removes the chat
from the loser's screen.
"""

from __future__ import annotations

import httpx
import pytest
import websockets
from asgiref.sync import sync_to_async
from rest_framework.authtoken.models import Token

from tests.live import daphne_server, next_frame

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


async def test_message_and_take_reach_the_right_sockets(alice, bob, customer_writes):
    tokens = {
        user.username: (await sync_to_async(Token.objects.create)(user=user)).key
        for user in (alice, bob)
    }
    with daphne_server() as base:
        ws_base = base.replace("http://", "ws://")
        origin = {"Origin": base}
        async with (
            websockets.connect(
                f"{ws_base}/ws/agent/?token={tokens['alice']}", additional_headers=origin
            ) as alice_ws,
            websockets.connect(
                f"{ws_base}/ws/agent/?token={tokens['bob']}", additional_headers=origin
            ) as bob_ws,
        ):
            await next_frame(alice_ws, "session.ready")
            await next_frame(bob_ws, "session.ready")

            message = await sync_to_async(customer_writes)("Is anyone there?")
            offered = await next_frame(alice_ws, "conversation.offered")
            created = await next_frame(bob_ws, "message.created")
            assert offered["data"]["id"] == message.conversation_id
            assert created["data"]["body"] == "Is anyone there?"
            assert isinstance(created["id"], int) and created["at"].endswith("Z")

            async with httpx.AsyncClient(base_url=base) as client:
                response = await client.post(
                    f"/api/v1/conversations/{message.conversation_id}/take/",
                    headers={"Authorization": f"Token {tokens['alice']}"},
                )
            assert response.status_code == 200, response.text
            removed = await next_frame(bob_ws, "conversation.removed")
            updated = await next_frame(alice_ws, "conversation.updated")
            assert removed["data"]["id"] == message.conversation_id
            assert updated["data"]["owner"] == alice.pk
