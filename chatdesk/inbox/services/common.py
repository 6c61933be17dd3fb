"""Shared steps of the inbox services: locking, visibility checks, the history log."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from chatdesk.accounts.models import User
from chatdesk.inbox import assignment, events
from chatdesk.inbox.errors import AlreadyOwned, NotPermitted, NotVisible
from chatdesk.inbox.models import Conversation, ConversationEvent, DeliveryStatus, Message
from chatdesk.inbox.selectors import visible_conversations
from queues.models import QueueMember

MENTION_ONLY = "You were mentioned in this chat: you may read it and add notes, not act on it."


def lock_visible(*, conversation_id: int, agent: User, mentioned_may: bool = False) -> Conversation:
    """The conversation, row-locked for this transaction, if `agent` may see it.

    A colleague who sees it only through a mention may read it (and, with
    `mentioned_may`, do what reading allows: mark it read, add a note); any other
    action is 403.
    """
    if not visible_conversations(agent, mentions=False).filter(pk=conversation_id).exists():
        _refuse_hidden_or_mentioned(conversation_id, agent, mentioned_may=mentioned_may)
    return Conversation.objects.select_for_update().get(pk=conversation_id)


def _refuse_hidden_or_mentioned(conversation_id: int, agent: User, *, mentioned_may: bool) -> None:
    """Only reached off the usual path (the caller cannot act on the chat), so the
    second visibility query costs nothing to everyday actions."""
    if not visible_conversations(agent).filter(pk=conversation_id).exists():
        raise NotVisible()
    if not mentioned_may:
        raise NotPermitted(MENTION_ONLY)


def lock_for_claim(*, conversation_id: int, agent: User) -> Conversation:
    """Like lock_visible, but a queue member who lost the race learns why (409, not 404).

    The API (docs/api.md): a reply or take on a chat another agent owns is 409 for members of
    its queue, even though reading it is 404; for anyone else 404.
    """
    if visible_conversations(agent, mentions=False).filter(pk=conversation_id).exists():
        return Conversation.objects.select_for_update().get(pk=conversation_id)
    if visible_conversations(agent).filter(pk=conversation_id).exists():
        raise NotPermitted(MENTION_ONLY)  # mentioned in a note: read only
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if (
        conversation is not None
        and conversation.owner_id not in (None, agent.pk)
        and conversation.queue_id
        and QueueMember.objects.filter(queue_id=conversation.queue_id, agent=agent).exists()
    ):
        raise AlreadyOwned(already_owned_detail(conversation))
    raise NotVisible()


def already_owned_detail(conversation: Conversation) -> str:
    owner = conversation.owner
    name = (owner.get_full_name() or owner.username) if owner else "another agent"
    return f"This chat was already taken by {name}."


def log(conversation: Conversation, kind: str, *, actor: User | None, **data: object) -> None:
    """Append to the conversation's history (who did what, when)."""
    ConversationEvent.objects.create(conversation=conversation, actor=actor, kind=kind, data=data)
    events.history_to_integrators(conversation, kind, actor=actor, data=data)


def _name(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else ""


def event_line(
    conversation: Conversation,
    event_type: str,
    *,
    actor: User | None,
    to: User | None = None,
    notice: str = "",
    **extra: object,
) -> Message:
    """A line in the conversation's story (taken, transferred, ended...), stored among
    its messages so every agent sees it in place, and never mistaken for a reply.

    `notice`: what the customer was told; the line is then kind "notice" with that
    body (the live-chat visitor sees it), otherwise kind "event", for agents only.
    No sender: nobody typed it. Not a new message for the list's order either.
    """
    data: dict = {
        "type": event_type,
        "actor": actor.pk if actor else None,
        "actor_name": _name(actor),
    }
    if to is not None:
        data.update(to=to.pk, to_name=_name(to))
    data.update(extra)
    line = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.OUT,
        kind=Message.Kind.NOTICE if notice else Message.Kind.EVENT,
        event=data,
        body=notice,
        # Never pending: the outbox sweep must not try to deliver it.
        delivery_status=DeliveryStatus.SENT,
    )
    events.message_created(line)
    return line


def now() -> datetime:
    return timezone.now()


def drain_after_commit(agent_id: int | None) -> None:
    """A freed chat slot goes to the oldest waiting chat at once (Chatwoot #10376)."""
    if not agent_id:
        return

    def drain() -> None:
        agent = User.objects.filter(pk=agent_id, is_active=True).first()
        if agent is not None:
            with transaction.atomic():
                assignment.drain(agent=agent)

    transaction.on_commit(drain)
