"""Export everything held about a contact, and erase it all (docs/api.md: Contacts).

Erasure lives in the inbox, not in contacts: it deletes conversations, messages and
files, which contacts sits below and cannot reach. What apps above the inbox keep about
a customer (live-chat sessions, the message search index) they delete through the
erasure port (`ports.erasure_hooks`), in the same transaction, after the inbox's rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q

from chatdesk.accounts.models import User
from chatdesk.inbox import ports
from chatdesk.inbox.errors import DomainError
from chatdesk.inbox.models import (
    OPEN_STATUSES,
    Attachment,
    Conversation,
    ConversationEvent,
    Event,
    Message,
)
from chatdesk.inbox.selectors import conversation_audience
from chatdesk.inbox.serializers import AttachmentSerializer
from contacts.models import Contact, ErasureRecord, Identity

logger = logging.getLogger(__name__)


class ChatStillOpen(DomainError):
    """A chat of the contact is open: erasing it would pull it from under its agent."""

    status_code = 409
    code = "chat_open"


class ContactGone(DomainError):
    status_code = 404
    code = "not_found"


@dataclass(frozen=True)
class ErasureScope:
    """What an erasure removes, for the apps that keep their own rows about it."""

    contact_id: int
    identities: list[tuple[str, str]]  # (kind, address)
    conversation_ids: list[int]
    message_ids: list[int]


def _conversations_of(contact: Contact) -> Q:
    return Q(identity__contact_id=contact.pk)


def contact_export(*, contact_id: int) -> dict:
    """Everything held about a contact: the contact, their identities, and every
    conversation with every message (notes and event lines included, each marked by
    its `kind`) and the files' metadata and links."""
    contact = Contact.objects.get(pk=contact_id)
    identities = list(contact.identities.order_by("id"))
    conversations = (
        Conversation.objects.filter(_conversations_of(contact))
        .select_related("identity", "queue", "owner")
        .prefetch_related("labels", "history")
        .order_by("created_at", "id")
    )
    messages = (
        Message.objects.filter(conversation__in=conversations)
        .select_related("sender")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    by_conversation: dict[int, list[dict]] = {}
    for message in messages:
        by_conversation.setdefault(message.conversation_id, []).append(
            {
                "id": message.pk,
                "kind": message.kind,
                "direction": message.direction,
                "sender": message.sender_id,
                "sender_name": _name(message.sender),
                "body": message.body,
                "event": message.event,
                "created_at": _iso(message.created_at),
                "delivery_status": message.delivery_status,
                "attachments": [
                    {**AttachmentSerializer(a).data, "created_at": _iso(a.created_at)}
                    for a in message.attachments.all()
                ],
            }
        )
    return {
        "contact": {
            "id": contact.pk,
            "name": contact.name,
            "email": contact.email,
            "phone": contact.phone,
            "created_at": _iso(contact.created_at),
            "updated_at": _iso(contact.updated_at),
        },
        "identities": [
            {
                "id": identity.pk,
                "kind": identity.kind,
                "address": identity.address,
                "display_name": identity.display_name,
                "created_at": _iso(identity.created_at),
            }
            for identity in identities
        ],
        "conversations": [
            {
                "id": c.pk,
                "channel": c.channel,
                "identity": c.identity_id,
                "status": c.status,
                "queue": c.queue_id,
                "queue_name": c.queue.name if c.queue_id else None,
                "owner": c.owner_id,
                "owner_name": _name(c.owner) or None,
                "archived": c.archived,
                "blocked": c.blocked,
                "offline": c.offline,
                "visitor": c.visitor,
                "visitor_ip": c.visitor_ip,
                "created_at": _iso(c.created_at),
                "closed_at": _iso(c.closed_at),
                "last_message_at": _iso(c.last_message_at),
                "csat": (
                    {"rating": c.csat_rating, "comment": c.csat_comment, "at": _iso(c.csat_at)}
                    if c.csat_rating is not None
                    else None
                ),
                "labels": [label.name for label in c.labels.all()],
                "history": [
                    {"kind": e.kind, "actor": e.actor_id, "data": e.data, "at": _iso(e.at)}
                    for e in c.history.all()
                ],
                "messages": by_conversation.get(c.pk, []),
            }
            for c in conversations
        ],
    }


@transaction.atomic
def contact_erase(*, contact_id: int, by: User) -> ErasureRecord:
    """Delete the contact, their identities and every conversation with them on every
    channel (messages, files both ways, history, events, read markers, offers, labels'
    links, visitor blocks); files leave storage once the transaction has committed.

    Refused (409) while a chat of theirs is open. Leaves one audit row: who, when, the
    contact's id and how much was erased, no content.
    """
    contact = Contact.objects.select_for_update().filter(pk=contact_id).first()
    if contact is None:
        raise ContactGone("No such contact; it may have been erased or deleted already.")
    identities = list(Identity.objects.select_for_update().filter(contact=contact))
    conversations = list(
        Conversation.objects.select_for_update().filter(identity__in=identities).order_by("pk")
    )
    still_open = [c for c in conversations if c.status in OPEN_STATUSES]
    if still_open:
        chats = ", ".join(f"#{c.pk} ({c.get_channel_display()})" for c in still_open)
        raise ChatStillOpen(
            f"{contact.name} has an open chat: {chats}. Deal with it or end it first, "
            "then erase the contact."
        )
    conversation_ids = [c.pk for c in conversations]
    message_ids = list(
        Message.objects.filter(conversation_id__in=conversation_ids).values_list("pk", flat=True)
    )
    files = _file_names(Attachment.objects.filter(message_id__in=message_ids))
    audiences: dict[int, set[int]] = {c.pk: conversation_audience(c) for c in conversations}
    scope = ErasureScope(
        contact_id=contact.pk,
        identities=[(i.kind, i.address) for i in identities],
        conversation_ids=conversation_ids,
        message_ids=message_ids,
    )
    _delete_events(conversation_ids)
    ConversationEvent.objects.filter(conversation_id__in=conversation_ids).delete()
    # Cascades: messages, attachments, read markers, participant states, offers,
    # routing starts, label links.
    Conversation.objects.filter(pk__in=conversation_ids).delete()
    # Cascades: visitor blocks of these identities.
    Identity.objects.filter(pk__in=[i.pk for i in identities]).delete()
    contact.delete()
    for hook in ports.erasure_hooks():
        files.extend(hook(scope))
    record = ErasureRecord.objects.create(
        contact_id=contact_id,
        erased_by=by,
        erased_by_username=by.get_username(),
        identities=len(identities),
        conversations=len(conversation_ids),
        messages=len(message_ids),
        files=len(files),
    )
    transaction.on_commit(lambda: _delete_files(files))
    # Not stored: a stored event would keep the erased chat's id. A client that missed
    # it finds the chat gone (404) when it next opens it.
    transaction.on_commit(lambda: _tell_lists(audiences))
    return record


def _delete_events(conversation_ids: list[int]) -> None:
    """The stored realtime events of these chats (their payloads hold names and text),
    with their recipients; also those whose chat link was cleared by an earlier delete."""
    ids = conversation_ids
    if not ids:
        return
    orphaned = Q(conversation__isnull=True) & (
        Q(data__conversation__in=ids) | (Q(type__startswith="conversation.") & Q(data__id__in=ids))
    )
    Event.objects.filter(Q(conversation_id__in=ids) | orphaned).delete()


def _file_names(attachments) -> list[str]:
    names = []
    for file, thumbnail in attachments.values_list("file", "thumbnail"):
        names.extend(name for name in (file, thumbnail) if name)
    return names


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            # The rows are gone; a file left behind is logged by name for the operator.
            logger.exception("Erasure could not delete the stored file %s", name)


def _tell_lists(audiences: dict[int, set[int]]) -> None:
    for conversation_id, agent_ids in audiences.items():
        ports.fan_out_transient(
            {"type": "conversation.removed", "data": {"id": conversation_id, "deleted": True}},
            sorted(agent_ids),
        )


def _name(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _iso(value) -> str | None:  # datetime | None
    return value.isoformat().replace("+00:00", "Z") if value else None
