"""Read markers: what an agent has seen of a conversation."""

from __future__ import annotations

from django.db import transaction

from chatdesk.accounts.models import User
from chatdesk.inbox.models import Message, ReadMarker
from chatdesk.inbox.services.common import lock_visible


@transaction.atomic
def conversation_mark_read(*, conversation_id: int, agent: User) -> int:
    """Mark everything up to the newest message read; returns that message's id."""
    conversation = lock_visible(conversation_id=conversation_id, agent=agent, mentioned_may=True)
    newest = (
        Message.objects.filter(conversation=conversation)
        .order_by("-id")
        .values_list("pk", flat=True)
        .first()
        or 0
    )
    marker, _ = ReadMarker.objects.get_or_create(conversation=conversation, agent=agent)
    if newest > marker.last_read_message_id:
        marker.last_read_message_id = newest
        marker.save(update_fields=["last_read_message_id"])
    return marker.last_read_message_id
