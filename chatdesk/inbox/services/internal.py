"""Agent-to-agent chat: no routing, no owner, no "dealt with"."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Q

from chatdesk.accounts.models import User
from chatdesk.inbox import events
from chatdesk.inbox.errors import InvalidInput
from chatdesk.inbox.models import Channel, Conversation, ParticipantState, Status
from chatdesk.inbox.services.common import log, now


@transaction.atomic
def conversation_open_internal(*, agent: User, other_id: int) -> tuple[Conversation, bool]:
    """The pair's internal chat, opened if they have none yet. Returns (chat, created)."""
    other = User.objects.filter(pk=other_id, is_active=True).first()
    if other is None:
        raise InvalidInput("No such agent.")
    if other.pk == agent.pk:
        raise InvalidInput("Pick a colleague, not yourself.")
    # Lock both users in a fixed order so two agents opening "their" chat at once get one.
    list(User.objects.select_for_update().filter(pk__in=[agent.pk, other.pk]).order_by("pk"))
    existing = (
        Conversation.objects.filter(channel=Channel.INTERNAL)
        .annotate(
            pair=Count("participants", filter=Q(participants__in=[agent.pk, other.pk])),
            size=Count("participants", distinct=True),
        )
        .filter(pair=2, size=2)
        .first()
    )
    if existing is not None:
        # Opening it again brings it back for a caller who archived or deleted it.
        if (
            ParticipantState.objects.filter(conversation=existing, agent=agent)
            .filter(Q(archived=True) | Q(deleted=True))
            .update(archived=False, deleted=False)
        ):
            events.publish(
                "conversation.updated",
                data=events.conversation_data(existing),
                recipients={agent.pk},
                conversation=existing,
            )
        return existing, False
    chat = Conversation.objects.create(
        channel=Channel.INTERNAL, status=Status.TAKEN, last_message_at=now()
    )
    chat.participants.set([agent, other])
    log(chat, "opened", actor=agent, participants=[agent.pk, other.pk])
    events.conversation_changed(chat)
    return chat, True
