"""The embedded database's message index survives what SQLite does to tables: Django
rebuilds a table for most schema changes, dropping its triggers; after a migrate the
triggers come back and the index is rebuilt."""

from __future__ import annotations

import pytest
from django.db import connection

from chatdesk.search import sqlite_fts
from chatdesk.search.query import parse
from chatdesk.search.selectors import messages_matching

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 index"),
]


def _found(user, text):
    return [m.body for m in messages_matching(user, parse(text))]


def test_lost_triggers_are_put_back_and_the_index_rebuilt(customer_writes, carol):
    with connection.cursor() as cursor:
        for name in sqlite_fts.TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    customer_writes("written while the triggers were gone", address="14155550301")
    assert _found(carol, "triggers") == []

    sqlite_fts.ensure_after_migrate(using="default")

    assert _found(carol, "triggers") == ["written while the triggers were gone"]
    customer_writes("and the triggers work again", address="14155550302")
    assert len(_found(carol, "triggers")) == 2


def test_the_index_folds_case_and_accents(customer_writes, carol):
    customer_writes("Grüße aus München", address="14155550303")
    assert _found(carol, "MUNCHEN") == ["Grüße aus München"]
