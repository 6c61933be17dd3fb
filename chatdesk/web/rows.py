"""The inbox rows: what one line of the conversation list shows.

The public conversation list (`/api/v1/conversations/`) has no last-message
preview, queue or owner name, and the list must show them on first paint, so
the web app reads them here through the inbox selectors and serializer.
"""

from __future__ import annotations

from django.db.models import QuerySet

from chatdesk.accounts.models import User
from chatdesk.inbox import list_views, selectors
from chatdesk.inbox.models import Channel, Conversation
from chatdesk.inbox.quality import sla_state
from chatdesk.inbox.serializers import ConversationSerializer, represent
from chatdesk.inbox.services.sla import WARN_SHARE, sla_warn_at

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
        # Mine and Unassigned narrow Recents to a view; All is Recents as it is.
        "tab": params.get("tab") if params.get("tab") in ("mine", "unassigned") else "",
        "sort": params.get("sort") if params.get("sort") in list_views.SORTS else "activity",
        "label": int(label) if label.isdigit() and len(label) < 19 else None,
    }


def row_queryset(
    user: User,
    *,
    archived: bool,
    channel: str,
    queue: int | None,
    tab: str = "",
    sort: str = "activity",
    label: int | None = None,
) -> QuerySet:
    rows = selectors.inbox_rows(user, archived=archived).prefetch_related("participants", "labels")
    if channel:
        rows = rows.filter(channel=channel)
    if queue:
        rows = rows.filter(queue_id=queue)
    if label:
        rows = rows.filter(labels__id=label)
    if tab and not archived:
        rows = list_views.in_view(rows, user, tab)
    rows = list_views.sorted_by(rows, sort)
    return selectors.with_unread_counts(rows, user)[:ROW_LIMIT]


def row_data(conversation: Conversation) -> dict:
    data = represent(ConversationSerializer, conversation)  # a serializer kept, not one a row
    owner = conversation.owner
    data["last_message"] = getattr(conversation, "last_body", "") or ""
    data["queue_name"] = conversation.queue.name if conversation.queue_id else ""
    data["owner_name"] = (owner.get_full_name() or owner.username) if owner else ""
    data["sla_targets"] = sla_targets(conversation)
    # Only rows read in the waiting order carry it; the client sorts by it then.
    waiting_since = getattr(conversation, "waiting_since", None)
    data["waiting_since"] = waiting_since.isoformat() if waiting_since else None
    data["waiting_rank"] = getattr(conversation, "waiting_rank", None)
    return data


def sla_targets(conversation: Conversation) -> dict:
    """The queue's targets, so the list can tell how near a due time is (events carry
    only the due times; static/js/inbox-list.js keeps these across them)."""
    queue = conversation.queue if conversation.queue_id else None
    return {
        "first_response": queue.first_response_target_seconds if queue else None,
        "resolution": queue.resolution_target_seconds if queue else None,
        "warn_share": WARN_SHARE,
    }


def row_sla(conversation: Conversation) -> dict:
    """The first paint's SLA attributes of a row: its nearest due time, when it starts
    warning, and whether it breached (the script repaints them as time passes)."""
    state = sla_state(conversation)
    dues = [d for d in (state["first_response_due_at"], state["resolution_due_at"]) if d]
    warn = sla_warn_at(conversation)
    return {
        "due": min(dues).isoformat() if dues else "",
        "warn": warn.isoformat() if warn else "",
        "breached": state["breached"],
    }
