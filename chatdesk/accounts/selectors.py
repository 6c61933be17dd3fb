"""Reads of agents that run on hot paths."""

from __future__ import annotations

import functools

from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from rest_framework.authtoken.models import Token

from chatdesk.accounts.models import Presence, Role, User
from chatdesk.rawsql import Columns, column, table


def active_user_for_token(key: str) -> User | None:
    """The active user whose API token is `key`, or None.

    The same answer as `Token.objects.select_related("user").get(key=key,
    user__is_active=True).user`, its SQL written once: every agent socket's handshake
    runs it, and Django composing the join cost several times more CPU than running it
    (docs/performance.md, scenario 3). Its row is read by `Columns`, not `Manager.raw()`,
    which cost the handshake more (docs/performance.md, "Framework overrides").
    tests/accounts/test_selectors.py holds the two to the same answer.
    """
    sql, columns = _user_for_token_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    return None if row is None else columns.instances(row)[0]


@functools.cache
def _user_for_token_query() -> tuple[str, Columns]:
    columns = Columns([(User, "u")])
    sql = (
        f"SELECT {columns.sql} FROM {table(Token)} t"
        f" JOIN {table(User)} u ON u.{column(User, 'id')} = t.{column(Token, 'user')}"
        f" WHERE t.{column(Token, 'key')} = %s AND u.{column(User, 'is_active')}"
    )
    return sql, columns


def takes_chats() -> Q:
    """Who can be handed a chat: agents, and a supervisor who also has an extension
    (one who answers customers too). A manager or owner without one does not."""
    return Q(role=Role.AGENT, is_superuser=False) | Q(extension__isnull=False)


def transfer_targets(*, search: str = "") -> QuerySet[User]:
    """The transfer dialog's list: available first, away next, offline last."""
    queryset = User.objects.filter(takes_chats(), is_active=True)
    if search:
        queryset = queryset.filter(
            Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(username__icontains=search)
            | Q(extension__startswith=search)
        )
    order = Case(
        When(status=Presence.AVAILABLE, then=Value(0)),
        When(status=Presence.AWAY, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return queryset.annotate(presence_order=order).order_by(
        "presence_order", "first_name", "username"
    )
