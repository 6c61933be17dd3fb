"""The waiting line as the visitor sees it: positions across channels and the estimate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chatdesk.inbox.models import Channel, Conversation, Status
from chatdesk.inbox.waiting import livechat_places, seconds_per_place
from tests.factories import ConversationFactory, QueueFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def taken(queue, *, created: datetime, waited: float) -> Conversation:
    chat = ConversationFactory(queue=queue, channel=Channel.WHATSAPP, status=Status.TAKEN)
    Conversation.objects.filter(pk=chat.pk).update(
        created_at=created, taken_at=created + timedelta(seconds=waited)
    )
    return chat


def waiting(queue, channel: str, *, arrived: datetime) -> Conversation:
    chat = ConversationFactory(queue=queue, channel=channel, status=Status.UNASSIGNED)
    Conversation.objects.filter(pk=chat.pk).update(created_at=arrived)
    return chat


def test_a_quiet_queue_costs_its_median_wait_per_place():
    """Takes 30 minutes apart, each answered within about 20 s: a place lasts ~20 s."""
    queue = QueueFactory()
    for minutes, waited in ((90, 18), (60, 20), (30, 25)):
        taken(queue, created=NOW - timedelta(minutes=minutes), waited=waited)
    assert seconds_per_place(queue_id=queue.pk, at=NOW) == 20


def test_a_busy_queue_costs_the_interval_between_takes_per_place():
    """A take every 40 s, but each chat stood 200 s in line: a place lasts ~40 s."""
    queue = QueueFactory()
    for n in range(6):
        taken(queue, created=NOW - timedelta(seconds=600 - 40 * n), waited=200)
    assert seconds_per_place(queue_id=queue.pk, at=NOW) == 40


def test_no_recent_takes_no_estimate():
    queue = QueueFactory()
    taken(queue, created=NOW - timedelta(hours=5), waited=30)  # outside the window
    assert seconds_per_place(queue_id=queue.pk, at=NOW) is None


def test_places_count_every_channel_in_arrival_order_and_estimate_by_place():
    queue = QueueFactory()
    for minutes in (50, 30, 10):
        taken(queue, created=NOW - timedelta(minutes=minutes), waited=30)
    first = waiting(queue, Channel.LIVECHAT, arrived=NOW - timedelta(minutes=5))
    waiting(queue, Channel.SMS, arrived=NOW - timedelta(minutes=4))
    third = waiting(queue, Channel.LIVECHAT, arrived=NOW - timedelta(minutes=3))
    other_queue = waiting(QueueFactory(), Channel.LIVECHAT, arrived=NOW - timedelta(minutes=9))
    places = livechat_places(at=NOW)
    assert {cid: (p.position, p.estimated_wait_seconds) for cid, p in places.items()} == {
        first.pk: (1, 30),
        third.pk: (3, 90),
        other_queue.pk: (1, None),
    }
