"""Typing notices both ways, through the real sockets and channel layer.

Never stored, never replayed, throttled per chat and side, and never to an
agent who may not see the chat.
"""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async

from chatdesk.inbox.models import Event, Message
from tests.livechat.support import next_frame, open_session, visitor_socket
from tests.sockets import agent_socket, drain

pytestmark = pytest.mark.django_db(transaction=True)


async def _visitor_chat(start_session):
    session = await open_session(start_session, name="Vera")
    socket = visitor_socket(session["session_token"])
    assert (await socket.connect())[0]
    await socket.send_json_to({"type": "message", "body": "Hello?"})
    echo = await next_frame(socket, "message")
    chat_id = await sync_to_async(
        lambda: Message.objects.get(pk=echo["data"]["id"]).conversation_id
    )()
    return socket, chat_id, session["session_token"]


def _typing(frames: list[dict]) -> list[dict]:
    return [frame for frame in frames if frame["type"] == "typing"]


async def test_the_visitor_typing_reaches_agents_who_see_the_chat_only(
    start_session, alice, carol, oscar, api
):
    visitor, chat_id, token = await _visitor_chat(start_session)
    second_tab = visitor_socket(token)
    assert (await second_tab.connect())[0]
    sockets = {agent.username: await agent_socket(agent) for agent in (alice, carol, oscar)}
    stored_before = await sync_to_async(Event.objects.count)()

    # Several in a row, from two tabs: the server passes one on, whatever clients send.
    for _ in range(3):
        await visitor.send_json_to({"type": "typing"})
        await second_tab.send_json_to({"type": "typing"})
    got = {name: _typing(await drain(socket)) for name, socket in sockets.items()}

    expected = [{"type": "typing", "data": {"conversation": chat_id, "by": "customer"}}]
    assert got["alice"] == expected  # offered in the queue
    assert got["carol"] == expected  # manager
    assert got["oscar"] == []  # outside the queue
    assert "id" not in got["alice"][0]
    # Not stored, so a reconnecting client replays no typing.
    assert await sync_to_async(Event.objects.count)() == stored_before
    replay = await sync_to_async(lambda: api(alice).get("/api/v1/events/?after=0").json())()
    assert "typing" not in {event["type"] for event in replay["results"]}

    # Once the throttle window has passed, the next one goes out again.
    await asyncio.sleep(2.1)
    await visitor.send_json_to({"type": "typing"})
    assert _typing(await drain(sockets["alice"])) == expected
    for socket in (visitor, second_tab, *sockets.values()):
        await socket.disconnect()


async def test_an_agent_typing_reaches_the_visitor_and_an_outsider_is_ignored(
    start_session, alice, oscar
):
    visitor, chat_id, _ = await _visitor_chat(start_session)
    await drain(visitor)
    outsider = await agent_socket(oscar)
    await outsider.send_json_to({"type": "typing", "conversation": chat_id})
    assert await visitor.receive_nothing(timeout=0.6)
    assert await outsider.receive_nothing(timeout=0.1)  # no answer that tells it exists

    offered = await agent_socket(alice)
    for _ in range(3):
        await offered.send_json_to({"type": "typing", "conversation": chat_id})
    frames = await drain(visitor)
    assert _typing(frames) == [{"type": "typing", "data": {}}]

    # Nonsense is ignored, and the socket stays up.
    for bad in ({"type": "typing"}, {"type": "typing", "conversation": "x"}, ["typing"]):
        await offered.send_json_to(bad)
    await offered.send_json_to({"type": "ping"})
    assert (await offered.receive_json_from(timeout=5))["type"] == "pong"
    for socket in (visitor, outsider, offered):
        await socket.disconnect()
