"""Chatwoot #10376: waiting chats are offered the moment an agent can take them."""

from __future__ import annotations

import pytest

from chatdesk.accounts.models import Presence
from chatdesk.inbox import assignment
from chatdesk.inbox.models import Conversation, Status
from queues.models import Offer
from tests.factories import ConversationFactory, QueueFactory, QueueMemberFactory
from tests.queues.support import arrive, open_chats, received, ring_out, ringing

pytestmark = pytest.mark.django_db


def set_status(agent, status) -> None:
    agent.status = status
    agent.save()


def waiting_chats(queue, count: int) -> list[Conversation]:
    return [arrive(queue, identity__address=f"1415555{n:04d}") for n in range(count)]


def test_an_agent_turning_available_is_offered_the_chats_that_waited(team):
    queue, (alice,) = team("ring_all", 1)
    set_status(alice, Presence.OFFLINE)
    first, second = waiting_chats(queue, 2)
    assert ringing(first) == ringing(second) == set()
    set_status(alice, Presence.AVAILABLE)
    assert assignment.drain(agent=alice) == 2
    assert ringing(first) == ringing(second) == {alice.pk}
    assert received(alice, "conversation.offered") == 2
    assert assignment.drain(agent=alice) == 0  # already ringing for her: nothing new


def test_drain_offers_the_oldest_first_and_no_more_than_the_free_slots(team):
    queue, (alice,) = team("ring_all", 1, max_chats_per_agent=3)
    set_status(alice, Presence.OFFLINE)
    chats = waiting_chats(queue, 4)
    open_chats(alice, 1)
    set_status(alice, Presence.AVAILABLE)
    assert assignment.drain(agent=alice) == 2
    assert [bool(ringing(chat)) for chat in chats] == [True, True, False, False]


def test_freeing_a_slot_drains_the_next_waiting_chat(team):
    queue, (alice,) = team("ring_all", 1, max_chats_per_agent=1)
    open_chats(alice, 1)
    waiting = waiting_chats(queue, 1)[0]
    assert ringing(waiting) == set()
    Conversation.objects.filter(owner=alice).update(status=Status.DEALT_WITH, archived=True)
    assert assignment.drain(agent=alice) == 1
    assert ringing(waiting) == {alice.pk}


def test_under_ring_all_a_returning_agent_joins_chats_ringing_for_others(team):
    queue, (alice, bob) = team("ring_all", 2)
    set_status(alice, Presence.OFFLINE)
    conversation = arrive(queue)
    assert ringing(conversation) == {bob.pk}
    set_status(alice, Presence.AVAILABLE)
    assert assignment.drain(agent=alice) == 1
    assert ringing(conversation) == {alice.pk, bob.pk}
    assert set(Offer.objects.values_list("round", "deadline")) == {(1, None)}


def test_a_hunt_ringing_someone_else_is_left_to_its_timer(team):
    queue, (alice, bob) = team("hunt_prioritized", 2)
    set_status(alice, Presence.OFFLINE)
    conversation = arrive(queue)
    assert ringing(conversation) == {bob.pk}
    set_status(alice, Presence.AVAILABLE)
    assert assignment.drain(agent=alice) == 0
    assert ringing(conversation) == {bob.pk}
    ring_out(conversation)
    assert ringing(conversation) == {alice.pk}  # her turn comes with the escalation


def test_a_hunt_that_ran_dry_starts_again_with_the_agent_who_came_back(team, scheduled):
    queue, (alice, bob) = team("hunt_prioritized", 2)
    set_status(alice, Presence.OFFLINE)
    conversation = arrive(queue)
    set_status(bob, Presence.OFFLINE)
    ring_out(conversation)  # bob timed out, nobody else: the chat waits
    assert ringing(conversation) == set()
    set_status(alice, Presence.AVAILABLE)
    assert assignment.drain(agent=alice) == 1
    offer = Offer.objects.get(conversation=conversation, outcome=Offer.Outcome.PENDING)
    assert (offer.agent, offer.round) == (alice, 3)
    assert offer.deadline is not None  # an ordinary hunting round, with its timer


def test_the_whole_queue_fallback_takes_in_an_agent_who_came_back(team):
    queue, (alice, bob) = team("hunt_prioritized", 2)
    set_status(alice, Presence.OFFLINE)
    conversation = arrive(queue)
    ring_out(conversation)  # only bob can answer: the whole queue is bob
    assert ringing(conversation) == {bob.pk}
    set_status(alice, Presence.AVAILABLE)
    assert assignment.drain(agent=alice) == 1
    assert ringing(conversation) == {alice.pk, bob.pk}


@pytest.mark.parametrize("status", [Presence.AWAY, Presence.OFFLINE])
def test_an_agent_who_is_not_available_is_offered_nothing(team, status):
    queue, (alice,) = team("ring_all", 1)
    set_status(alice, Presence.OFFLINE)
    waiting_chats(queue, 1)
    set_status(alice, status)
    assert assignment.drain(agent=alice) == 0


def test_drain_leaves_other_queues_taken_and_direct_chats_alone(team, oscar):
    queue, (alice,) = team("ring_all", 1)
    other_queue = QueueFactory()
    QueueMemberFactory(queue=other_queue, agent=oscar)
    set_status(alice, Presence.OFFLINE)
    set_status(oscar, Presence.OFFLINE)
    ConversationFactory(queue=other_queue)
    ConversationFactory(queue=queue, owner=oscar, status=Status.TAKEN)
    ConversationFactory(queue=queue, direct_agent=oscar)
    ConversationFactory(queue=queue, archived=True)
    set_status(alice, Presence.AVAILABLE)
    assert assignment.drain(agent=alice) == 0
    assert not Offer.objects.exists()


def test_drain_covers_every_queue_of_the_agent_oldest_first(team):
    first_queue, (alice,) = team("ring_all", 1, max_chats_per_agent=1)
    second_queue = QueueFactory(strategy="ring_all")
    QueueMemberFactory(queue=second_queue, agent=alice)
    set_status(alice, Presence.OFFLINE)
    older = arrive(second_queue, identity__address="14155550001")
    newer = arrive(first_queue, identity__address="14155550002")
    set_status(alice, Presence.AVAILABLE)
    assert assignment.drain(agent=alice) == 1
    assert ringing(older) == {alice.pk}
    assert ringing(newer) == set()
