"""Reads of the waiting line: a waiting chat's place in its queue and its estimated wait.

A chat's position is 1 + the unassigned chats of its queue that arrived before it, of
any channel, offered or not (docs/api.md: `queue.position`). The estimate is
position x seconds-per-place, where seconds-per-place comes from the queue's recent
takes (the last RECENT_TAKES chats taken within RECENT_WINDOW):

- the median wait of those chats (arrival to taken), which is what one place costs
  in a quiet queue, where chats are answered as they come;
- the mean interval between those takes, which is what one place costs in a busy
  queue, where the line moves one place per take;

and the smaller of the two is used, since the median wait of a busy queue counts the
whole line a chat stood in, and the take interval of a quiet queue counts the time
nobody wrote. No recent takes, or the queue closed: no estimate (None).
"""

from __future__ import annotations

import statistics
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from chatdesk.inbox.models import Channel, Conversation, Status
from queues import hours
from queues.models import Queue

RECENT_TAKES = 20
RECENT_WINDOW = timedelta(hours=2)

WAITING = Q(
    status=Status.UNASSIGNED,
    owner__isnull=True,
    archived=False,
    direct_agent__isnull=True,
    queue__isnull=False,
) & ~Q(channel=Channel.INTERNAL)


@dataclass(frozen=True)
class Place:
    conversation_id: int
    created_at: datetime
    queue_id: int
    position: int
    estimated_wait_seconds: int | None

    def payload(self) -> dict:
        return {
            "position": self.position,
            "estimated_wait_seconds": self.estimated_wait_seconds,
        }


def seconds_per_place(*, queue_id: int, at: datetime) -> float | None:
    """How long one place in the line lasts now, from the queue's recent takes."""
    takes = list(
        Conversation.objects.filter(
            queue_id=queue_id, taken_at__isnull=False, taken_at__gte=at - RECENT_WINDOW
        )
        .order_by("-taken_at")
        .values_list("created_at", "taken_at")[:RECENT_TAKES]
    )
    if not takes:
        return None
    median_wait = statistics.median(
        max(0.0, (taken - created).total_seconds()) for created, taken in takes
    )
    if len(takes) < 2:
        return median_wait
    interval = (takes[0][1] - takes[-1][1]).total_seconds() / (len(takes) - 1)
    return min(median_wait, interval)


def livechat_places(*, at: datetime, only: Collection[int] | None = None) -> dict[int, Place]:
    """The place of every waiting live chat (or of those in `only`), by conversation id.

    Only queues with a live chat waiting are read; each queue's line is read once.
    """
    live = Conversation.objects.filter(WAITING, channel=Channel.LIVECHAT)
    if only is not None:
        live = live.filter(pk__in=only)
    queue_ids = set(live.values_list("queue_id", flat=True))
    places: dict[int, Place] = {}
    for queue in Queue.objects.filter(pk__in=queue_ids):
        line = list(
            Conversation.objects.filter(WAITING, queue=queue)
            .order_by("created_at", "pk")
            .values_list("pk", "channel", "created_at")
        )
        per_place = (
            seconds_per_place(queue_id=queue.pk, at=at) if hours.is_open(queue, at) else None
        )
        for index, (conversation_id, channel, created_at) in enumerate(line):
            if channel != Channel.LIVECHAT or (only is not None and conversation_id not in only):
                continue
            position = index + 1
            places[conversation_id] = Place(
                conversation_id=conversation_id,
                created_at=created_at,
                queue_id=queue.pk,
                position=position,
                estimated_wait_seconds=None if per_place is None else round(position * per_place),
            )
    return places
