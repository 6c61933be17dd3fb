"""Rocket.Chat #18217: the per-agent chat limit holds, even for claims at the same instant."""

from __future__ import annotations

import pytest
from django.db import transaction

from chatdesk.accounts.models import User
from chatdesk.inbox import assignment
from chatdesk.inbox.models import Conversation, Status
from queues.models import Queue
from tests.concurrency import at_once
from tests.factories import ConversationFactory, QueueFactory, UserFactory
from tests.queues.support import open_chats

RACERS = 4


@pytest.mark.django_db
def test_the_lower_of_the_personal_and_the_queue_limit_applies(alice):
    queue = QueueFactory(max_chats_per_agent=3)
    open_chats(alice, 2)
    assert assignment.has_capacity(agent=alice, queue=queue)
    alice.max_chats = 2
    alice.save()
    assert not assignment.has_capacity(agent=alice, queue=queue)
    alice.max_chats = None
    alice.save()
    open_chats(alice, 1)
    assert not assignment.has_capacity(agent=alice, queue=queue)


@pytest.mark.django_db
def test_without_a_queue_only_the_personal_limit_counts(alice):
    open_chats(alice, 40)
    assert assignment.has_capacity(agent=alice, queue=None)
    alice.max_chats = 40
    alice.save()
    assert not assignment.has_capacity(agent=alice, queue=None)


@pytest.mark.django_db
def test_only_open_customer_chats_count(alice):
    queue = QueueFactory(max_chats_per_agent=1)
    open_chats(alice, 1, archived=True)
    open_chats(alice, 1, channel="internal")
    ConversationFactory(owner=alice, status=Status.DEALT_WITH)
    assert assignment.has_capacity(agent=alice, queue=queue)


def _claim_if_room(agent_id: int, conversation_id: int, queue_id: int) -> bool:
    """One claim as conversation_take does it: capacity checked inside the claim's transaction."""
    agent = User.objects.get(pk=agent_id)
    queue = Queue.objects.get(pk=queue_id)
    with transaction.atomic():
        if not assignment.has_capacity(agent=agent, queue=queue):
            return False
        Conversation.objects.filter(pk=conversation_id, owner__isnull=True).update(
            owner=agent, status=Status.TAKEN
        )
        return True


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_claims_at_once_with_one_slot_left_let_exactly_one_through(attempt):
    agent = UserFactory(username="busy")
    queue = QueueFactory(max_chats_per_agent=2)
    open_chats(agent, 1)
    targets = [ConversationFactory(queue=queue) for _ in range(RACERS)]
    results = at_once(lambda i: _claim_if_room(agent.pk, targets[i].pk, queue.pk), len(targets))
    assert results.count(True) == 1
    assert Conversation.objects.filter(owner=agent, status=Status.TAKEN).count() == 2
