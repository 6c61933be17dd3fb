"""The inbox rows: what one line of the conversation list shows.

The public conversation list (`/api/v1/conversations/`) has no last-message
preview, queue or owner name, and the list must show them on first paint, so
the web app reads them here through the inbox selectors and serializer.
"""

from __future__ import annotations

from django.db.models import QuerySet

from chatdesk.accounts.models import User
from chatdesk.inbox import selectors
from chatdesk.inbox.models import Channel, Conversation
from chatdesk.inbox.serializers import ConversationSerializer, represent

ROW_LIMIT = 200


def row_filters(params) -> dict:
    """The list's view and filters from a query string (unknown values are ignored)."""
    channel = params.get("channel", "")
    queue = params.get("queue", "")
    label = params.get("label", "")
    return {
        "archived": params.get("view") == "archived",
        "channel": channel if channel in Channel.values else "",
        "queue": int(queue) if queue.isdigit() else None,
        "label": int(label) if label.isdigit() and len(label) < 19 else None,
    }


def row_queryset(
    user: User, *, archived: bool, channel: str, queue: int | None, label: int | None = None
) -> QuerySet:
    rows = selectors.inbox_rows(user, archived=archived).prefetch_related("participants", "labels")
    if channel:
        rows = rows.filter(channel=channel)
    if queue:
        rows = rows.filter(queue_id=queue)
    if label:
        rows = rows.filter(labels__id=label)
    return selectors.with_unread_counts(rows, user)[:ROW_LIMIT]


def row_data(conversation: Conversation) -> dict:
    data = represent(ConversationSerializer, conversation)  # a serializer kept, not one a row
    owner = conversation.owner
    data["last_message"] = getattr(conversation, "last_body", "") or ""
    data["queue_name"] = conversation.queue.name if conversation.queue_id else ""
    data["owner_name"] = (owner.get_full_name() or owner.username) if owner else ""
    return data
