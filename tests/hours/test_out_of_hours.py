"""A customer who writes while the queue is closed: told once per closed period, and the
chat waits, offered to nobody, until the queue opens."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from chatdesk.accounts.models import Presence
from chatdesk.inbox import assignment, ports
from chatdesk.inbox.models import Conversation, Message
from chatdesk.inbox.services.presence import agent_set_status
from queues.models import Offer

BERLIN = ZoneInfo("Europe/Berlin")
CLOSED_TEXT = "We are closed now; we answer from 09:00 (Berlin time)."
pytestmark = pytest.mark.django_db


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.fixture
def handed_out():
    """The ids the inbox handed to the outbound port (the delivery worker's queue)."""
    ids: list[int] = []
    previous = ports._deliver
    ports.register_delivery(lambda message_id, sender_id: ids.append(message_id))
    yield ids
    ports.register_delivery(previous)


@pytest.fixture
def closed_queue(queue_a, berlin_hours):
    queue_a.business_hours = berlin_hours
    queue_a.out_of_hours_message = CLOSED_TEXT
    queue_a.save()
    return queue_a


def notices(conversation) -> list[Message]:
    return list(
        Message.objects.filter(conversation=conversation, kind=Message.Kind.NOTICE).order_by("pk")
    )


def test_the_out_of_hours_message_goes_once_per_closed_period(
    clock, closed_queue, customer_writes, handed_out, django_capture_on_commit_callbacks
):
    def write(body: str) -> Message:
        with django_capture_on_commit_callbacks(execute=True):
            return customer_writes(body)

    clock.set(berlin(2026, 3, 6, 18, 0))  # Friday evening: closed until Monday 09:00
    first = write("Is my order on its way?")
    conversation = first.conversation
    [notice] = notices(conversation)
    assert notice.body == CLOSED_TEXT
    assert (notice.direction, notice.delivery_status, notice.sender_id) == ("out", "pending", None)
    assert notice.event["type"] == "out_of_hours"
    assert notice.channel_account_id == first.channel_account_id
    assert handed_out == [notice.pk]  # the normal outbound path delivers it

    clock.set(berlin(2026, 3, 7, 11, 0))  # Saturday: the same closed period
    write("Hello?")
    clock.set(berlin(2026, 3, 9, 8, 59))  # Monday, a minute before opening
    write("Anyone?")
    assert len(notices(conversation)) == 1

    clock.set(berlin(2026, 3, 9, 10, 0))  # open: nothing automatic
    write("Good morning")
    assert len(notices(conversation)) == 1

    clock.set(berlin(2026, 3, 9, 12, 30))  # the lunch break is a new closed period
    write("Still waiting")
    assert [n.body for n in notices(conversation)] == [CLOSED_TEXT, CLOSED_TEXT]
    assert handed_out == [n.pk for n in notices(conversation)]
    # Agents see what the customer was told, as notices among the messages.
    assert Message.objects.filter(conversation=conversation).count() == 7


def test_each_conversation_is_told_for_itself(clock, closed_queue, customer_writes, handed_out):
    clock.set(berlin(2026, 3, 6, 18, 0))
    one = customer_writes("Hi", address="14155550001").conversation
    two = customer_writes("Hi", address="14155550002").conversation
    assert len(notices(one)) == len(notices(two)) == 1


def test_nothing_is_sent_when_the_queue_has_no_message_or_is_open(
    clock, queue_a, berlin_hours, customer_writes
):
    queue_a.business_hours = berlin_hours
    queue_a.save()
    clock.set(berlin(2026, 3, 6, 18, 0))
    assert notices(customer_writes("Hi", address="14155550001").conversation) == []
    queue_a.out_of_hours_message = CLOSED_TEXT
    queue_a.save()
    clock.set(berlin(2026, 3, 6, 10, 0))
    assert notices(customer_writes("Hi", address="14155550002").conversation) == []


def test_a_chat_someone_has_taken_gets_no_automatic_message(
    clock, closed_queue, customer_writes, carol, api
):
    clock.set(berlin(2026, 3, 6, 18, 0))
    conversation = customer_writes("Hi").conversation
    # A manager working late takes it; the customer's next message is a conversation.
    assert api(carol).post(f"/api/v1/conversations/{conversation.pk}/take/").status_code == 200
    clock.set(berlin(2026, 3, 6, 23, 0))
    customer_writes("Thanks for answering!")
    assert len(notices(conversation)) == 1


def test_a_closed_queue_offers_the_chat_to_nobody_until_it_opens(
    clock, closed_queue, customer_writes, alice, bob, carol, api
):
    clock.set(berlin(2026, 3, 6, 18, 0))
    conversation = customer_writes("Hi").conversation
    conversation.refresh_from_db()
    assert not Offer.objects.filter(conversation=conversation).exists()
    assert conversation.held_until == berlin(2026, 3, 9, 9, 0)
    # Supervisors still see it (with when it will ring); the members do not.
    listed = api(carol).get("/api/v1/conversations/").json()["results"]
    assert [(c["id"], c["held_until"]) for c in listed] == [
        (conversation.pk, "2026-03-09T08:00:00Z")
    ]
    assert api(alice).get(f"/api/v1/conversations/{conversation.pk}/").status_code == 404

    # An agent coming back while closed is not offered it either.
    agent_set_status(agent=alice, status=Presence.AWAY)
    agent_set_status(agent=alice, status=Presence.AVAILABLE)
    assert not Offer.objects.filter(conversation=conversation).exists()
    assert assignment.release_held() == 0  # still closed

    clock.set(berlin(2026, 3, 9, 9, 0, 20))  # the sweep after the opening
    assert assignment.release_held() == 1
    conversation.refresh_from_db()
    assert conversation.held_until is None
    offered = set(
        Offer.objects.filter(conversation=conversation, outcome="pending").values_list(
            "agent_id", flat=True
        )
    )
    assert offered == {alice.pk, bob.pk}
    assert api(alice).get(f"/api/v1/conversations/{conversation.pk}/").status_code == 200
    assert assignment.release_held() == 0  # released once


def test_a_held_chat_taken_before_the_opening_just_loses_its_mark(
    clock, closed_queue, customer_writes, carol, api
):
    clock.set(berlin(2026, 3, 6, 18, 0))
    conversation = customer_writes("Hi").conversation
    api(carol).post(f"/api/v1/conversations/{conversation.pk}/take/")
    clock.set(berlin(2026, 3, 9, 9, 1))
    assert assignment.release_held() == 0
    assert Conversation.objects.get(pk=conversation.pk).held_until is None
    assert not Offer.objects.filter(conversation=conversation).exists()
