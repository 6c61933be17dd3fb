"""A visitor writing while the queue is closed is told so on their socket, through the
normal outbound path, once."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from channels_ingest.tasks import deliver_message
from chatdesk.inbox.models import Message
from queues.models import BusinessHours
from tests.livechat.support import next_frame, open_session, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)
CLOSED = "We are closed right now. We answer every message in the morning."


def _close_queue(queue) -> None:
    # A schedule without windows: closed whenever the test runs.
    queue.business_hours = BusinessHours.objects.create(name="Closed", time_zone="UTC")
    queue.out_of_hours_message = CLOSED
    queue.save()


async def test_the_visitor_gets_the_out_of_hours_message_once(start_session, queue_a):
    await sync_to_async(_close_queue)(queue_a)
    session = await open_session(start_session, name="Nina Night")
    socket = visitor_socket(session["session_token"])
    assert (await socket.connect())[0]
    await socket.send_json_to({"type": "message", "body": "Anyone there?"})
    await next_frame(socket, "message")

    notice = await sync_to_async(Message.objects.get)(kind=Message.Kind.NOTICE)
    assert notice.delivery_status == "pending"
    # The worker's task, as the outbox runs it: a live chat's notice goes to the socket.
    assert await sync_to_async(lambda: deliver_message.apply(args=(notice.pk,)).get())() == (
        "delivered"
    )
    frame = await next_frame(socket, "message")
    assert frame["data"]["id"] == notice.pk
    assert frame["data"]["body"] == CLOSED
    assert (frame["data"]["direction"], frame["data"]["kind"]) == ("out", "notice")

    await socket.send_json_to({"type": "message", "body": "Hello??"})
    await next_frame(socket, "message")
    assert await sync_to_async(Message.objects.filter(kind=Message.Kind.NOTICE).count)() == 1
    await socket.disconnect()
