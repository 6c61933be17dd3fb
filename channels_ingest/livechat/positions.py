"""`queue.position` to waiting visitors: their place in line and the estimated wait.

inbox calls `waiting_changed` after every commit that opened, took, closed, moved or
deleted a chat (its `ports.waiting_changed` port). Each waiting visitor is sent
their place only when it differs from the last one sent (kept in the shared cache),
and a visitor whose chat left the line (taken, ended) gets `{"position": null,
"estimated_wait_seconds": null}` once.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

from channels_ingest.livechat import push, selectors
from channels_ingest.livechat.models import VisitorSession
from chatdesk.inbox.models import Conversation
from chatdesk.inbox.waiting import livechat_places

logger = logging.getLogger(__name__)

EVENT = "queue.position"
LEFT_THE_LINE = {"position": None, "estimated_wait_seconds": None}
# Longer than any chat waits; the key only spares repeating an unchanged place.
SENT_TTL_SECONDS = 24 * 3600


def _sent_key(conversation_id: int, created_at: datetime) -> str:
    # With the chat's creation time: ids repeat across test databases and restores,
    # and the shared cache outlives both.
    return f"livechat:position:{conversation_id}:{created_at.timestamp()}"


def waiting_changed(conversation_ids: set[int]) -> None:
    """The port's implementation. Never raises: the change is committed either way."""
    try:
        push_places(changed=conversation_ids)
    except Exception:
        logger.exception("Could not tell waiting visitors their place in line")


def push_places(*, changed: Collection[int] = ()) -> int:
    """Send every waiting visitor whose place changed their new place, and those
    whose chat in `changed` left the line that it did; returns how many chats'
    visitors were sent something."""
    places = livechat_places(at=timezone.now())
    if not places and not changed:
        return 0  # no visitor waits (a desk without live chat pays one query)
    keys = {cid: _sent_key(cid, place.created_at) for cid, place in places.items()}
    gone = set(changed) - set(places)
    if gone:
        for cid, created_at in Conversation.objects.filter(pk__in=gone).values_list(
            "pk", "created_at"
        ):
            keys[cid] = _sent_key(cid, created_at)
    sent = cache.get_many(list(keys.values()))
    updates: dict[int, dict] = {
        cid: place.payload()
        for cid, place in places.items()
        if sent.get(keys[cid]) != place.payload()
    }
    left = [cid for cid in gone if cid in keys and keys[cid] in sent]
    for conversation_id in left:
        updates[conversation_id] = LEFT_THE_LINE
    if not updates:
        return 0
    _send(updates)
    cache.set_many(
        {keys[cid]: payload for cid, payload in updates.items() if cid in places},
        timeout=SENT_TTL_SECONDS,
    )
    cache.delete_many([keys[cid] for cid in left])
    return len(updates)


def _send(updates: dict[int, dict]) -> None:
    conversations = Conversation.objects.select_related("identity").filter(pk__in=updates)
    for conversation in conversations:
        session_ids = list(
            selectors.conversation_sessions(conversation).values_list("pk", flat=True)
        )
        push.send_event(session_ids, EVENT, updates[conversation.pk])


def current_place(session: VisitorSession) -> dict | None:
    """The place of this session's waiting chat, for a socket that just connected;
    None when the visitor has no chat waiting in a queue."""
    conversation_id = selectors.open_conversation_id(session)
    if conversation_id is None:
        return None
    place = livechat_places(at=timezone.now(), only=[conversation_id]).get(conversation_id)
    if place is None:
        return None
    payload = place.payload()
    cache.set(_sent_key(conversation_id, place.created_at), payload, timeout=SENT_TTL_SECONDS)
    return payload
