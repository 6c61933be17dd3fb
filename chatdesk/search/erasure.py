"""The message index forgets an erased customer's messages for good."""

from __future__ import annotations

from django.db import connection

from chatdesk.search import sqlite_fts


def forget_messages(scope) -> list[str]:  # scope: chatdesk.inbox.services.erasure.ErasureScope
    """Called once the messages are deleted. On SQLite the index's triggers have removed
    them, but FTS5 keeps their words in older segments until those are merged: merging
    them all now leaves nothing of the erased text in the index's tables. PostgreSQL's
    GIN index drops dead entries at VACUUM (docs/operations.md). No stored files."""
    if connection.vendor == "sqlite" and scope.message_ids:
        table = sqlite_fts.TABLE
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
    return []
