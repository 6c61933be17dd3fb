"""What the visitor's socket is sent, and sending it over the channel layer."""

from __future__ import annotations

from collections.abc import Iterable

from channels.layers import get_channel_layer
from django.db.models import prefetch_related_objects

from channels_ingest.livechat import links
from chatdesk import channel_layer
from chatdesk.inbox.models import Message


def visitor_group(session_id: int) -> str:
    # The row id, not the token: group names are visible to anyone who can read Redis.
    return f"visitor.{session_id}"


def _iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def message_payload(message: Message, *, visitor_name: str, session_id: int) -> dict:
    """A message as the visitor of `session_id` sees it: no agent ids, no delivery internals.

    Files come with links signed for that session (links.py), never the agents' URLs.
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
        # "notice": what the desk said by itself (closed hours, the chat ended), not a person.
        "kind": message.kind,
        "created_at": _iso(message.created_at),
        "sender_name": sender_name,
        "attachments": [
            {
                "id": item.pk,
                "name": item.name,
                "content_type": item.content_type,
                "size": item.size,
                **links.attachment_links(item, session_id),
            }
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


def send_message_to_each(
    session_ids: Iterable[int], message: Message, *, visitor_name: str
) -> None:
    """The message to each session with its own file links. Raises like send_message."""
    prefetch_related_objects([message], "attachments")  # a no-op when the caller did
    for session_id in session_ids:
        payload = message_payload(message, visitor_name=visitor_name, session_id=session_id)
        send_message([session_id], payload)


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
