"""Ring timeouts: the next agents are offered, late or repeated tasks change nothing."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from chatdesk.accounts.models import Presence
from chatdesk.celery import app
from chatdesk.inbox import assignment, tasks
from chatdesk.inbox.models import Conversation, Status
from queues.models import Offer
from tests.queues.support import arrive, received, ring_out, ringing

pytestmark = pytest.mark.django_db


def outcomes(conversation) -> list[tuple[int, int, str]]:
    return list(
        Offer.objects.filter(conversation=conversation)
        .order_by("round", "agent_id")
        .values_list("round", "agent_id", "outcome")
    )


def take(conversation, agent) -> None:
    """What conversation_take does to routing's state: owner set, offers closed."""
    Conversation.objects.filter(pk=conversation.pk).update(owner=agent, status=Status.TAKEN)
    assignment.close_offers(conversation=conversation, winner_id=agent.pk)


def test_a_hunt_moves_down_the_priorities_then_rings_the_whole_queue(
    team, scheduled, django_capture_on_commit_callbacks
):
    queue, (first, second, third) = team("hunt_prioritized", 3)
    with django_capture_on_commit_callbacks(execute=True):
        conversation = arrive(queue)
        assert ring_out(conversation)
    assert ringing(conversation) == {second.pk}
    assert received(first, "conversation.removed", conversation) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert ring_out(conversation)
    assert ringing(conversation) == {third.pk}
    with django_capture_on_commit_callbacks(execute=True):
        assert ring_out(conversation)
    # Everyone was tried: the whole queue sees it, with no timer any more.
    assert ringing(conversation) == {first.pk, second.pk, third.pk}
    assert set(Offer.objects.filter(round=4).values_list("deadline", flat=True)) == {None}
    assert [call[0] for call in scheduled] == [
        (conversation.pk, 1),
        (conversation.pk, 2),
        (conversation.pk, 3),
    ]
    assert received(third, "conversation.removed", conversation) == 0  # offered again at once
    assert received(third, "conversation.offered", conversation) == 2
    assert not ring_out(conversation)  # nothing left to escalate


def test_hunt_by_threes_offers_the_next_three(team):
    queue, agents = team("hunt_by_threes_prioritized", 7)
    conversation = arrive(queue)
    ring_out(conversation)
    assert ringing(conversation) == {a.pk for a in agents[3:6]}
    ring_out(conversation)
    assert ringing(conversation) == {agents[6].pk}
    ring_out(conversation)
    assert ringing(conversation) == {a.pk for a in agents}


@pytest.mark.parametrize("strategy", ["hunt_random", "round_robin", "least_busy"])
def test_every_timed_strategy_tries_each_member_once_before_the_whole_queue(
    team, monkeypatch, strategy
):
    monkeypatch.setattr(assignment, "rng", random.Random(11))
    queue, agents = team(strategy, 4)
    conversation = arrive(queue)
    order = [ringing(conversation)]
    for _ in range(3):
        ring_out(conversation)
        order.append(ringing(conversation))
    assert all(len(offered) == 1 for offered in order)
    assert set().union(*order) == {a.pk for a in agents}
    ring_out(conversation)
    assert ringing(conversation) == {a.pk for a in agents}


def test_the_same_round_escalating_twice_changes_nothing_the_second_time(team):
    queue, (first, second, _) = team("hunt_prioritized", 3)
    conversation = arrive(queue)
    Offer.objects.update(deadline=timezone.now() - timedelta(seconds=1))
    assert tasks.escalate_offer(conversation.pk, 1) is True
    after_first = outcomes(conversation)
    assert tasks.escalate_offer(conversation.pk, 1) is False
    assert (
        outcomes(conversation)
        == after_first
        == [
            (1, first.pk, "timed_out"),
            (2, second.pk, "pending"),
        ]
    )


def test_a_late_escalation_after_a_take_changes_nothing(team):
    queue, (first, second, _) = team("hunt_prioritized", 3)
    conversation = arrive(queue)
    take(conversation, first)
    assert ring_out(conversation) is False
    assert outcomes(conversation) == [(1, first.pk, "taken")]
    assert received(second, "conversation.offered") == 0


def test_a_closed_chat_does_not_escalate(team):
    queue, _ = team("hunt_prioritized", 2)
    conversation = arrive(queue)
    Conversation.objects.filter(pk=conversation.pk).update(status=Status.DEALT_WITH)
    assert ring_out(conversation) is False


def test_an_archived_waiting_chat_stops_ringing_at_its_deadline(team):
    queue, (first, second) = team("hunt_prioritized", 2)
    conversation = arrive(queue)
    Conversation.objects.filter(pk=conversation.pk).update(archived=True)
    assert ring_out(conversation) is True
    assert outcomes(conversation) == [(1, first.pk, "timed_out")]
    assert received(second, "conversation.offered") == 0
    assert tasks.escalate_overdue() == 0  # nothing left for the sweep to find again


def test_an_escalation_firing_before_the_deadline_leaves_the_offer_ringing(team):
    queue, (first, _) = team("hunt_prioritized", 2)
    conversation = arrive(queue)
    assert tasks.escalate_offer(conversation.pk, 1) is False
    assert outcomes(conversation) == [(1, first.pk, "pending")]


def test_escalation_skips_members_who_went_away_and_honours_capacity(team):
    queue, (first, second, third) = team("hunt_prioritized", 3, max_chats_per_agent=1)
    conversation = arrive(queue)
    second.status = Presence.AWAY
    second.save()
    take(arrive(queue, identity__address="14155550999"), third)  # third is now full
    ring_out(conversation)
    # Nobody else can answer: the one who was tried keeps ringing, as the whole queue.
    assert ringing(conversation) == {first.pk}


def test_when_nobody_is_left_the_chat_waits_and_the_tried_agent_loses_it(team):
    queue, (first, second) = team("hunt_prioritized", 2)
    conversation = arrive(queue)
    for agent in (first, second):
        agent.status = Presence.OFFLINE
        agent.save()
    assert ring_out(conversation)
    assert ringing(conversation) == set()
    assert received(first, "conversation.removed", conversation) == 1


def test_the_overdue_sweep_escalates_rounds_whose_task_was_lost(team):
    queue, (first, second, _) = team("hunt_prioritized", 3)
    overdue = arrive(queue)
    on_time = arrive(queue, identity__address="14155550998")
    untimed = arrive(team("ring_all", 2)[0], identity__address="14155550997")
    Offer.objects.filter(conversation=overdue).update(
        deadline=timezone.now() - timedelta(seconds=5)
    )
    assert tasks.escalate_overdue() == 1
    assert ringing(overdue) == {second.pk}
    assert ringing(on_time) == {first.pk}
    assert len(ringing(untimed)) == 2
    assert tasks.escalate_overdue() == 0  # the new round's deadline lies ahead


def test_a_chat_routed_anew_hunts_from_the_top_again(team):
    queue, (first, second, third) = team("hunt_prioritized", 3)
    conversation = arrive(queue)
    ring_out(conversation)
    take(conversation, second)
    # Dealt with, then the customer writes again: the chat is routed anew.
    Conversation.objects.filter(pk=conversation.pk).update(owner=None, status=Status.UNASSIGNED)
    conversation.refresh_from_db()
    assert assignment.route(conversation=conversation) == {first.pk}
    ring_out(conversation)
    assert ringing(conversation) == {second.pk}  # the earlier routing's offers do not count
    ring_out(conversation)
    assert ringing(conversation) == {third.pk}


def test_the_tasks_are_registered_and_the_sweep_runs_every_15_seconds():
    assert {"inbox.escalate_offer", "inbox.escalate_overdue"} <= set(app.tasks)
    sweep = settings.CELERY_BEAT_SCHEDULE["escalate-overdue-offers"]
    assert sweep == {"task": "inbox.escalate_overdue", "schedule": 15.0}


def test_one_failing_round_does_not_hold_up_the_sweep(team, monkeypatch):
    queue, (first, second, _) = team("hunt_prioritized", 3)
    broken, fine = arrive(queue), arrive(queue, identity__address="14155550996")
    Offer.objects.update(deadline=timezone.now() - timedelta(seconds=5))
    real_escalate = assignment.escalate

    def escalate(*, conversation_id, round):
        if conversation_id == broken.pk:
            raise RuntimeError("boom")
        return real_escalate(conversation_id=conversation_id, round=round)

    monkeypatch.setattr(assignment, "escalate", escalate)
    assert tasks.escalate_overdue() == 1
    assert ringing(fine) == {second.pk}
    assert ringing(broken) == {first.pk}  # left for the next sweep
