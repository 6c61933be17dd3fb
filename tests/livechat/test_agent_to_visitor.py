"""Agent -> visitor: a reply reaches the visitor's socket; end and block close it."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from channels_ingest.livechat.delivery import deliver_to_visitor
from channels_ingest.livechat.models import VisitorSession
from chatdesk.inbox.models import Message, VisitorBlock
from tests.livechat.support import next_frame, open_session, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def _visitor_writes(start_session, body: str = "Hi, my order is late"):
    """A connected visitor who has written once: (socket, session, conversation id)."""
    session = await open_session(start_session, name="Vera")
    socket = visitor_socket(session["session_token"])
    assert (await socket.connect())[0]
    await socket.send_json_to({"type": "message", "body": body})
    echo = await next_frame(socket, "message")
    conversation_id = await sync_to_async(
        lambda: Message.objects.get(pk=echo["data"]["id"]).conversation_id
    )()
    return socket, session, conversation_id


def _post(api, agent, path: str, body: dict | None = None):
    return api(agent).post(path, body or {}, format="json")


async def test_an_agent_reply_reaches_the_visitor_and_is_marked_delivered(
    start_session, alice, api, capture_events
):
    socket, _, conversation_id = await _visitor_writes(start_session)
    events = await sync_to_async(capture_events)()
    response = await sync_to_async(_post)(
        api,
        alice,
        f"/api/v1/conversations/{conversation_id}/messages/",
        {"body": "<b>On its way</b>"},
    )
    assert response.status_code == 201, response.content
    reply_id = response.json()["id"]

    assert await sync_to_async(deliver_to_visitor)(reply_id) == "delivered"
    frame = await next_frame(socket, "message")
    assert frame["data"]["id"] == reply_id
    assert frame["data"]["body"] == "<b>On its way</b>"
    assert frame["data"]["direction"] == "out"
    assert frame["data"]["sender_name"] == "Alice"
    assert "sender" not in frame["data"] and "delivery_status" not in frame["data"]

    reply = await sync_to_async(Message.objects.get)(pk=reply_id)
    assert (reply.delivery_status, reply.provider_message_id) == (
        "delivered",
        f"livechat-{reply_id}",
    )
    statuses = await sync_to_async(events.received)(alice, "message.status")
    assert statuses[-1]["data"]["delivery_status"] == "delivered"
    # A second delivery (a task retry) neither fails nor moves the status back.
    assert await sync_to_async(deliver_to_visitor)(reply_id) == "delivered"
    await socket.disconnect()


async def test_a_reply_to_a_visitor_who_is_away_is_sent_and_replayed_later(
    start_session, alice, api
):
    socket, session, conversation_id = await _visitor_writes(start_session)
    await socket.disconnect()
    response = await sync_to_async(_post)(
        api, alice, f"/api/v1/conversations/{conversation_id}/messages/", {"body": "Still there?"}
    )
    assert await sync_to_async(deliver_to_visitor)(response.json()["id"]) == "sent"

    back = visitor_socket(session["session_token"])
    await back.connect()
    bodies = [(await next_frame(back, "message"))["data"]["body"] for _ in range(2)]
    assert bodies == ["Hi, my order is late", "Still there?"]
    await back.disconnect()


async def test_deliver_refuses_a_message_that_is_not_a_live_chat_reply(start_session):
    socket, _, conversation_id = await _visitor_writes(start_session)
    inbound = await sync_to_async(Message.objects.get)(conversation_id=conversation_id)
    with pytest.raises(ValueError, match="not a live-chat reply"):
        await sync_to_async(deliver_to_visitor)(inbound.pk)
    await socket.disconnect()


async def test_end_tells_the_visitor_and_closes_the_socket(start_session, alice, api):
    socket, session, conversation_id = await _visitor_writes(start_session)
    await sync_to_async(_post)(api, alice, f"/api/v1/conversations/{conversation_id}/take/")
    response = await sync_to_async(_post)(
        api, alice, f"/api/v1/conversations/{conversation_id}/end/"
    )
    assert response.status_code == 200, response.content

    ended = await next_frame(socket, "chat.ended")
    assert "ended this chat" in ended["data"]["body"]
    assert (await socket.receive_output(timeout=5))["type"] == "websocket.close"
    assert await sync_to_async(
        VisitorSession.objects.filter(visitor_id=session["visitor"], ended_at__isnull=False).exists
    )()
    # The ended token no longer opens a socket; the widget starts a new session instead.
    connected, code = await visitor_socket(session["session_token"]).connect()
    assert (connected, code) == (False, 4401)
    again = await sync_to_async(start_session)(session_token=session["session_token"])
    assert again.status_code == 201
    assert again.json()["visitor"] == session["visitor"]
    assert again.json()["conversation"] is None


async def test_block_ends_the_chat_and_bars_the_visitor(start_session, alice, api):
    socket, session, conversation_id = await _visitor_writes(start_session)
    await sync_to_async(_post)(api, alice, f"/api/v1/conversations/{conversation_id}/take/")
    response = await sync_to_async(_post)(
        api, alice, f"/api/v1/conversations/{conversation_id}/block/", {"reason": "abuse"}
    )
    assert response.status_code == 200, response.content

    assert "closed" in (await next_frame(socket, "chat.ended"))["data"]["body"]
    assert (await socket.receive_output(timeout=5))["type"] == "websocket.close"
    block = await sync_to_async(VisitorBlock.objects.select_related("identity").get)()
    assert block.identity.address == session["visitor"]
    assert block.ip_address == "127.0.0.1"
    refused = await sync_to_async(start_session)(session_token=session["session_token"])
    assert refused.status_code == 403
