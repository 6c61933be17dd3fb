"""Outside business hours: the customer is told once per closed period (docs/architecture.md)."""

from __future__ import annotations

from django.db import transaction

from chatdesk.inbox import events, ports
from chatdesk.inbox.models import Conversation, DeliveryStatus, Message, Status
from chatdesk.inbox.services.common import now
from queues import hours

OUT_OF_HOURS = "out_of_hours"


def out_of_hours_notify(conversation: Conversation) -> Message | None:
    """Send the queue's out-of-hours message if the chat waits in a closed queue and
    was not told so in this closed period yet. Call it inside the receiving transaction,
    with the chat row-locked (two messages at once then tell the customer once).

    The closed period is named by the instant the queue opens next: every message
    written until then falls in the same period. The notice goes out through the normal
    outbound path (the provider, or the visitor's socket) and is kept in the chat as a
    notice: agents see what the customer was told.
    """
    if conversation.status != Status.UNASSIGNED or conversation.offline:
        return None
    # The inbound path reads whether the queue keeps hours with the chat itself.
    if getattr(conversation, "queue_hours_id", 0) is None:
        return None
    queue = conversation.queue if conversation.queue_id else None
    if queue is None or queue.business_hours_id is None:
        return None
    text = queue.out_of_hours_message.strip()
    at = now()
    if not text or hours.is_open(queue, at):
        return None
    reopens = hours.next_open_at(queue, at)
    period = reopens.isoformat() if reopens else "never"
    told = Message.objects.filter(
        conversation=conversation,
        kind=Message.Kind.NOTICE,
        event__type=OUT_OF_HOURS,
        event__period=period,
    ).exists()
    if told:
        return None
    notice = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.OUT,
        kind=Message.Kind.NOTICE,
        event={"type": OUT_OF_HOURS, "period": period, "actor": None, "actor_name": ""},
        body=text,
        channel_account_id=conversation.channel_account_id,
        # Pending: the outbox delivers it like a reply, with its retries and sweep.
        delivery_status=DeliveryStatus.PENDING,
        delivery_due_at=now(),
    )
    events.message_created(notice)
    transaction.on_commit(lambda: ports.enqueue(notice.pk, notice.channel_account_id))
    return notice
