"""What the visitor's socket is sent, and sending it over the channel layer."""

from __future__ import annotations

from collections.abc import Iterable

from channels.layers import get_channel_layer

from chatdesk import channel_layer
from chatdesk.inbox.models import Message


def visitor_group(session_id: int) -> str:
    # The row id, not the token: group names are visible to anyone who can read Redis.
    return f"visitor.{session_id}"


def _iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def message_payload(message: Message, *, visitor_name: str) -> dict:
    """A message as the visitor sees it: no agent ids, no delivery internals, no file URLs.

    Attachment URLs are left out because they are served to signed-in agents only.
    """
    if message.direction == Message.Direction.IN:
        sender_name = visitor_name
    elif message.sender_id is not None:
        sender_name = message.sender.first_name or message.sender.username
    else:
        sender_name = ""
    visitor_prefix, _, client_id = (message.provider_message_id or "").rpartition(":")
    return {
        "id": message.pk,
        "direction": message.direction,
        "body": message.body,
        "created_at": _iso(message.created_at),
        "sender_name": sender_name,
        "attachments": [
            {"name": item.name, "content_type": item.content_type, "size": item.size}
            for item in message.attachments.all()
        ],
        # Lets the widget match its own "sending..." bubble to the stored message.
        "client_id": client_id if visitor_prefix and message.direction == "in" else None,
    }


def send_message(session_ids: Iterable[int], payload: dict) -> None:
    """Raises when the channel layer is down; callers decide whether that is fatal."""
    layer = get_channel_layer()
    for session_id in session_ids:
        channel_layer.call(
            layer.group_send,
            visitor_group(session_id),
            {"type": "visitor.message", "data": payload},
        )


def send_ended(session_ids: Iterable[int], body: str) -> None:
    layer = get_channel_layer()
    for session_id in session_ids:
        channel_layer.call(
            layer.group_send, visitor_group(session_id), {"type": "visitor.ended", "body": body}
        )


def send_event(session_ids: Iterable[int], event_type: str, data: dict) -> None:
    """Any other notice inbox sends the visitor, passed through as `{type, data}`."""
    layer = get_channel_layer()
    for session_id in session_ids:
        channel_layer.call(
            layer.group_send,
            visitor_group(session_id),
            {"type": "visitor.event", "event_type": event_type, "data": data},
        )
