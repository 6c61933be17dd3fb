"""End to end through a real daphne process: a visitor writes over /ws/livechat/, an
agent's /ws/agent/ socket receives it, the agent replies and the visitor sees it."""

from __future__ import annotations

import json

import httpx
import pytest
import websockets
from asgiref.sync import sync_to_async
from rest_framework.authtoken.models import Token

from channels_ingest.livechat.delivery import deliver_to_visitor
from tests.live import daphne_server, next_frame

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


async def test_visitor_and_agent_talk_over_the_real_server(site, alice):
    token = (await sync_to_async(Token.objects.create)(user=alice)).key
    with daphne_server() as base:
        async with httpx.AsyncClient(base_url=base) as client:
            started = await client.post(
                "/api/v1/livechat/sessions/",
                json={"site_key": site.external_id, "name": "Vera"},
                headers={"Origin": base},
            )
        assert started.status_code == 201, started.text
        session_token = started.json()["session_token"]
        ws_base = base.replace("http://", "ws://")
        origin = {"Origin": base}
        async with (
            websockets.connect(
                f"{ws_base}/ws/agent/?token={token}", additional_headers=origin
            ) as agent,
            websockets.connect(
                f"{ws_base}/ws/livechat/?token={session_token}", additional_headers=origin
            ) as visitor,
        ):
            await next_frame(agent, "session.ready")
            await visitor.send(json.dumps({"type": "message", "body": "Hello from the shop"}))
            echo = await next_frame(visitor, "message")
            created = await next_frame(agent, "message.created")
            assert created["data"]["body"] == echo["data"]["body"] == "Hello from the shop"
            conversation_id = created["data"]["conversation"]

            async with httpx.AsyncClient(base_url=base) as client:
                reply = await client.post(
                    f"/api/v1/conversations/{conversation_id}/messages/",
                    json={"body": "Hi Vera, how can I help?"},
                    headers={"Authorization": f"Token {token}"},
                )
            assert reply.status_code == 201, reply.text
            # The outbound task's job, called directly here: this process and daphne
            # share Redis, so the visitor's socket in daphne receives it.
            await sync_to_async(deliver_to_visitor)(reply.json()["id"])
            answer = await next_frame(visitor, "message")
            assert answer["data"]["body"] == "Hi Vera, how can I help?"
            assert answer["data"]["direction"] == "out"
