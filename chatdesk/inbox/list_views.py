"""The inbox's views (Mine, Unassigned, All), their counts, and the list's orders.

A view narrows `visible_conversations` and never widens it: whatever a view
holds, the caller may see. Views hold open chats only (unassigned or taken, and
not archived for the caller), so the counts say what still needs attention.

- mine: customer chats the caller owns, and the caller's internal chats.
- unassigned: customer chats nobody owns that still wait to be taken.
- all: every open chat the caller may see.

Orders of a list:

- activity (the default): newest activity first, activity being the last
  message's time (`last_message_at`), or the chat's creation before any message;
  ties by id, newest first.
- waiting: longest-waiting customer first. Chats where a customer waits for a
  reply (`customer_waiting_since` set) come first, by that time, oldest first;
  then the others by the customer's last message, or the chat's creation when
  the customer never wrote, oldest first; ties by id, oldest first.
"""

from __future__ import annotations

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from chatdesk.accounts.models import User
from chatdesk.inbox import selectors
from chatdesk.inbox.models import OPEN_STATUSES, Channel, Conversation, Message, Status

VIEWS = ("mine", "unassigned", "all")
SORTS = ("activity", "waiting")
DEFAULT_SORT = "activity"


class BadListParameter(ValueError):
    """A view or sort the list does not know; `field` names the query parameter."""

    def __init__(self, field: str, value: str, allowed: tuple[str, ...]) -> None:
        super().__init__(f'"{value}" is not a {field}; use one of: {", ".join(allowed)}.')
        self.field = field


def parse_view(value: str | None) -> str | None:
    """The view named in a query string; None when absent or empty."""
    if not value:
        return None
    if value not in VIEWS:
        raise BadListParameter("view", value, VIEWS)
    return value


def parse_sort(value: str | None) -> str:
    if not value:
        return DEFAULT_SORT
    if value not in SORTS:
        raise BadListParameter("sort", value, SORTS)
    return value


def open_filter(user: User) -> Q:
    """Open chats of `user`'s inbox: unassigned or taken, not archived for them."""
    return Q(status__in=OPEN_STATUSES) & selectors.archived_filter(user, archived=False)


def view_filter(user: User, view: str) -> Q:
    """The view's own condition, on top of visibility and `open_filter`."""
    if view == "mine":
        return Q(owner_id=user.pk) | Q(channel=Channel.INTERNAL)
    if view == "unassigned":
        return Q(owner__isnull=True, status=Status.UNASSIGNED) & ~Q(channel=Channel.INTERNAL)
    return Q()


def in_view(queryset: QuerySet[Conversation], user: User, view: str) -> QuerySet[Conversation]:
    """`queryset` (already visible to `user`) narrowed to an open view."""
    return queryset.filter(open_filter(user)).filter(view_filter(user, view))


def view_counts(user: User) -> dict[str, int]:
    """How many open chats each view holds for `user`, in one aggregate query."""
    rows = (
        selectors.visible_conversations(user)
        .filter(open_filter(user))
        .order_by()
        .aggregate(
            mine=Count("pk", filter=view_filter(user, "mine")),
            unassigned=Count("pk", filter=view_filter(user, "unassigned")),
            all=Count("pk"),
        )
    )
    return {view: rows[view] or 0 for view in VIEWS}


def sorted_by(queryset: QuerySet[Conversation], sort: str) -> QuerySet[Conversation]:
    """`queryset` in the order `sort` names (see the module's docstring)."""
    if sort == "waiting":
        return with_waiting_since(queryset).order_by(
            "waiting_rank", F("waiting_since").asc(nulls_last=True), "id"
        )
    return queryset.annotate(activity_at=Coalesce("last_message_at", "created_at")).order_by(
        "-activity_at", "-id"
    )


def with_waiting_since(queryset: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """Annotate `waiting_since` (when the wait that orders the row began) and
    `waiting_rank` (0: a customer waits for a reply now; 1: nobody does)."""
    last_inbound = (
        Message.objects.filter(conversation_id=OuterRef("pk"), direction=Message.Direction.IN)
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    return queryset.annotate(
        waiting_rank=Case(
            When(customer_waiting_since__isnull=False, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        waiting_since=Coalesce("customer_waiting_since", Subquery(last_inbound), "created_at"),
    )
