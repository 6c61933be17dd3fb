"""Live chat beside the messages: who the visitor is, and who is typing.

Typing notices are never stored and carry no id: a client that reconnects has
nothing to replay, and a stale "typing..." would only mislead.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction

from chatdesk.accounts.models import User
from chatdesk.inbox import events, ports
from chatdesk.inbox.models import OPEN_STATUSES, Channel, Conversation
from chatdesk.inbox.selectors import conversation_audience, visible_conversations
from chatdesk.inbox.serializers import VISITOR_FIELDS

logger = logging.getLogger(__name__)

# At most one typing notice per chat and side in this many seconds, however often
# a client sends them: each one costs an audience query and a fan-out.
TYPING_EVERY_SECONDS = 2


def _typing_allowed(conversation: Conversation, side: str) -> bool:
    # Keyed with the chat's creation time as well: ids repeat across test databases
    # and restores, and the shared cache outlives both.
    key = f"typing:{side}:{conversation.pk}:{conversation.created_at.timestamp()}"
    try:
        return cache.add(key, 1, timeout=TYPING_EVERY_SECONDS)
    except Exception:
        # Redis unreachable: a typing notice is not worth an error on the socket.
        logger.warning("Typing throttle unavailable; notice dropped")
        return False


def conversation_customer_typing(*, conversation_id: int) -> bool:
    """The visitor is typing: tell the agents who may see the chat now. False when
    throttled or the chat is not an open live chat."""
    conversation = Conversation.objects.filter(
        pk=conversation_id, channel=Channel.LIVECHAT, status__in=OPEN_STATUSES
    ).first()
    if conversation is None or not _typing_allowed(conversation, "customer"):
        return False
    ports.fan_out_transient(
        {"type": "typing", "data": {"conversation": conversation.pk, "by": "customer"}},
        sorted(conversation_audience(conversation)),
    )
    return True


def conversation_agent_typing(*, conversation_id: int, agent: User) -> bool:
    """An agent is typing in a live chat they may see: the visitor is told. Anything
    else (not visible, not live chat, closed, throttled) is ignored: False."""
    conversation = (
        # A colleague who only reads the chat (mentioned in a note) is not the desk
        # answering: the visitor must not see them typing.
        visible_conversations(agent, mentions=False)
        .filter(pk=conversation_id, channel=Channel.LIVECHAT, status__in=OPEN_STATUSES)
        .first()
    )
    if conversation is None or not _typing_allowed(conversation, "agent"):
        return False
    ports.visitor_event(conversation.pk, "typing", "")
    return True


def visitor_context(**given: object) -> dict:
    """The stored shape of a visitor's context: every field, as text."""
    return {key: str(given.get(key) or "") for key in VISITOR_FIELDS}


@transaction.atomic
def conversation_visitor_update(*, conversation_id: int, visitor: dict) -> bool:
    """The visitor moved to another page (or said who they are): keep their open
    chat's context current and tell whoever sees it. False when nothing changed."""
    conversation = (
        Conversation.objects.select_for_update()
        .filter(pk=conversation_id, channel=Channel.LIVECHAT)
        .first()
    )
    context = visitor_context(**visitor)
    if conversation is None or conversation.visitor == context:
        return False
    conversation.visitor = context
    conversation.save(update_fields=["visitor"])
    events.conversation_changed(conversation)
    return True
