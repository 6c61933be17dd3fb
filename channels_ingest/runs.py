"""How many delivery runs are queued for a sender: one for what is due now, and one per
moment something of theirs comes due, not one per reply.

Why: a run takes every due reply of its sender (up to a batch), so a run queued for
each reply of a backlog found nothing left to send for most of them, and Celery's
queue is one line for every sender. A low-volume sender's reply (an SMS long code at
one segment a second) queued behind a WhatsApp backlog's thousands of empty runs went
out seconds after its slot (docs/performance.md).

Both marks live in Redis and only ever suppress a duplicate. A queued run clears its
sender's mark before it claims, so a reply committed before a skipped enqueue is
claimed by that run; a mark whose run was lost expires, and the outbox sweep queues
what is overdue.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable

from django.conf import settings

from channels_ingest.throughput import redis_client

# A run queued now for a sender is assumed alive this long; after that another may be
# queued beside it (harmless: the second finds what the first left).
QUEUED_MARK_SECONDS = 30

# Replies whose slots fall in one such window are taken by one run at its end. Short
# against a slot of the slowest sender (one second), long against the fastest's
# (WhatsApp's 80 a second), so a run finds a batch waiting.
MOMENT_SECONDS = 0.25


def _queued_key(sender_id: int) -> str:
    return f"chatdesk:outbox:queued:{sender_id}"


def queue_now(sender_id: int) -> bool:
    """Mark that a run for `sender_id` is queued; False if one already is (skip queuing)."""
    client = redis_client(settings.REDIS_URL)
    return bool(client.set(_queued_key(sender_id), 1, nx=True, ex=QUEUED_MARK_SECONDS))


def forget_queued(sender_id: int) -> None:
    """The queued run has started (or could not be queued): the next reply queues a new one."""
    redis_client(settings.REDIS_URL).delete(_queued_key(sender_id))


def one_per_moment(sender_id: int, later: Iterable[tuple[int, float]]) -> list[tuple[int, float]]:
    """Of (reply id, seconds until due), the runs to queue: one per MOMENT_SECONDS window
    not already covered by another worker's run, each at its window's end, in one round trip."""
    now = time.time()
    windows: dict[int, int] = {}
    for reply_id, seconds in later:
        window = math.ceil((now + seconds) / MOMENT_SECONDS)
        windows.setdefault(window, reply_id)
    if not windows:
        return []
    pipe = redis_client(settings.REDIS_URL).pipeline(transaction=False)
    for window in windows:
        expires_ms = math.ceil((window * MOMENT_SECONDS - now + 60) * 1000)
        pipe.set(f"chatdesk:outbox:at:{sender_id}:{window}", 1, nx=True, px=expires_ms)
    fresh = pipe.execute()
    return [
        (reply_id, max(0.0, window * MOMENT_SECONDS - now))
        for (window, reply_id), is_new in zip(windows.items(), fresh, strict=True)
        if is_new
    ]
