"""Private notes and @mentions: what agents write to each other inside a customer chat.

A note is a message of kind "note". It never leaves the desk: it is stored sent (so
the outbox never claims it), has no channel account, is left out of the visitor's
replay, and it changes nothing the customer's side depends on (owner, the list's
order, the customer's wait, the unknown-sender prompt).
"""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models.functions import Lower

from chatdesk.accounts.models import User
from chatdesk.inbox import events
from chatdesk.inbox.errors import InvalidInput, NotAllowedForChannel
from chatdesk.inbox.models import Channel, Conversation, DeliveryStatus, Mention, Message
from chatdesk.inbox.serializers import conversation_title
from chatdesk.inbox.services.common import lock_visible, now

# "@name" not preceded by a word character or "@" (an e-mail address is no mention).
# Django usernames may hold letters, digits and . + - _ ; a sentence's full stop or
# comma right after the name is not part of it.
_MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)")
_TRAILING = ".-+"


def mentioned_usernames(body: str) -> list[str]:
    """The usernames a note names, lowercased, in order, each once."""
    seen: list[str] = []
    for raw in _MENTION.findall(body):
        name = raw.rstrip(_TRAILING).lower()
        if name and name not in seen:
            seen.append(name)
    return seen


@transaction.atomic
def note_add(*, conversation_id: int, agent: User, body: str) -> tuple[Message, list[int]]:
    """Store a private note; returns it and the colleagues it mentioned.

    Anyone who sees the chat may write one, a colleague who only reads it through a
    mention included (their answer is a note). Internal chats have no customer to
    hide anything from, so they take none.
    """
    if not body.strip():
        raise InvalidInput("Write the note.")
    conversation = lock_visible(conversation_id=conversation_id, agent=agent, mentioned_may=True)
    if conversation.channel == Channel.INTERNAL:
        raise NotAllowedForChannel(
            "Internal chats are only between agents; write in the chat itself."
        )
    return note_store(conversation, agent=agent, body=body)


def note_store(conversation: Conversation, *, agent: User, body: str) -> tuple[Message, list[int]]:
    """The note itself, in the caller's transaction, for a chat the caller has locked
    and checked (a transfer's hand-over note is written after the sender lost sight)."""
    note = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.OUT,
        kind=Message.Kind.NOTE,
        sender=agent,
        body=body,
        # Never pending and no account: nothing that delivers or paces replies reads it.
        delivery_status=DeliveryStatus.SENT,
        delivery_due_at=None,
    )
    mentioned = _mention(conversation, note, by=agent) if conversation.is_open else []
    events.message_created(note)
    _tell_mentioned(conversation, note, by=agent, agent_ids=mentioned)
    return note, mentioned


def _mention(conversation: Conversation, note: Message, *, by: User) -> list[int]:
    """Record the open mentions of this note; returns the colleagues' ids.

    Only in an open chat: once it is dealt with there is nothing left to ask about,
    and the access a mention gives would end at once.
    """
    names = mentioned_usernames(note.body)
    if not names:
        return []
    colleagues = list(
        User.objects.annotate(lower_name=Lower("username"))
        .filter(lower_name__in=names, is_active=True)
        .exclude(pk=by.pk)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Mention.objects.bulk_create(
        Mention(conversation=conversation, message=note, agent_id=agent_id, by=by)
        for agent_id in colleagues
    )
    return colleagues


def _tell_mentioned(
    conversation: Conversation, note: Message, *, by: User, agent_ids: list[int]
) -> None:
    if not agent_ids:
        return
    # The chat appears in their list (a mention may be what makes it visible to them).
    events.publish(
        "conversation.updated",
        data=events.conversation_data(conversation),
        recipients=agent_ids,
        conversation=conversation,
        line_moved=False,
    )
    data = {
        "conversation": conversation.pk,
        "message": note.pk,
        "by": by.pk,
        "by_name": by.get_full_name() or by.username,
        "title": conversation_title(conversation),
        "body": note.body,
    }
    for agent_id in agent_ids:
        events.publish(
            "mention.created",
            data=data,
            recipients=[agent_id],
            conversation=conversation,
            line_moved=False,
        )


def mentions_end(conversation: Conversation) -> set[int]:
    """The chat is dealt with (or ended): mentions stop giving access to it. Returns
    the colleagues whose mentions ended, so the caller tells those who lost sight."""
    open_mentions = Mention.objects.filter(conversation=conversation, ended_at__isnull=True)
    agent_ids = set(open_mentions.values_list("agent_id", flat=True))
    if agent_ids:
        open_mentions.update(ended_at=now())
    return agent_ids
