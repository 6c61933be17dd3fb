"""The ASGI app's websocket side: authentication, origin check, the real channel layer."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.models import Session
from rest_framework.authtoken.models import Token

from chatdesk.asgi import application
from chatdesk.inbox.models import Event, EventRecipient
from chatdesk.realtime.hub import HUBS_GROUP, batch_message

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = [(b"origin", b"http://127.0.0.1:8000")]


async def test_anonymous_socket_is_closed_with_4401():
    communicator = WebsocketCommunicator(application, "/ws/agent/", headers=ORIGIN)
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4401


async def test_foreign_origin_is_refused(alice):
    token = await database_sync_to_async(Token.objects.create)(user=alice)
    communicator = WebsocketCommunicator(
        application,
        f"/ws/agent/?token={token.key}",
        headers=[(b"origin", b"https://evil.example")],
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_token_socket_receives_what_the_hubs_are_sent_for_its_agent(alice, bob):
    token = await database_sync_to_async(Token.objects.create)(user=alice)
    communicator = WebsocketCommunicator(
        application, f"/ws/agent/?token={token.key}", headers=ORIGIN
    )
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_json_from() == {
        "type": "session.ready",
        "data": {"agent": alice.pk, "last_event_id": 0},
    }
    not_hers = {"type": "agent.status", "id": 1, "at": "2026-01-01T00:00:00Z", "data": {}}
    event = {"type": "agent.status", "id": 2, "at": "2026-01-01T00:00:00Z", "data": {}}
    message = batch_message([not_hers, event], {1: [bob.pk], 2: [alice.pk]})
    await get_channel_layer().group_send(HUBS_GROUP, message)
    assert await communicator.receive_json_from(timeout=5) == event
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from())["type"] == "pong"
    await communicator.disconnect()


async def test_session_cookie_authenticates_the_socket(alice, async_client):
    await async_client.aforce_login(alice)
    cookie = f"sessionid={async_client.cookies['sessionid'].value}".encode()
    communicator = WebsocketCommunicator(
        application, "/ws/agent/", headers=[*ORIGIN, (b"cookie", cookie)]
    )
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["data"]["agent"] == alice.pk
    await communicator.disconnect()


async def test_session_ready_names_the_newest_event_to_replay_from(alice, bob):
    def store() -> int:
        mine = Event.objects.create(type="agent.status", data={})
        EventRecipient.objects.create(event=mine, agent=alice)
        other = Event.objects.create(type="agent.status", data={})
        EventRecipient.objects.create(event=other, agent=bob)  # not alice's: not counted
        return mine.pk

    mine = await database_sync_to_async(store)()
    token = await database_sync_to_async(Token.objects.create)(user=alice)
    communicator = WebsocketCommunicator(
        application, f"/ws/agent/?token={token.key}", headers=ORIGIN
    )
    assert (await communicator.connect())[0]
    ready = await communicator.receive_json_from()
    assert ready["data"]["last_event_id"] == mine
    await communicator.disconnect()


async def test_a_session_cookie_of_no_session_is_closed_with_4401(alice, async_client):
    await async_client.aforce_login(alice)
    key = async_client.cookies["sessionid"].value
    await async_client.alogout()  # the session row is gone; the browser still sends it
    communicator = WebsocketCommunicator(
        application, "/ws/agent/", headers=[*ORIGIN, (b"cookie", f"sessionid={key}".encode())]
    )
    connected, code = await communicator.connect()
    assert not connected and code == 4401


async def test_a_socket_leaves_its_session_as_it_was(alice, async_client):
    """The socket reads the session (to know the agent) and never writes it: the row
    is untouched, whatever the socket sends and receives."""
    await async_client.aforce_login(alice)
    key = async_client.cookies["sessionid"].value
    before = await database_sync_to_async(Session.objects.values().get)(session_key=key)
    communicator = WebsocketCommunicator(
        application, "/ws/agent/", headers=[*ORIGIN, (b"cookie", f"sessionid={key}".encode())]
    )
    assert (await communicator.connect())[0]
    assert (await communicator.receive_json_from())["data"]["agent"] == alice.pk
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from())["type"] == "pong"
    await communicator.disconnect()
    after = await database_sync_to_async(Session.objects.values().get)(session_key=key)
    assert after == before
