"""The live monitor's picture of the desk: agents and their load, chats waiting, queues.

One function, `monitor_snapshot`, read by the realtime app at most once a second while
supervisors watch (chatdesk/realtime/monitor.py). Its number of queries does not grow
with the number of agents, chats or queues (tests/inbox/test_monitor_snapshot.py).
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime

from django.db.models import Max, Q
from django.utils import timezone

from chatdesk.accounts.models import User
from chatdesk.accounts.selectors import takes_chats
from chatdesk.inbox.assignment import open_chat_counts
from chatdesk.inbox.models import Channel, Conversation, Status
from queues.models import Offer, Queue, QueueMember

# Unowned, open customer chats nobody has taken yet (held ones included: they wait too).
_WAITING = Q(status=Status.UNASSIGNED, owner__isnull=True, archived=False) & ~Q(
    channel=Channel.INTERNAL
)


def _seconds(since: datetime | None, at: datetime) -> int:
    return max(0, int((at - since).total_seconds())) if since else 0


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def monitor_snapshot() -> dict:
    """`{agents, waiting, queues}` as the monitor shows them (docs/api.md, Live monitor).

    - agents: everyone who takes chats, with presence, open chats and capacity (the
      most they may hold in any of their queues; null when unlimited);
    - waiting: unowned open chats, oldest first, with how long the customer has waited
      and the agents it is ringing for (a chat routed to an extension: that agent);
    - queues: every queue with its waiting chats and the longest wait.
    """
    at = timezone.now()
    agents = list(
        User.objects.filter(takes_chats(), is_active=True)
        .order_by("first_name", "last_name", "username", "pk")
        .values("pk", "username", "first_name", "last_name", "status", "max_chats")
    )
    agent_ids = [agent["pk"] for agent in agents]
    load = open_chat_counts(agent_ids)
    queue_limits = dict(
        QueueMember.objects.filter(agent_id__in=agent_ids)
        .values("agent_id")
        .annotate(limit=Max("queue__max_chats_per_agent"))
        .order_by()
        .values_list("agent_id", "limit")
    )
    chats = list(
        Conversation.objects.filter(_WAITING)
        .order_by("created_at", "pk")
        .values(
            "pk",
            "queue_id",
            "channel",
            "customer_waiting_since",
            "created_at",
            "held_until",
            "direct_agent_id",
            "identity__display_name",
            "identity__contact__name",
        )
    )
    offers: dict[int, list[int]] = defaultdict(list)
    for conversation_id, agent_id in (
        Offer.objects.filter(
            conversation_id__in=[chat["pk"] for chat in chats], outcome=Offer.Outcome.PENDING
        )
        .order_by("agent_id")
        .values_list("conversation_id", "agent_id")
    ):
        offers[conversation_id].append(agent_id)
    waiting = []
    per_queue: dict[int, list[int]] = defaultdict(list)
    for chat in chats:
        since = chat["customer_waiting_since"] or chat["created_at"]
        waited = _seconds(since, at)
        waiting.append(
            {
                "conversation": chat["pk"],
                # The customer's name as the agents know it ("" when nobody gave one).
                "name": chat["identity__contact__name"] or chat["identity__display_name"] or "",
                "queue": chat["queue_id"],
                "channel": chat["channel"],
                "waited_seconds": waited,
                "waiting_since": _iso(since),
                # A chat routed to an agent's extension rings for that agent alone.
                "offered_to": (
                    [chat["direct_agent_id"]]
                    if chat["direct_agent_id"]
                    else offers.get(chat["pk"], [])
                ),
                "held_until": _iso(chat["held_until"]),
            }
        )
        if chat["queue_id"] is not None:
            per_queue[chat["queue_id"]].append(waited)
    queues = [
        {
            "id": pk,
            "name": name,
            "waiting": len(per_queue.get(pk, [])),
            "longest_wait_seconds": max(per_queue.get(pk, [0])),
        }
        for pk, name in Queue.objects.order_by("name", "pk").values_list("pk", "name")
    ]
    return {
        "at": _iso(at),
        "agents": [_agent_row(agent, load, queue_limits) for agent in agents],
        "waiting": waiting,
        "queues": queues,
    }


def _agent_row(agent: dict, load: dict[int, int], queue_limits: dict[int, int | None]) -> dict:
    # Routing holds an agent to the lower of their own limit and the queue's
    # (queues.selectors.chat_limit); across queues the most they could hold counts.
    personal = agent["max_chats"] or math.inf
    in_queues = queue_limits.get(agent["pk"])
    limit = min(personal, in_queues) if in_queues else personal
    name = f"{agent['first_name']} {agent['last_name']}".strip() or agent["username"]
    return {
        "id": agent["pk"],
        "name": name,
        "status": agent["status"],
        "open_chats": load.get(agent["pk"], 0),
        "capacity": None if limit == math.inf else int(limit),
    }
