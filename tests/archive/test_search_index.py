"""On PostgreSQL the archive's message-text search can use the trigram index of
archive/migrations/0003 (it must match the exact expression Django's icontains emits)."""

from __future__ import annotations

import pytest
from django.db import connection

from archive.selectors import ArchiveFilter, archived_conversations

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL index (pg_trgm)"),
]


def test_archive_text_search_plan_uses_the_trigram_index(carol):
    queryset = archived_conversations(carol, ArchiveFilter(text="refund"))
    with connection.cursor() as cursor:
        # A tiny test table is cheaper to scan; forbid that so the plan shows whether the
        # index is usable at all for this query.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert "archive_message_body_upper_trgm" in plan
