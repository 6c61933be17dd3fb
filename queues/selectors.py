"""Reads of queues, members and offers that routing decides on.

queues sits below inbox (docs/architecture.md: Apps and layers) and never imports it:
what only inbox knows, such as how many chats an agent has open, is passed in.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from datetime import datetime

from chatdesk.accounts.models import Presence
from queues.models import Offer, Queue, QueueMember, RoutingStart
from queues.strategies import Candidate

OpenChatCounter = Callable[[Collection[int]], Mapping[int, int]]


def chat_limit(*, agent_max_chats: int | None, queue: Queue | None) -> float:
    """How many open chats an agent may hold: the lower of their own and the queue's limit.

    An empty (or zero) personal limit means only the queue's limit applies; with
    neither, there is no limit.
    """
    personal = agent_max_chats or math.inf
    return min(personal, queue.max_chats_per_agent if queue else math.inf)


def queue_candidates(*, queue: Queue, open_chats_of: OpenChatCounter) -> list[Candidate]:
    """Every member of `queue` as the strategies see them: priority, presence, load."""
    memberships = list(
        QueueMember.objects.filter(queue=queue).select_related("agent").order_by("priority", "id")
    )
    load = open_chats_of([m.agent_id for m in memberships])
    return [
        Candidate(
            agent_id=m.agent_id,
            priority=m.priority,
            available=m.agent.is_active and m.agent.status == Presence.AVAILABLE,
            open_chats=load.get(m.agent_id, 0),
            # A finite int for the strategies: the queue's limit is always set.
            capacity=int(chat_limit(agent_max_chats=m.agent.max_chats, queue=queue)),
            last_assigned_at=m.last_assigned_at,
        )
        for m in memberships
    ]


def agent_queues(*, agent_id: int) -> list[Queue]:
    return list(Queue.objects.filter(memberships__agent_id=agent_id).order_by("pk"))


def pending_offers(*, conversation_id: int) -> list[Offer]:
    return list(
        Offer.objects.filter(conversation_id=conversation_id, outcome=Offer.Outcome.PENDING)
    )


def tried_agent_ids(*, conversation_id: int) -> frozenset[int]:
    """The agents offered this chat since its current routing began (any outcome)."""
    start = RoutingStart.objects.filter(conversation_id=conversation_id).first()
    offers = Offer.objects.filter(conversation_id=conversation_id)
    if start is not None:
        offers = offers.filter(round__gte=start.round)
    return frozenset(offers.values_list("agent_id", flat=True))


def overdue_rounds(*, now: datetime) -> list[tuple[int, int]]:
    """(conversation id, round) of every round with a pending offer past its deadline."""
    rows = (
        Offer.objects.filter(outcome=Offer.Outcome.PENDING, deadline__lt=now)
        .values_list("conversation_id", "round")
        .distinct()
        .order_by("conversation_id", "round")
    )
    return list(rows)
