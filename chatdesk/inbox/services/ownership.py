"""Who owns a chat: take, the first reply's auto-take, transfer."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.db.models import Q

from chatdesk.accounts.models import User
from chatdesk.accounts.selectors import takes_chats
from chatdesk.inbox import assignment, events, ports
from chatdesk.inbox.errors import (
    AlreadyOpen,
    AlreadyOwned,
    AtCapacity,
    InvalidInput,
    InvalidState,
    NotPermitted,
)
from chatdesk.inbox.models import (
    OPEN_STATUSES,
    Attachment,
    Channel,
    Conversation,
    DeliveryStatus,
    Message,
    ParticipantState,
    Status,
)
from chatdesk.inbox.services import absence, notes, windows
from chatdesk.inbox.services.common import (
    already_owned_detail,
    drain_after_commit,
    event_line,
    lock_for_claim,
    lock_visible,
    log,
    now,
)
from chatdesk.inbox.services.sla import sla_agent_replied, sla_reopened
from queues.models import Queue


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
    if not assignment.has_capacity(agent=agent, queue=conversation.queue):
        raise AtCapacity("You are at your limit of open chats; finish one first.")
    claimed = Conversation.objects.filter(
        pk=conversation.pk, owner__isnull=True, status=Status.UNASSIGNED
    ).update(owner=agent, status=Status.TAKEN, taken_at=now(), archived=False)
    if not claimed:
        conversation.refresh_from_db()
        raise AlreadyOwned(already_owned_detail(conversation))
    conversation.refresh_from_db()
    lost = assignment.close_offers(conversation=conversation, winner_id=agent.pk)
    log(conversation, "taken", actor=agent)
    event_line(conversation, "taken", actor=agent)
    return lost


@transaction.atomic
def conversation_take(*, conversation_id: int, agent: User) -> Conversation:
    conversation = lock_for_claim(conversation_id=conversation_id, agent=agent)
    if conversation.channel == Channel.INTERNAL:
        raise InvalidState("Internal chats have no owner to take.")
    lost = _claim(conversation, agent=agent)
    events.conversation_changed(conversation, lost=lost)
    absence.owner_changed(conversation)
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
    template: dict | None = None,
) -> tuple[Message, bool]:
    """An agent's message. Returns (message, created); a repeated client_id is not resent.

    Chatwoot #9314: a retry on a flaky network must never double a reply.
    """
    if client_id is not None:
        existing = _existing_reply(agent=agent, client_id=client_id)
        if existing is not None:
            return existing, False
    try:
        return (
            _reply(conversation_id, agent, body, attachment_ids or [], client_id, template),
            True,
        )
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
    template: dict | None = None,
) -> Message:
    if template is None and not body.strip() and not attachment_ids:
        raise InvalidInput("Write a message or attach a file.")
    conversation = lock_for_claim(conversation_id=conversation_id, agent=agent)
    internal = conversation.channel == Channel.INTERNAL
    lost: set[int] = set()
    if not internal:
        if not conversation.is_open:
            raise InvalidState("This chat is closed; the customer's next message reopens it.")
        if template is None:
            windows.require_window_open(conversation)
    if template is not None:
        body, template = windows.template_reply(
            conversation, template, body=body, attachment_ids=attachment_ids
        )
    if not internal:
        lost = _claim(conversation, agent=agent)  # the first reply takes the chat
    message = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.OUT,
        sender=agent,
        body=body,
        client_id=client_id,
        channel_account_id=conversation.channel_account_id,
        delivery_status=DeliveryStatus.SENT if internal else DeliveryStatus.PENDING,
        delivery_due_at=None if internal else now(),  # the outbox: due at once
        template=template,
    )
    _attach(message, attachment_ids=attachment_ids, agent=agent)
    conversation.last_message_at = message.created_at
    conversation.contact_prompt_open = False  # "Reply" answers the unknown-sender prompt
    conversation.archived = False
    # An agent answered: nobody waits any more (the absence rules and response clocks).
    conversation.customer_waiting_since = None
    conversation.save(
        update_fields=[
            "last_message_at",
            "contact_prompt_open",
            "archived",
            "customer_waiting_since",
        ]
    )
    if not internal:
        sla_agent_replied(conversation)
    events.message_created(message)
    # A new line brings an internal chat back to whoever archived or deleted it for
    # themselves (their cleared history stays cleared).
    returned = internal and bool(
        ParticipantState.objects.filter(conversation=conversation)
        .filter(Q(archived=True) | Q(deleted=True))
        .update(archived=False, deleted=False)
    )
    if lost or not internal or returned:
        events.conversation_changed(conversation, lost=lost)
    if not internal:
        transaction.on_commit(lambda: ports.enqueue(message.pk, message.channel_account_id))
    return message


@transaction.atomic
def conversation_transfer(
    *, conversation_id: int, agent: User, to_agent_id: int, note: str = ""
) -> Conversation:
    """Hand a chat to a colleague: they own it now, and the sender loses sight of it.

    A closed (dealt-with) chat from the archive is reopened, owned by the receiver:
    the follow-up lands in their inbox instead of waiting for the customer to write.
    `note`: the hand-over, stored as a private note by the sender.
    """
    conversation = lock_visible(conversation_id=conversation_id, agent=agent)
    if conversation.channel == Channel.INTERNAL:
        raise InvalidState("Internal chats cannot be transferred.")
    reopening = not conversation.is_open
    if reopening:
        _require_reopenable(conversation, agent=agent)
    elif conversation.owner_id not in (None, agent.pk) and not agent.is_supervisor:
        raise AlreadyOwned(already_owned_detail(conversation))
    target = User.objects.filter(pk=to_agent_id, is_active=True).first()
    if target is None:
        raise InvalidInput("No such agent.")
    if not User.objects.filter(takes_chats(), pk=target.pk).exists():
        raise InvalidInput(
            f"{target.get_full_name() or target.username} does not take chats "
            "(a manager or owner needs an extension for that)."
        )
    # Giving a closed chat back to its last owner is a real hand-over (it reopens);
    # "transferring" an open chat to its owner changes nothing.
    if target.pk == conversation.owner_id and not reopening:
        raise InvalidInput("The chat is already theirs.")
    if not assignment.has_capacity(agent=target, queue=conversation.queue):
        raise AtCapacity(f"{target.get_full_name() or target.username} has no free chat slot.")
    previous_owner = conversation.owner_id
    _hand_over(conversation, target=target, reopening=reopening)
    if reopening:
        sla_reopened(conversation)  # a reopened chat starts its clocks again
    lost = assignment.close_offers(conversation=conversation, winner_id=target.pk)
    log(
        conversation,
        "transferred",
        actor=agent,
        to=target.pk,
        previous_owner=previous_owner,
        reopened=reopening,
    )
    event_line(conversation, "reopened" if reopening else "transferred", actor=agent, to=target)
    if note.strip():
        notes.note_store(conversation, agent=agent, body=note)
    # Only real agents: the id 0 once used for "no previous owner" became an event
    # recipient row whose foreign key failed at commit (a 500 on unowned chats).
    lost |= {agent.pk} | ({previous_owner} if previous_owner else set())
    events.conversation_changed(conversation, lost=lost)
    if previous_owner and not reopening:
        # A closed chat held no slot of its last owner; only an open one frees one.
        drain_after_commit(previous_owner)
    absence.owner_changed(conversation)
    return conversation


def _require_reopenable(conversation: Conversation, *, agent: User) -> None:
    """Who may bring a closed chat back (its last owner, supervisors), and when it can be."""
    if conversation.owner_id != agent.pk and not agent.is_supervisor:
        raise NotPermitted("Only its last owner or a supervisor can transfer an archived chat.")
    if conversation.status == Status.ENDED or conversation.blocked:
        # The visitor's live session is over (or barred): nobody could answer there.
        raise InvalidState("An ended or blocked live chat cannot be reopened.")
    if conversation.identity_id is None:
        return
    open_twin = (
        Conversation.objects.filter(
            identity_id=conversation.identity_id,
            channel_account_id=conversation.channel_account_id,
            status__in=OPEN_STATUSES,
        )
        .exclude(pk=conversation.pk)
        .values_list("pk", flat=True)
        .first()
    )
    if open_twin is not None:
        raise AlreadyOpen(
            f"This customer already has an open chat (#{open_twin}) on this line; "
            "transfer that one instead."
        )


def _hand_over(conversation: Conversation, *, target: User, reopening: bool) -> None:
    conversation.owner = target
    conversation.status = Status.TAKEN
    conversation.taken_at = now()
    conversation.archived = False  # the receiver finds it in their inbox, not the archive
    _save_handed_over(conversation, ["owner", "status", "taken_at", "archived"], reopening)


def _save_handed_over(conversation: Conversation, fields: list[str], reopening: bool) -> None:
    """Save a transferred chat (reopened when it was closed)."""
    if reopening:
        conversation.closed_at = None
        fields.append("closed_at")
    try:
        # A savepoint: the customer may open a new chat between the check and this
        # write; the partial unique constraint then refuses it, and we say why.
        with transaction.atomic():
            conversation.save(update_fields=fields)
    except IntegrityError as error:
        raise AlreadyOpen(
            "This customer just opened a new chat on this line; transfer that one instead."
        ) from error


@transaction.atomic
def conversation_transfer_to_queue(
    *, conversation_id: int, agent: User, queue_id: int, note: str = ""
) -> Conversation:
    """Send a chat back to routing in a queue: nobody owns it, the queue's strategy
    offers it to its members, and the sender loses it (they see it again only as a
    member the strategy offers it to). `note` is stored as a private note, so whoever
    takes it reads the hand-over.

    A closed chat from the archive reopens into the queue, under the same rules as a
    transfer to a colleague.
    """
    conversation = lock_visible(conversation_id=conversation_id, agent=agent)
    if conversation.channel == Channel.INTERNAL:
        raise InvalidState("Internal chats cannot be transferred.")
    reopening = not conversation.is_open
    if reopening:
        _require_reopenable(conversation, agent=agent)
    elif conversation.owner_id not in (None, agent.pk) and not agent.is_supervisor:
        raise AlreadyOwned(already_owned_detail(conversation))
    queue = Queue.objects.filter(pk=queue_id).first()
    if queue is None:
        raise InvalidInput("No such queue.")
    if (
        not reopening
        and conversation.owner_id is None
        and conversation.direct_agent_id is None
        and conversation.queue_id == queue.pk
    ):
        raise InvalidInput(f"The chat is already waiting in {queue.name}.")
    previous_owner = conversation.owner_id
    _into_queue(conversation, queue=queue, reopening=reopening)
    log(
        conversation,
        "transferred",
        actor=agent,
        queue=queue.pk,
        previous_owner=previous_owner,
        reopened=reopening,
    )
    event_line(
        conversation,
        "transferred",
        actor=agent,
        queue=queue.pk,
        queue_name=queue.name,
    )
    assignment.route(conversation=conversation)
    if note.strip():
        notes.note_store(conversation, agent=agent, body=note)
    lost = {agent.pk} | ({previous_owner} if previous_owner else set())
    events.conversation_changed(conversation, lost=lost)
    if previous_owner and not reopening:
        drain_after_commit(previous_owner)
    return conversation


def _into_queue(conversation: Conversation, *, queue: Queue, reopening: bool) -> None:
    conversation.owner = None
    conversation.direct_agent = None
    conversation.queue = queue
    conversation.status = Status.UNASSIGNED
    conversation.taken_at = None
    conversation.archived = False
    fields = ["owner", "direct_agent", "queue", "status", "taken_at", "archived"]
    _save_handed_over(conversation, fields, reopening)
