"""Agent -> visitor: replies to the visitor's socket, and the end/block notifier."""

from __future__ import annotations

import logging

from django.db import transaction

from channels_ingest.livechat import push, selectors
from channels_ingest.livechat.services import visitor_session_end
from chatdesk.inbox.models import Channel, Conversation, DeliveryStatus, Message
from chatdesk.inbox.services.receive import message_status_update

logger = logging.getLogger(__name__)


def deliver_to_visitor(message_id: int) -> str:
    """Send a stored agent reply to the visitor's sockets; returns its delivery status.

    "delivered" when a socket of the visitor is connected, else "sent": the visitor
    sees it when they reconnect (the socket replays the session's messages). A
    channel-layer failure raises, so the outbound task retries; a second send is
    harmless because the widget de-duplicates by message id.
    """
    message = (
        Message.objects.select_related("conversation__identity", "sender")
        .prefetch_related("attachments")
        .get(pk=message_id)
    )
    conversation = message.conversation
    if conversation.channel != Channel.LIVECHAT or message.direction != Message.Direction.OUT:
        raise ValueError(f"Message {message_id} is not a live-chat reply.")
    if message.kind == Message.Kind.NOTE:
        raise ValueError(f"Message {message_id} is a private note; it never reaches the visitor.")
    sessions = list(selectors.conversation_sessions(conversation))
    visitor_name = sessions[0].name if sessions else ""
    push.send_message_to_each([s.pk for s in sessions], message, visitor_name=visitor_name)
    status = (
        DeliveryStatus.DELIVERED
        if any(selectors.is_connected(s) for s in sessions)
        else DeliveryStatus.SENT
    )
    return _record(message, conversation, status)


@transaction.atomic
def _record(message: Message, conversation: Conversation, status: str) -> str:
    """Through inbox's status update (events, never backwards); live chat has no
    provider id, so the reply gets a stable one of its own first."""
    locked = Message.objects.select_for_update().get(pk=message.pk)
    if not locked.provider_message_id or locked.channel_account_id is None:
        locked.provider_message_id = locked.provider_message_id or f"livechat-{locked.pk}"
        locked.channel_account_id = locked.channel_account_id or conversation.channel_account_id
        locked.save(update_fields=["provider_message_id", "channel_account_id"])
    updated = message_status_update(
        channel_account_id=locked.channel_account_id,
        provider_message_id=locked.provider_message_id,
        status=status,
    )
    return (updated or locked).delivery_status


def notify_visitor(conversation_id: int, event_type: str, body: str) -> None:
    """inbox's visitor port, called after commit. `chat.ended` ends the visitor's
    sessions, shows the notice and closes their sockets.

    Never raises: the agent's action is committed; a visitor who misses the notice
    finds the session ended on their next message or reconnect.
    """
    try:
        if event_type == "chat.ended":
            push.send_ended(visitor_session_end(conversation_id=conversation_id), body)
            return
        conversation = Conversation.objects.select_related("identity").get(pk=conversation_id)
        session_ids = selectors.conversation_sessions(conversation).values_list("pk", flat=True)
        # A typing notice says nothing but that: `{"type": "typing", "data": {}}`.
        push.send_event(list(session_ids), event_type, {"body": body} if body else {})
    except Exception:
        logger.exception("Could not tell the visitor of conversation %s", conversation_id)
