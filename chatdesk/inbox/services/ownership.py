"""Who owns a chat: take, the first reply's auto-take, transfer."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction

from chatdesk.accounts.models import User
from chatdesk.inbox import events, outbound, routing
from chatdesk.inbox.errors import (
    AlreadyOwned,
    AtCapacity,
    InvalidInput,
    InvalidState,
)
from chatdesk.inbox.models import (
    Attachment,
    Channel,
    Conversation,
    DeliveryStatus,
    Message,
    Status,
)
from chatdesk.inbox.services.common import (
    already_owned_detail,
    drain_after_commit,
    lock_for_claim,
    lock_visible,
    log,
    now,
)


def _claim(conversation: Conversation, *, agent: User) -> set[int]:
    """Make `agent` the owner with one conditional UPDATE: exactly one winner.

    Returns the agents whose offers closed (they lose sight of the chat).
    """
    if conversation.owner_id == agent.pk:
        return set()
    if conversation.owner_id is not None:
        raise AlreadyOwned(already_owned_detail(conversation))
    if conversation.status != Status.UNASSIGNED:
        raise InvalidState("Only an open, unassigned chat can be taken.")
    if not routing.has_capacity(agent=agent, queue=conversation.queue):
        raise AtCapacity("You are at your limit of open chats; finish one first.")
    claimed = Conversation.objects.filter(
        pk=conversation.pk, owner__isnull=True, status=Status.UNASSIGNED
    ).update(owner=agent, status=Status.TAKEN, taken_at=now(), archived=False)
    if not claimed:
        conversation.refresh_from_db()
        raise AlreadyOwned(already_owned_detail(conversation))
    conversation.refresh_from_db()
    lost = routing.close_offers(conversation=conversation, winner_id=agent.pk)
    log(conversation, "taken", actor=agent)
    return lost


@transaction.atomic
def conversation_take(*, conversation_id: int, agent: User) -> Conversation:
    conversation = lock_for_claim(conversation_id=conversation_id, agent=agent)
    if conversation.channel == Channel.INTERNAL:
        raise InvalidState("Internal chats have no owner to take.")
    lost = _claim(conversation, agent=agent)
    events.conversation_changed(conversation, lost=lost)
    return conversation


def _attach(message: Message, *, attachment_ids: list[int], agent: User) -> None:
    if not attachment_ids:
        return
    attached = Attachment.objects.filter(
        pk__in=attachment_ids, uploaded_by=agent, message__isnull=True
    ).update(message=message)
    if attached != len(set(attachment_ids)):
        raise InvalidInput("Attachments must be your own uploads, not yet sent.")


def message_reply(
    *,
    conversation_id: int,
    agent: User,
    body: str,
    attachment_ids: list[int] | None = None,
    client_id: uuid.UUID | None = None,
) -> tuple[Message, bool]:
    """An agent's message. Returns (message, created); a repeated client_id is not resent.

    Chatwoot #9314: a retry on a flaky network must never double a reply.
    """
    if client_id is not None:
        existing = _existing_reply(agent=agent, client_id=client_id)
        if existing is not None:
            return existing, False
    try:
        return _reply(conversation_id, agent, body, attachment_ids or [], client_id), True
    except IntegrityError:
        # The same client_id committed by a concurrent request: that one is the reply.
        existing = _existing_reply(agent=agent, client_id=client_id) if client_id else None
        if existing is None:
            raise
        return existing, False


def _existing_reply(*, agent: User, client_id: uuid.UUID) -> Message | None:
    message = Message.objects.filter(sender=agent, client_id=client_id).first()
    if message is not None and not Conversation.objects.filter(pk=message.conversation_id).exists():
        return None
    return message


@transaction.atomic
def _reply(
    conversation_id: int,
    agent: User,
    body: str,
    attachment_ids: list[int],
    client_id: uuid.UUID | None,
) -> Message:
    if not body.strip() and not attachment_ids:
        raise InvalidInput("Write a message or attach a file.")
    conversation = lock_for_claim(conversation_id=conversation_id, agent=agent)
    internal = conversation.channel == Channel.INTERNAL
    lost: set[int] = set()
    if not internal:
        if not conversation.is_open:
            raise InvalidState("This chat is closed; the customer's next message reopens it.")
        lost = _claim(conversation, agent=agent)  # the first reply takes the chat
    message = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.OUT,
        sender=agent,
        body=body,
        client_id=client_id,
        channel_account_id=conversation.channel_account_id,
        delivery_status=DeliveryStatus.SENT if internal else DeliveryStatus.PENDING,
    )
    _attach(message, attachment_ids=attachment_ids, agent=agent)
    conversation.last_message_at = message.created_at
    conversation.contact_prompt_open = False  # "Reply" answers the unknown-sender prompt
    conversation.archived = False
    conversation.save(update_fields=["last_message_at", "contact_prompt_open", "archived"])
    events.message_created(message)
    if lost or not internal:
        events.conversation_changed(conversation, lost=lost)
    if not internal:
        transaction.on_commit(lambda: outbound.enqueue(message.pk))
    return message


@transaction.atomic
def conversation_transfer(*, conversation_id: int, agent: User, to_agent_id: int) -> Conversation:
    """Hand a chat to a colleague: they own it now, and the sender loses sight of it."""
    conversation = lock_visible(conversation_id=conversation_id, agent=agent)
    if conversation.channel == Channel.INTERNAL:
        raise InvalidState("Internal chats cannot be transferred.")
    if not conversation.is_open:
        raise InvalidState("Only an open chat can be transferred.")
    if conversation.owner_id not in (None, agent.pk) and not agent.is_supervisor:
        raise AlreadyOwned(already_owned_detail(conversation))
    target = User.objects.filter(pk=to_agent_id, is_active=True).first()
    if target is None:
        raise InvalidInput("No such agent.")
    if target.pk == conversation.owner_id:
        raise InvalidInput("The chat is already theirs.")
    if not routing.has_capacity(agent=target, queue=conversation.queue):
        raise AtCapacity(f"{target.get_full_name() or target.username} has no free chat slot.")
    previous_owner = conversation.owner_id
    conversation.owner = target
    conversation.status = Status.TAKEN
    conversation.taken_at = now()
    conversation.save(update_fields=["owner", "status", "taken_at"])
    lost = routing.close_offers(conversation=conversation, winner_id=target.pk)
    log(conversation, "transferred", actor=agent, to=target.pk, previous_owner=previous_owner)
    events.conversation_changed(conversation, lost=lost | {agent.pk} | {previous_owner or 0})
    if previous_owner:
        drain_after_commit(previous_owner)
    return conversation
