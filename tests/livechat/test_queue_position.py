"""`queue.position` on the visitor's socket: their place in line, updated as chats ahead
are taken (any channel), over the real channel layer."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from chatdesk.inbox.models import Conversation, Message
from tests.livechat.support import open_session, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)


class Frames:
    """A visitor socket's frames, kept by type: the place in line may arrive before or
    after the echo of the visitor's message (both are sent after the same commit)."""

    def __init__(self, socket) -> None:
        self.socket = socket
        self.kept: list[dict] = []

    async def next(self, wanted: str, timeout: float = 5) -> dict:
        for index, frame in enumerate(self.kept):
            if frame["type"] == wanted:
                return self.kept.pop(index)
        while True:
            frame = await self.socket.receive_json_from(timeout=timeout)
            if frame["type"] == wanted:
                return frame
            self.kept.append(frame)

    async def disconnect(self) -> None:
        await self.socket.disconnect()


async def _waiting_visitor(start_session, name: str, body: str):
    """A visitor on their socket who has written: (frames, session, conversation id)."""
    session = await open_session(start_session, name=name)
    socket = visitor_socket(session["session_token"])
    assert (await socket.connect())[0]
    socket = Frames(socket)
    await socket.socket.send_json_to({"type": "message", "body": body})
    echo = await socket.next("message")
    conversation_id = await sync_to_async(
        lambda: Message.objects.get(pk=echo["data"]["id"]).conversation_id
    )()
    return socket, session, conversation_id


def _take(api, agent, conversation_id: int) -> None:
    response = api(agent).post(f"/api/v1/conversations/{conversation_id}/take/")
    assert response.status_code == 200, response.content
    connection.close()  # this thread's connection; the test database is dropped at the end


async def _place(frames: Frames) -> dict:
    return (await frames.next("queue.position"))["data"]


async def test_the_place_in_line_moves_up_as_chats_ahead_are_taken(
    start_session, customer_writes, alice, bob, api
):
    first, _, first_chat = await _waiting_visitor(start_session, "Vera", "Hello")
    assert (await _place(first))["position"] == 1

    # A WhatsApp customer joins the line between the two visitors: any channel counts.
    whatsapp = await sync_to_async(lambda: customer_writes("Hi").conversation_id)()
    third, third_session, _ = await _waiting_visitor(start_session, "Tom", "Hi there")
    place = await _place(third)
    assert place["position"] == 3
    assert place["estimated_wait_seconds"] is None  # nothing taken recently: no estimate

    await sync_to_async(_take)(api, alice, first_chat)
    assert (await _place(third))["position"] == 2
    # The visitor whose chat was taken leaves the line.
    assert await _place(first) == {"position": None, "estimated_wait_seconds": None}

    await sync_to_async(_take)(api, bob, whatsapp)
    place = await _place(third)
    assert place["position"] == 1
    assert isinstance(place["estimated_wait_seconds"], int)  # two takes to go by now

    # A reload (a new socket) is told where it stands at once.
    again = visitor_socket(third_session["session_token"])
    assert (await again.connect())[0]
    again = Frames(again)
    assert (await _place(again))["position"] == 1
    for socket in (first, third, again):
        await socket.disconnect()


async def test_a_chat_ahead_that_is_ended_moves_the_line_too(start_session, alice, api):
    first, _, first_chat = await _waiting_visitor(start_session, "Vera", "Hello")
    second, _, _ = await _waiting_visitor(start_session, "Tom", "Hi")
    assert (await _place(second))["position"] == 2

    def end() -> None:
        response = api(alice).post(f"/api/v1/conversations/{first_chat}/end/")
        assert response.status_code == 200, response.content
        connection.close()

    await sync_to_async(end)()
    assert (await _place(second))["position"] == 1
    assert await sync_to_async(Conversation.objects.filter(status="ended").count)() == 1
    for socket in (first, second):
        await socket.disconnect()
