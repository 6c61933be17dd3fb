"""State changes of offers and memberships. Orchestration lives in chatdesk.inbox.assignment.

These functions touch queues' own models only; they are called inside the
caller's transaction (the one that routes, takes or escalates the chat).
`savepoint=False`: nobody recovers from a failure half-way through one of them,
so a savepoint per call would only add two round trips to every routed chat.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from queues.models import Offer, Queue, QueueMember, RoutingStart


@transaction.atomic(savepoint=False)
def routing_start(*, conversation_id: int, round: int, first: bool = False) -> None:
    """Remember that the chat's routing begins anew at `round` (see RoutingStart).

    `first`: the chat was opened in this very transaction, so it has no row yet;
    a plain INSERT spares update_or_create's SELECT and savepoints.
    """
    if first:
        RoutingStart.objects.create(conversation_id=conversation_id, round=round)
        return
    RoutingStart.objects.update_or_create(
        conversation_id=conversation_id, defaults={"round": round}
    )


@transaction.atomic(savepoint=False)
def offer_record(
    *,
    conversation_id: int,
    queue: Queue,
    agent_ids: Iterable[int],
    round: int,
    deadline: datetime | None,
) -> list[Offer]:
    """Pending offers of one chat to `agent_ids` in `round`.

    `deadline` is None for rounds that never escalate (ring_all, the whole-queue
    fallback): the overdue sweep then has nothing to find.
    """
    return Offer.objects.bulk_create(
        [
            Offer(
                conversation_id=conversation_id,
                queue=queue,
                agent_id=agent_id,
                round=round,
                deadline=deadline,
            )
            for agent_id in dict.fromkeys(agent_ids)
        ]
    )


@transaction.atomic(savepoint=False)
def offers_close(*, conversation_id: int, winner_id: int | None) -> set[int]:
    """Close every pending offer of a chat: the winner's taken, the others lost.

    With no winner (dealt with, ended, re-routed) they are withdrawn. Returns the
    agents whose offer closed: they no longer see the chat through it.
    """
    pending = Offer.objects.filter(conversation_id=conversation_id, outcome=Offer.Outcome.PENDING)
    closed = set(pending.values_list("agent_id", flat=True))
    if winner_id is None:
        pending.update(outcome=Offer.Outcome.WITHDRAWN)
        return closed
    pending.filter(agent_id=winner_id).update(outcome=Offer.Outcome.TAKEN)
    pending.exclude(agent_id=winner_id).update(outcome=Offer.Outcome.LOST)
    return closed


@transaction.atomic
def offers_time_out(*, conversation_id: int, round: int, now: datetime) -> set[int]:
    """Mark the round's pending offers past their deadline timed out; returns their agents.

    An offer is never cut short: one whose deadline has not passed (a task that
    fired early on a skewed clock) is left ringing for the overdue sweep.
    """
    due = Offer.objects.filter(
        conversation_id=conversation_id,
        round=round,
        outcome=Offer.Outcome.PENDING,
        deadline__lte=now,
    )
    agent_ids = set(due.values_list("agent_id", flat=True))
    due.update(outcome=Offer.Outcome.TIMED_OUT)
    return agent_ids


@transaction.atomic
def member_mark_assigned(*, queue_id: int, agent_id: int, at: datetime | None = None) -> None:
    """Round robin: this member was just given a chat of this queue."""
    QueueMember.objects.filter(queue_id=queue_id, agent_id=agent_id).update(
        last_assigned_at=at or timezone.now()
    )
