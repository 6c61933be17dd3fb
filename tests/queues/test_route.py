"""route(): who is offered a new chat, per strategy, honouring presence and capacity."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from chatdesk.accounts.models import Presence
from chatdesk.inbox import assignment
from chatdesk.inbox.models import Status
from queues import strategies
from queues.models import Offer, QueueMember
from tests.factories import ConversationFactory, UserFactory
from tests.queues.support import arrive, open_chats, received, ringing

pytestmark = pytest.mark.django_db


def test_ring_all_offers_every_available_member_with_no_timer(team, scheduled):
    queue, agents = team("ring_all", 3)
    conversation = arrive(queue)
    assert ringing(conversation) == {a.pk for a in agents}
    conversation.refresh_from_db()
    assert conversation.routing_round == 1
    assert set(Offer.objects.values_list("deadline", flat=True)) == {None}
    assert scheduled == []
    assert all(received(a, "conversation.offered", conversation) == 1 for a in agents)


def test_hunt_prioritized_offers_the_first_by_priority_with_a_deadline(
    team, scheduled, django_capture_on_commit_callbacks
):
    queue, (first, second, _) = team("hunt_prioritized", 3, ring_timeout_seconds=20)
    with django_capture_on_commit_callbacks(execute=True):
        before = timezone.now()
        conversation = arrive(queue)
    assert ringing(conversation) == {first.pk}
    offer = Offer.objects.get(conversation=conversation)
    assert offer.round == 1 and offer.queue == queue
    assert (
        before + timedelta(seconds=20) <= offer.deadline <= timezone.now() + timedelta(seconds=20)
    )
    assert scheduled == [((conversation.pk, 1), 20)]
    assert received(first, "conversation.offered") == 1
    assert received(second, "conversation.offered") == 0


def test_hunt_by_threes_prioritized_offers_the_top_three(team):
    queue, agents = team("hunt_by_threes_prioritized", 5)
    assert ringing(arrive(queue)) == {a.pk for a in agents[:3]}


@pytest.mark.parametrize("strategy", ["hunt_random", "hunt_by_threes_random"])
def test_random_hunts_follow_the_seeded_generator(team, monkeypatch, strategy):
    queue, agents = team(strategy, 5)
    monkeypatch.setattr(assignment, "rng", random.Random(3))
    conversation = arrive(queue)
    candidates = [
        strategies.Candidate(a.pk, i, True, 0, 5, None) for i, a in enumerate(agents, start=1)
    ]
    expected = strategies.pick(strategy, candidates, tried=frozenset(), rng=random.Random(3))
    assert ringing(conversation) == set(expected.agent_ids)


def test_round_robin_offers_whoever_was_given_a_chat_least_recently(team):
    queue, (first, second, third) = team("round_robin", 3)
    now = timezone.now()
    QueueMember.objects.filter(agent=first).update(last_assigned_at=now)
    QueueMember.objects.filter(agent=second).update(last_assigned_at=now - timedelta(hours=1))
    QueueMember.objects.filter(agent=third).update(last_assigned_at=now - timedelta(hours=2))
    assert ringing(arrive(queue)) == {third.pk}


def test_round_robin_moves_on_after_each_take(team):
    queue, agents = team("round_robin", 3)
    winners = []
    for _ in range(4):
        conversation = arrive(queue)
        (winner,) = ringing(conversation)
        assignment.close_offers(conversation=conversation, winner_id=winner)
        # Dealt with at once, so capacity plays no part.
        winners.append(winner)
    ids = [a.pk for a in agents]
    assert winners == [ids[0], ids[1], ids[2], ids[0]]


def test_least_busy_offers_the_agent_with_fewest_open_chats(team):
    queue, (first, second, third) = team("least_busy", 3)
    open_chats(first, 2)
    open_chats(second, 1)
    open_chats(third, 1)
    assert ringing(arrive(queue)) == {second.pk}  # tie with third, better priority


@pytest.mark.parametrize("strategy", ["ring_all", "hunt_prioritized", "least_busy"])
def test_away_and_offline_agents_are_never_offered(team, strategy):
    queue, (away, offline, available) = team(strategy, 3)
    for agent, status in ((away, Presence.AWAY), (offline, Presence.OFFLINE)):
        agent.status = status
        agent.save()
    assert ringing(arrive(queue)) == {available.pk}


def test_agents_at_their_limit_are_not_offered(team):
    queue, (full, personal_full, free) = team("ring_all", 3, max_chats_per_agent=2)
    open_chats(full, 2)
    personal_full.max_chats = 1
    personal_full.save()
    open_chats(personal_full, 1)
    # Chats that are internal, archived or closed do not count against the limit.
    open_chats(free, 1, archived=True)
    open_chats(free, 1, channel="internal")
    ConversationFactory(owner=free, status=Status.DEALT_WITH)
    assert ringing(arrive(queue)) == {free.pk}


def test_with_nobody_able_to_answer_the_chat_waits_unoffered(team, scheduled):
    queue, agents = team("hunt_prioritized", 2)
    for agent in agents:
        agent.status = Presence.OFFLINE
        agent.save()
    conversation = arrive(queue)
    assert ringing(conversation) == set()
    assert scheduled == []
    conversation.refresh_from_db()
    assert conversation.routing_round == 1


def test_a_chat_routed_to_an_extension_goes_to_that_agent_without_offers(queue_a, oscar):
    conversation = ConversationFactory(queue=None, direct_agent=oscar)
    assert assignment.route(conversation=conversation) == {oscar.pk}
    assert not Offer.objects.exists()


def test_a_chat_without_queue_or_agent_is_offered_to_nobody(db):
    assert assignment.route(conversation=ConversationFactory()) == set()


def test_routing_anew_starts_the_hunt_from_the_top_and_withdraws_leftovers(team):
    queue, (first, second, _) = team("hunt_prioritized", 3)
    conversation = arrive(queue)
    Offer.objects.update(outcome=Offer.Outcome.TIMED_OUT)
    Offer.objects.create(conversation=conversation, queue=queue, agent=second, round=2)
    conversation.routing_round = 2
    conversation.save()
    assert assignment.route(conversation=conversation) == {first.pk}
    assert ringing(conversation) == {first.pk}
    assert Offer.objects.get(agent=second).outcome == Offer.Outcome.WITHDRAWN
    assert received(second, "conversation.removed", conversation) == 1


def test_close_offers_marks_the_winner_and_the_losers(team):
    queue, (first, second, third) = team("ring_all", 3)
    conversation = arrive(queue)
    assert assignment.close_offers(conversation=conversation, winner_id=second.pk) == {
        first.pk,
        second.pk,
        third.pk,
    }
    outcomes = dict(Offer.objects.values_list("agent_id", "outcome"))
    assert outcomes == {first.pk: "lost", second.pk: "taken", third.pk: "lost"}
    assert QueueMember.objects.get(agent=second).last_assigned_at is not None
    assert QueueMember.objects.get(agent=first).last_assigned_at is None


def test_close_offers_without_a_winner_withdraws_them(team):
    queue, agents = team("ring_all", 2)
    conversation = arrive(queue)
    assert assignment.close_offers(conversation=conversation, winner_id=None) == {
        a.pk for a in agents
    }
    assert set(Offer.objects.values_list("outcome", flat=True)) == {"withdrawn"}
    assert assignment.close_offers(conversation=conversation, winner_id=None) == set()


def test_the_transfer_target_outside_the_offers_is_the_winner_too(team):
    queue, (first, _, _) = team("hunt_prioritized", 3)
    outsider = UserFactory()
    conversation = arrive(queue)
    assert assignment.close_offers(conversation=conversation, winner_id=outsider.pk) == {first.pk}
    assert Offer.objects.get().outcome == Offer.Outcome.LOST
