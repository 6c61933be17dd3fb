"""A private note in a live chat never reaches the visitor: not on their socket (the real
channel layer), not in the replay a reconnect gets, not by the delivery path."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from channels_ingest.livechat.delivery import deliver_to_visitor
from chatdesk.inbox.models import Message
from tests.livechat.support import next_frame, open_session, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "Private: this visitor tried a stolen card"


async def _frames_for(socket, seconds: float) -> list[dict]:
    """What the socket is sent until it stays quiet for `seconds` (receive_nothing waits
    without cancelling the application, as a timed-out receive would)."""
    frames = []
    while not await socket.receive_nothing(timeout=seconds):
        frames.append(await socket.receive_json_from())
    return frames


async def test_the_visitor_never_gets_a_note(start_session, alice, api):
    session = await open_session(start_session, name="Vera")
    socket = visitor_socket(session["session_token"])
    assert (await socket.connect())[0]
    await socket.send_json_to({"type": "message", "body": "Can I pay later?"})
    echo = await next_frame(socket, "message")
    conversation_id = await sync_to_async(
        lambda: Message.objects.get(pk=echo["data"]["id"]).conversation_id
    )()
    client = await sync_to_async(api)(alice)
    base = f"/api/v1/conversations/{conversation_id}"

    note = await sync_to_async(client.post)(f"{base}/notes/", {"body": SECRET})
    assert note.status_code == 201, note.content
    # Committed, events fanned out: the visitor's socket is sent nothing about it.
    frames = await _frames_for(socket, 1.5)
    assert [f for f in frames if f["type"] in ("message", "typing")] == []
    assert all(SECRET not in str(frame) for frame in frames)
    # The delivery path refuses it outright.
    with pytest.raises(ValueError, match="private note"):
        await sync_to_async(deliver_to_visitor)(note.json()["id"])

    # A reply after it is what the visitor gets next.
    reply = await sync_to_async(client.post)(f"{base}/messages/", {"body": "Yes, you can."})
    assert await sync_to_async(deliver_to_visitor)(reply.json()["id"]) == "delivered"
    assert (await next_frame(socket, "message"))["data"]["body"] == "Yes, you can."
    await socket.disconnect()

    # The replay on reconnect (the widget's history) holds the chat without the note.
    again = visitor_socket(session["session_token"])
    assert (await again.connect())[0]
    replayed = [f for f in await _frames_for(again, 1.5) if f["type"] == "message"]
    assert [f["data"]["body"] for f in replayed] == ["Can I pay later?", "Yes, you can."]
    await again.disconnect()
