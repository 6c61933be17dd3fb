"""/ws/livechat/: a visitor writes, the queue is offered the chat, the visitor sees it all."""

from __future__ import annotations

import uuid

import pytest
from asgiref.sync import sync_to_async

from channels_ingest.livechat.models import VisitorSession
from chatdesk.inbox.models import Conversation, Message, VisitorBlock
from tests.livechat.conftest import ORIGIN
from tests.livechat.support import next_frame, open_session, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def test_an_unknown_token_is_closed_with_4401(site):
    connected, code = await visitor_socket("no-such-token").connect()
    assert (connected, code) == (False, 4401)


async def test_a_visitor_message_opens_a_chat_offered_to_queue_a(
    start_session, alice, bob, oscar, capture_events
):
    events = await sync_to_async(capture_events)()
    session = await open_session(start_session, name="Vera Visitor")
    socket = visitor_socket(session["session_token"], ip="198.51.100.20")
    assert (await socket.connect())[0]

    client_id = str(uuid.uuid4())
    await socket.send_json_to(
        {"type": "message", "body": "Do you ship to Norway?", "client_id": client_id}
    )
    echo = await next_frame(socket, "message")
    assert echo["data"]["body"] == "Do you ship to Norway?"
    assert echo["data"]["direction"] == "in"
    assert echo["data"]["sender_name"] == "Vera Visitor"
    assert echo["data"]["client_id"] == client_id
    assert echo["data"]["created_at"].endswith("Z")

    message = await sync_to_async(Message.objects.select_related("conversation__identity").get)()
    conversation = message.conversation
    assert (conversation.channel, conversation.status) == ("livechat", "unassigned")
    assert conversation.queue_id == (await sync_to_async(lambda: session_site_queue(session))())
    assert conversation.identity.address == session["visitor"]
    assert conversation.visitor_ip == "198.51.100.20"
    for agent in (alice, bob):
        types = await sync_to_async(events.types)(agent)
        assert "conversation.offered" in types and "message.created" in types
    assert await sync_to_async(events.types)(oscar) == []

    # The same client_id again (a resend after a drop) is stored once, echoed again.
    await socket.send_json_to(
        {"type": "message", "body": "Do you ship to Norway?", "client_id": client_id}
    )
    assert (await next_frame(socket, "message"))["data"]["id"] == message.pk
    assert await sync_to_async(Message.objects.count)() == 1
    await socket.disconnect()


def session_site_queue(session: dict) -> int:
    return VisitorSession.objects.get(visitor_id=session["visitor"]).account.route_queue_id


async def test_a_reconnect_replays_the_session_so_nothing_is_lost(start_session):
    session = await open_session(start_session, name="Vera")
    first = visitor_socket(session["session_token"])
    await first.connect()
    await first.send_json_to({"type": "message", "body": "one"})
    await next_frame(first, "message")
    await first.disconnect()

    again = visitor_socket(session["session_token"])
    assert (await again.connect())[0]
    replayed = await next_frame(again, "message")
    assert replayed["data"]["body"] == "one"
    await again.disconnect()


async def test_an_oversized_or_empty_message_is_refused_and_not_stored(start_session):
    session = await open_session(start_session)
    socket = visitor_socket(session["session_token"])
    await socket.connect()
    await socket.send_json_to({"type": "message", "body": "x" * 4001})
    error = await next_frame(socket, "error")
    assert "4000" in error["data"]["detail"]
    await socket.send_json_to({"type": "message", "body": "   "})
    assert (await next_frame(socket, "error"))["data"]["detail"]
    await socket.send_to(text_data="{not json")
    assert (await next_frame(socket, "error"))["data"]["detail"]
    assert await sync_to_async(Message.objects.count)() == 0
    await socket.send_json_to({"type": "message", "body": "x" * 4000})
    assert len((await next_frame(socket, "message"))["data"]["body"]) == 4000
    await socket.disconnect()


async def test_flooding_drops_messages_without_affecting_other_visitors(start_session):
    flooder = await open_session(start_session, name="Flood")
    calm = await open_session(start_session, name="Calm")
    flood_socket = visitor_socket(flooder["session_token"])
    calm_socket = visitor_socket(calm["session_token"])
    await flood_socket.connect()
    await calm_socket.connect()

    for number in range(10):
        await flood_socket.send_json_to({"type": "message", "body": f"spam {number}"})
        await next_frame(flood_socket, "message")
    await flood_socket.send_json_to({"type": "message", "body": "spam 10"})
    error = await next_frame(flood_socket, "error")
    assert "too quickly" in error["data"]["detail"]
    assert not await sync_to_async(Message.objects.filter(body="spam 10").exists)()

    await calm_socket.send_json_to({"type": "message", "body": "Hello there"})
    assert (await next_frame(calm_socket, "message"))["data"]["body"] == "Hello there"
    assert await sync_to_async(Message.objects.count)() == 11
    await flood_socket.disconnect()
    await calm_socket.disconnect()


async def test_a_foreign_origin_is_refused_per_site(start_session, site):
    session = await open_session(start_session)
    site.allowed_origins = ["https://shop.example.com"]
    await sync_to_async(site.save)()
    # 127.0.0.1 passes ALLOWED_HOSTS but is not in the site's list nor the socket's host.
    socket = visitor_socket(session["session_token"], headers=[(b"origin", ORIGIN.encode())])
    connected, code = await socket.connect()
    assert (connected, code) == (False, 4403)


async def test_a_customer_site_outside_allowed_hosts_may_open_the_socket(start_session, site):
    # The widget runs on the customer's shop, whose origin is no host of ours.
    session = await open_session(start_session)
    site.allowed_origins = ["https://shop.example.com"]
    await sync_to_async(site.save)()
    socket = visitor_socket(
        session["session_token"], headers=[(b"origin", b"https://shop.example.com")]
    )
    connected, _ = await socket.connect()
    assert connected
    await socket.disconnect()


async def test_a_blocked_ip_cannot_open_the_socket(start_session):
    session = await open_session(start_session)
    await sync_to_async(VisitorBlock.objects.create)(ip_address="203.0.113.7")
    connected, code = await visitor_socket(session["session_token"], ip="203.0.113.7").connect()
    assert (connected, code) == (False, 4401)
    assert await sync_to_async(Conversation.objects.count)() == 0


async def test_presence_follows_the_socket(start_session):
    session = await open_session(start_session)
    socket = visitor_socket(session["session_token"])
    await socket.connect()
    await socket.send_json_to({"type": "ping"})
    assert (await next_frame(socket, "pong"))["type"] == "pong"
    row = await sync_to_async(VisitorSession.objects.get)(visitor_id=session["visitor"])
    assert row.open_sockets == 1
    await socket.disconnect()
    await row.arefresh_from_db()
    assert row.open_sockets == 0
