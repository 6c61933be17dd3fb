"""Reads of service quality: a chat's service-level state and its rating, and totals
over many chats (reports count with these, so every figure agrees with the API)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from chatdesk.inbox.models import Conversation


def now() -> datetime:
    return timezone.now()


def breached_q(at: datetime | None = None) -> Q:
    """Chats that breached a target by `at` (now): recorded, or a due time already passed
    that the sweep has not recorded yet. For counting, e.g. `Count("pk", filter=...)`."""
    at = at or now()
    return Q(sla_breached=True) | Q(first_response_due_at__lt=at) | Q(resolution_due_at__lt=at)


def sla_breached_count(conversations) -> int:
    """How many of `conversations` (a Conversation queryset) breached a target."""
    return conversations.filter(breached_q()).count()


def sla_state(conversation: Conversation, *, at: datetime | None = None) -> dict:
    """`{first_response_due_at, resolution_due_at, breached}` as the API shows it."""
    at = at or now()
    first, resolution = conversation.first_response_due_at, conversation.resolution_due_at
    breached = conversation.sla_breached or any(
        due is not None and due < at for due in (first, resolution)
    )
    return {"first_response_due_at": first, "resolution_due_at": resolution, "breached": breached}


def csat_of(conversation: Conversation) -> dict | None:
    """`{rating, comment, at}` as the API shows it, or None when unrated."""
    if conversation.csat_rating is None:
        return None
    return {
        "rating": conversation.csat_rating,
        "comment": conversation.csat_comment,
        "at": conversation.csat_at,
    }


def csat_totals(conversations: QuerySet[Conversation]) -> dict:
    """`{average, count}` of the ratings among `conversations` (average None if none)."""
    totals = conversations.filter(csat_rating__isnull=False).aggregate(
        average=Avg("csat_rating"), count=Count("pk")
    )
    average = totals["average"]
    return {
        "average": round(float(average), 2) if average is not None else None,
        "count": totals["count"],
    }
