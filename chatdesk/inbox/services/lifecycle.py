"""A chat's life after ownership: dealt with, archive, delete, end and block (live chat)."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import transaction

from chatdesk.accounts.models import User
from chatdesk.inbox import assignment, events, ports
from chatdesk.inbox.errors import (
    AlreadyOwned,
    InvalidInput,
    InvalidState,
    NotAllowedForChannel,
    StillRinging,
)
from chatdesk.inbox.models import (
    Attachment,
    Channel,
    Conversation,
    Message,
    ParticipantState,
    ReadMarker,
    Status,
    VisitorBlock,
)
from chatdesk.inbox.selectors import conversation_audience
from chatdesk.inbox.services import csat, notes, sla
from chatdesk.inbox.services.common import (
    already_owned_detail,
    drain_after_commit,
    event_line,
    lock_visible,
    log,
    now,
)
from queues.models import Offer


def _require_owner_or_supervisor(conversation: Conversation, agent: User) -> None:
    if conversation.owner_id not in (None, agent.pk) and not agent.is_supervisor:
        raise AlreadyOwned(already_owned_detail(conversation))


def _close(conversation: Conversation, *, status: str, actor: User, kind: str) -> None:
    """Close and archive; the customer's next message routes anew."""
    if conversation.channel == Channel.INTERNAL:
        raise InvalidState("Internal chats are not dealt with; archive them instead.")
    if not conversation.is_open:
        raise InvalidState("This chat is already closed.")
    lost = assignment.close_offers(conversation=conversation, winner_id=None)
    conversation.status = status
    conversation.archived = True
    conversation.closed_at = now()
    conversation.contact_prompt_open = False
    conversation.customer_waiting_since = None  # closed: nobody waits for a reply
    conversation.save(
        update_fields=[
            "status",
            "archived",
            "closed_at",
            "contact_prompt_open",
            "customer_waiting_since",
        ]
    )
    sla.sla_closed(conversation)
    log(conversation, kind, actor=actor)
    lost |= notes.mentions_end(conversation)
    events.conversation_changed(conversation, lost=lost)
    drain_after_commit(conversation.owner_id)


@transaction.atomic
def conversation_deal_with(*, conversation_id: int, agent: User) -> Conversation:
    conversation = lock_visible(conversation_id=conversation_id, agent=agent)
    _require_owner_or_supervisor(conversation, agent)
    _close(conversation, status=Status.DEALT_WITH, actor=agent, kind="dealt_with")
    csat.csat_request(conversation)
    return conversation


def _require_not_ringing(conversation: Conversation, agent: User) -> None:
    """An unowned chat still offered to colleagues is theirs too: archiving it (or
    deleting it) would stop it ringing for everyone it was offered to."""
    if conversation.status != Status.UNASSIGNED:
        return
    offered_to_others = (
        Offer.objects.filter(conversation=conversation, outcome=Offer.Outcome.PENDING)
        .exclude(agent_id=agent.pk)
        .exists()
    )
    if offered_to_others:
        raise StillRinging(
            "This chat is still ringing for your colleagues; take it first, then archive it."
        )


@transaction.atomic
def conversation_archive(
    *, conversation_id: int, agent: User, archived: bool = True
) -> Conversation:
    """Move a chat to (or back from) the archived list; it stays whoever's it was.

    An internal chat is archived for the caller only: the colleague keeps it open.
    """
    conversation = lock_visible(conversation_id=conversation_id, agent=agent)
    if conversation.channel == Channel.INTERNAL:
        _archive_for_me(conversation, agent=agent, archived=archived)
        return conversation
    _require_owner_or_supervisor(conversation, agent)
    if conversation.archived == archived:
        return conversation
    if archived:
        _require_not_ringing(conversation, agent)
    conversation.archived = archived
    conversation.save(update_fields=["archived"])
    log(conversation, "archived" if archived else "unarchived", actor=agent)
    events.conversation_changed(conversation)
    return conversation


def _archive_for_me(conversation: Conversation, *, agent: User, archived: bool) -> None:
    state, _ = ParticipantState.objects.get_or_create(conversation=conversation, agent=agent)
    if state.archived == archived:
        return
    state.archived = archived
    state.save(update_fields=["archived"])
    log(conversation, "archived" if archived else "unarchived", actor=agent)
    data = {**events.conversation_data(conversation), "archived": archived}
    events.publish(
        "conversation.updated", data=data, recipients={agent.pk}, conversation=conversation
    )


@transaction.atomic
def conversation_delete(*, conversation_id: int, agent: User) -> None:
    """Delete an archived chat with its messages and their files.

    The owner may delete a chat they archived while it was still theirs (taken): it
    leaves their capacity, and the customer's next message starts a new chat. An
    internal chat is deleted for the caller only; it goes for good once both did.
    """
    conversation = lock_visible(conversation_id=conversation_id, agent=agent)
    if conversation.channel == Channel.INTERNAL:
        _delete_for_me(conversation, agent=agent)
        return
    _require_owner_or_supervisor(conversation, agent)
    if not conversation.archived:
        raise InvalidState("Archive the chat before deleting it.")
    _require_not_ringing(conversation, agent)
    owner_id = conversation.owner_id if conversation.is_open else None
    _delete_for_everyone(conversation, audience=conversation_audience(conversation))
    drain_after_commit(owner_id)


def _delete_for_me(conversation: Conversation, *, agent: User) -> None:
    state, _ = ParticipantState.objects.get_or_create(conversation=conversation, agent=agent)
    if not state.archived:
        raise InvalidState("Archive the chat before deleting it.")
    participants = set(conversation.participants.values_list("pk", flat=True))
    others_gone = set(
        ParticipantState.objects.filter(conversation=conversation, deleted=True)
        .exclude(agent=agent)
        .values_list("agent_id", flat=True)
    )
    if participants - {agent.pk} <= others_gone:
        _delete_for_everyone(conversation, audience={agent.pk})
        return
    last = conversation.messages.order_by("-id").values_list("pk", flat=True).first() or 0
    state.deleted = True
    state.cleared_through = last
    state.save(update_fields=["deleted", "cleared_through"])
    ReadMarker.objects.update_or_create(
        conversation=conversation, agent=agent, defaults={"last_read_message_id": last}
    )
    log(conversation, "deleted_for_participant", actor=agent)
    events.publish(
        "conversation.removed",
        data={"id": conversation.pk, "deleted": True},
        recipients={agent.pk},
        conversation=conversation,
    )


def _delete_for_everyone(conversation: Conversation, *, audience: set[int]) -> None:
    files = [
        name
        for attachment in Attachment.objects.filter(message__conversation=conversation)
        for name in (
            attachment.file.name,
            attachment.thumbnail.name if attachment.thumbnail else "",
        )
        if name
    ]
    events.publish(
        "conversation.removed", data={"id": conversation.pk, "deleted": True}, recipients=audience
    )
    conversation.delete()
    transaction.on_commit(lambda: _delete_files(files))


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _require_livechat(conversation: Conversation) -> None:
    if conversation.channel != Channel.LIVECHAT:
        raise NotAllowedForChannel("Only live chats can be ended or blocked.")


def _tell_visitor(
    conversation: Conversation, body: str, *, agent: User, event_type: str
) -> Message:
    notice = event_line(conversation, event_type, actor=agent, notice=body)
    transaction.on_commit(lambda: ports.visitor_event(conversation.pk, "chat.ended", body))
    return notice


@transaction.atomic
def conversation_end(*, conversation_id: int, agent: User) -> Conversation:
    """End a live-chat session; the visitor sees a notice and can no longer write here."""
    conversation = lock_visible(conversation_id=conversation_id, agent=agent)
    _require_livechat(conversation)
    _require_owner_or_supervisor(conversation, agent)
    if conversation.is_open:
        # First: the rating card must reach the socket before `chat.ended` closes it.
        csat.csat_request(conversation)
    _tell_visitor(
        conversation, "The agent has ended this chat. Thank you!", agent=agent, event_type="ended"
    )
    _close(conversation, status=Status.ENDED, actor=agent, kind="ended")
    return conversation


@transaction.atomic
def conversation_block(
    *, conversation_id: int, agent: User, reason: str = "", minutes: int | None = None
) -> VisitorBlock:
    """Bar the visitor and their IP address, for `minutes` or for good, and end the chat."""
    if minutes is not None and minutes <= 0:
        raise InvalidInput("minutes must be a positive number, or absent for good.")
    conversation = lock_visible(conversation_id=conversation_id, agent=agent)
    _require_livechat(conversation)
    _require_owner_or_supervisor(conversation, agent)
    block = VisitorBlock.objects.create(
        identity_id=conversation.identity_id,
        ip_address=conversation.visitor_ip,
        reason=reason[:500],
        blocked_by=agent,
        expires_at=now() + timedelta(minutes=minutes) if minutes else None,
    )
    conversation.blocked = True
    conversation.save(update_fields=["blocked"])
    if conversation.is_open:
        _tell_visitor(
            conversation,
            "This chat has been closed by the agent.",
            agent=agent,
            event_type="blocked",
        )
        _close(conversation, status=Status.ENDED, actor=agent, kind="blocked")
    else:
        log(conversation, "blocked", actor=agent)
        events.conversation_changed(conversation)
    return block
