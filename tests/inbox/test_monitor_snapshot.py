"""The live monitor's picture: what it shows, and a number of queries that does not grow
with the desk."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chatdesk.accounts.models import Presence, Role
from chatdesk.inbox import assignment
from chatdesk.inbox.models import Conversation, Status
from chatdesk.inbox.monitor import monitor_snapshot
from tests.factories import ConversationFactory, QueueFactory, QueueMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

QUERIES = 6


def _desk(agents: int, chats: int, queues: int) -> None:
    team = [UserFactory(status=Presence.AVAILABLE) for _ in range(agents)]
    for n in range(queues):
        queue = QueueFactory(max_chats_per_agent=3)
        for agent in team:
            QueueMemberFactory(queue=queue, agent=agent, priority=n + 1)
        for _ in range(chats):
            assignment.route(conversation=ConversationFactory(queue=queue))
        ConversationFactory(queue=queue, owner=team[0], status=Status.TAKEN)


@pytest.mark.parametrize(("agents", "chats", "queues"), [(1, 1, 1), (6, 5, 3)])
def test_the_snapshot_costs_the_same_queries_whatever_the_desk(
    agents, chats, queues, django_assert_num_queries
):
    _desk(agents, chats, queues)
    with django_assert_num_queries(QUERIES):
        picture = monitor_snapshot()
    assert len(picture["waiting"]) == chats * queues
    assert len(picture["queues"]) == queues


def test_what_the_monitor_shows(alice, bob, carol, queue_a):
    queue_a.max_chats_per_agent = 4
    queue_a.save()
    alice.max_chats = 2
    alice.save()
    bob.status = Presence.AWAY
    bob.save()
    other = QueueFactory(name="Queue B")
    ConversationFactory(queue=queue_a, owner=alice, status=Status.TAKEN)
    early = ConversationFactory(queue=queue_a)
    assignment.route(conversation=early)
    late = ConversationFactory(queue=queue_a)
    Conversation.objects.filter(pk=early.pk).update(
        customer_waiting_since=timezone.now() - timedelta(seconds=90)
    )
    Conversation.objects.filter(pk=late.pk).update(
        customer_waiting_since=timezone.now() - timedelta(seconds=10)
    )
    ConversationFactory(queue=queue_a, archived=True)  # filed away: nobody waits
    direct = ConversationFactory(direct_agent=bob)
    Conversation.objects.filter(pk=direct.pk).update(
        customer_waiting_since=timezone.now() - timedelta(seconds=5)
    )
    UserFactory(username="boss", role=Role.MANAGER)  # no extension: takes no chats

    picture = monitor_snapshot()
    rows = {row["id"]: row for row in picture["agents"]}
    assert set(rows) == {alice.pk, bob.pk}
    assert rows[alice.pk] | {"name": None} == {
        "id": alice.pk,
        "name": None,
        "status": "available",
        "open_chats": 1,
        "capacity": 2,  # her own limit is the lower one
    }
    assert (rows[bob.pk]["status"], rows[bob.pk]["capacity"]) == ("away", 4)
    assert [row["conversation"] for row in picture["waiting"]] == [early.pk, late.pk, direct.pk]
    assert picture["waiting"][0]["offered_to"] == [alice.pk]  # bob is away
    assert picture["waiting"][1]["offered_to"] == []
    assert (picture["waiting"][2]["queue"], picture["waiting"][2]["offered_to"]) == (None, [bob.pk])
    assert 89 <= picture["waiting"][0]["waited_seconds"] <= 95
    queues = {row["id"]: row for row in picture["queues"]}
    assert queues[queue_a.pk]["waiting"] == 2
    assert 89 <= queues[queue_a.pk]["longest_wait_seconds"] <= 95
    assert queues[other.pk] == {
        "id": other.pk,
        "name": "Queue B",
        "waiting": 0,
        "longest_wait_seconds": 0,
    }
