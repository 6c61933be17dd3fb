"""Taken, transferred, reopened, ended, blocked: lines in the conversation, not replies."""

from __future__ import annotations

import pytest

from chatdesk.inbox.models import Message
from chatdesk.inbox.services import lifecycle, ownership
from tests.factories import ChannelAccountFactory

pytestmark = pytest.mark.django_db


def _log(api, user, conversation_id) -> list[dict]:
    return api(user).get(f"/api/v1/conversations/{conversation_id}/messages/").json()["results"]


def test_take_and_transfer_are_event_lines_without_a_sender(
    customer_writes, alice, oscar, api, client
):
    conversation = customer_writes("Hi").conversation
    api(alice).post(f"/api/v1/conversations/{conversation.pk}/take/")
    api(alice).post(
        f"/api/v1/conversations/{conversation.pk}/transfer/", {"agent": oscar.pk}, format="json"
    )
    lines = [(m["kind"], m["sender"], m["event"]) for m in _log(api, oscar, conversation.pk)]
    assert lines == [
        ("message", None, None),
        ("event", None, {"type": "taken", "actor": alice.pk, "actor_name": "Alice Tester"}),
        (
            "event",
            None,
            {
                "type": "transferred",
                "actor": alice.pk,
                "actor_name": "Alice Tester",
                "to": oscar.pk,
                "to_name": "Oscar Tester",
            },
        ),
    ]
    # The list's preview is still the customer's line, the only unread one; none pending.
    client.force_login(oscar)
    row = client.get("/inbox/rows/").json()["results"][0]
    assert (row["last_message"], row["unread_count"]) == ("Hi", 1)
    assert not Message.objects.filter(kind="event", delivery_status="pending").exists()


def test_reopening_from_the_archive_is_a_line(customer_writes, alice, oscar, api):
    conversation = customer_writes("Hi").conversation
    api(alice).post(f"/api/v1/conversations/{conversation.pk}/take/")
    api(alice).post(f"/api/v1/conversations/{conversation.pk}/dealt-with/")
    api(alice).post(
        f"/api/v1/conversations/{conversation.pk}/transfer/", {"agent": oscar.pk}, format="json"
    )
    last = _log(api, oscar, conversation.pk)[-1]
    assert (last["kind"], last["event"]["type"], last["event"]["to"]) == (
        "event",
        "reopened",
        oscar.pk,
    )


@pytest.mark.parametrize(
    ("action", "event_type", "told"),
    [
        ("end", "ended", "The agent has ended this chat. Thank you!"),
        ("block", "blocked", "This chat has been closed by the agent."),
    ],
)
def test_ending_a_live_chat_is_a_notice_not_the_agents_reply(
    queue_a, customer_writes, alice, api, action, event_type, told
):
    site = ChannelAccountFactory(kind="livechat", external_id="site-1", route_queue=queue_a)
    conversation = customer_writes("Hello", to=site, address="visitor-1").conversation
    ownership.conversation_take(conversation_id=conversation.pk, agent=alice)
    if action == "end":
        lifecycle.conversation_end(conversation_id=conversation.pk, agent=alice)
    else:
        lifecycle.conversation_block(conversation_id=conversation.pk, agent=alice)
    notice = _log(api, alice, conversation.pk)[-1]
    assert (notice["kind"], notice["sender"], notice["body"]) == ("notice", None, told)
    assert notice["event"]["type"] == event_type
    assert notice["event"]["actor"] == alice.pk
