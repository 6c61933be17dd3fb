"""Reads with rules. `visible_conversations` decides who sees what, everywhere."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from chatdesk.accounts.models import User
from chatdesk.inbox.models import Channel, Conversation, Message
from queues.models import Offer


def visible_conversations(user: User) -> QuerySet[Conversation]:
    """Every conversation `user` may see (CONTRACT: Visibility).

    - Managers and owners: every customer conversation.
    - Agents: what they own; unowned chats routed to them directly; unowned queue
      chats currently offered to them (per the queue's strategy).
    - Internal chats: their participants only, whatever the role.
    """
    if not user.is_authenticated or not user.is_active:
        return Conversation.objects.none()
    internal_mine = Q(channel=Channel.INTERNAL) & Exists(
        Conversation.participants.through.objects.filter(
            conversation_id=OuterRef("pk"), user_id=user.pk
        )
    )
    if user.is_supervisor:
        return Conversation.objects.filter(~Q(channel=Channel.INTERNAL) | internal_mine)
    offered_to_me = Exists(
        Offer.objects.filter(
            conversation_id=OuterRef("pk"), agent_id=user.pk, outcome=Offer.Outcome.PENDING
        )
    )
    customer_mine = ~Q(channel=Channel.INTERNAL) & (
        Q(owner_id=user.pk)
        | Q(owner__isnull=True, direct_agent_id=user.pk)
        | (Q(owner__isnull=True, queue__isnull=False) & offered_to_me)
    )
    return Conversation.objects.filter(customer_mine | internal_mine)


def inbox_rows(user: User, *, archived: bool = False) -> QuerySet[Conversation]:
    """The inbox list: visible conversations with what a row shows, in one query."""
    last_message = Message.objects.filter(conversation_id=OuterRef("pk")).order_by(
        "-created_at", "-id"
    )
    return (
        visible_conversations(user)
        .filter(archived=archived)
        .select_related("identity__contact", "queue", "owner")
        .annotate(last_body=Subquery(last_message.values("body")[:1]))
        .order_by("-last_message_at", "-id")
    )
