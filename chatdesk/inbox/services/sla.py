"""Service-level targets: when a chat's first response and its resolution are due.

A queue may set `first_response_target_seconds` and `resolution_target_seconds`.
Both clocks start at the customer's first message in the chat (or when an agent
reopens a closed chat: it starts again). A due time is what is still due: the first
agent reply stops (clears) the first-response clock, Dealt with or End stops both. A
clock stopped after its due time, or a due time that passes while it runs, marks the
chat `sla_breached`; the beat sweep (`sla_breach_sweep`) records the latter, and reads
(`sla_state`) never wait for it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from chatdesk.inbox import events
from chatdesk.inbox.models import Channel, Conversation, Message
from chatdesk.inbox.services.common import now
from queues.models import Queue

# A row in the agents' list turns "near" once less than this share of its target is left.
WARN_SHARE = 0.2
SWEEP_BATCH = 500
_FIELDS = ["first_response_due_at", "resolution_due_at", "sla_breached"]


def _targets(conversation: Conversation) -> tuple[int | None, int | None]:
    """The queue's two targets. The inbound path's follow-up query reads them with the
    chat (`queue_first_response_target`, `queue_resolution_target`): no query then."""
    if hasattr(conversation, "queue_first_response_target"):
        return conversation.queue_first_response_target, conversation.queue_resolution_target
    if conversation.queue_id is None:
        return None, None
    if "queue" in conversation._state.fields_cache:
        queue = conversation.queue
        return queue.first_response_target_seconds, queue.resolution_target_seconds
    row = (
        Queue.objects.filter(pk=conversation.queue_id)
        .values_list("first_response_target_seconds", "resolution_target_seconds")
        .first()
    )
    return row if row else (None, None)


def _start(conversation: Conversation, *, at: datetime) -> bool:
    first, resolution = _targets(conversation)
    if first is None and resolution is None:
        return False
    conversation.first_response_due_at = at + timedelta(seconds=first) if first else None
    conversation.resolution_due_at = at + timedelta(seconds=resolution) if resolution else None
    conversation.sla_breached = False
    conversation.save(update_fields=_FIELDS)
    return True


def sla_customer_message(conversation: Conversation, message: Message, *, opened: bool) -> None:
    """A customer's message was stored in `conversation` (row-locked): the clocks start
    if it is the chat's first. Publishes nothing: the caller's events carry the chat."""
    if conversation.channel == Channel.INTERNAL:
        return
    if conversation.first_response_due_at or conversation.resolution_due_at:
        return  # running already
    if not opened:
        first, resolution = _targets(conversation)
        if first is None and resolution is None:
            return
        earlier = (
            Message.objects.filter(conversation=conversation, direction=Message.Direction.IN)
            .exclude(pk=message.pk)
            .exists()
        )
        if earlier:
            return  # started before and stopped since: a first response is answered once
    _start(conversation, at=message.created_at)


def sla_reopened(conversation: Conversation) -> None:
    """A closed chat was brought back: both clocks start again from now, unbreached."""
    if not _start(conversation, at=now()) and conversation.sla_breached:
        conversation.sla_breached = False
        conversation.save(update_fields=["sla_breached"])


def _stop(conversation: Conversation, fields: list[str], *, at: datetime) -> None:
    changed = False
    for field in fields:
        due = getattr(conversation, field)
        if due is None:
            continue
        if at > due:
            conversation.sla_breached = True
        setattr(conversation, field, None)
        changed = True
    if changed:
        conversation.save(update_fields=_FIELDS)


def sla_agent_replied(conversation: Conversation) -> None:
    """An agent's reply (not an internal chat's line) stops the first-response clock."""
    if conversation.channel != Channel.INTERNAL:
        _stop(conversation, ["first_response_due_at"], at=now())


def sla_closed(conversation: Conversation) -> None:
    """Dealt with or End: nothing is due any more; late clocks count as breached."""
    _stop(conversation, ["first_response_due_at", "resolution_due_at"], at=now())


def sla_warn_at(conversation: Conversation) -> datetime | None:
    """When the chat's row should start warning: the earliest running clock's due time
    less WARN_SHARE of its target (the queue's current one)."""
    first, resolution = _targets(conversation)
    moments = [
        due - timedelta(seconds=target * WARN_SHARE)
        for due, target in (
            (conversation.first_response_due_at, first),
            (conversation.resolution_due_at, resolution),
        )
        if due is not None and target
    ]
    return min(moments, default=None)


def sla_breach_sweep(*, at: datetime | None = None) -> int:
    """Beat: record the chats whose due time passed unmet and tell their audience.
    Returns how many were marked."""
    at = at or now()
    due = Q(first_response_due_at__lt=at) | Q(resolution_due_at__lt=at)
    ids = list(
        Conversation.objects.filter(due, sla_breached=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    marked = 0
    for conversation_id in ids:
        with transaction.atomic():
            conversation = (
                Conversation.objects.select_for_update()
                .filter(due, pk=conversation_id, sla_breached=False)
                .first()
            )
            if conversation is None:
                continue  # answered or closed in the meantime
            conversation.sla_breached = True
            conversation.save(update_fields=["sla_breached"])
            events.conversation_changed(conversation)
            marked += 1
    return marked
