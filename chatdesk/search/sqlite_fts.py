"""The embedded database's message index: an FTS5 table over `inbox_message.body`, kept
in sync by triggers (external content: the text is stored once, in the messages)."""

from __future__ import annotations

import logging

from django.db import connections

logger = logging.getLogger(__name__)

TABLE = "search_message_fts"
MESSAGES = "inbox_message"
# remove_diacritics 2: "muller" finds "Müller", as people type names without accents.
TOKENIZE = "unicode61 remove_diacritics 2"

TRIGGERS = {
    f"{TABLE}_ai": (
        f"AFTER INSERT ON {MESSAGES} BEGIN "
        f"INSERT INTO {TABLE}(rowid, body) VALUES (new.id, new.body); END"
    ),
    f"{TABLE}_ad": (
        f"AFTER DELETE ON {MESSAGES} BEGIN "
        f"INSERT INTO {TABLE}({TABLE}, rowid, body) VALUES ('delete', old.id, old.body); END"
    ),
    f"{TABLE}_au": (
        f"AFTER UPDATE OF body ON {MESSAGES} BEGIN "
        f"INSERT INTO {TABLE}({TABLE}, rowid, body) VALUES ('delete', old.id, old.body); "
        f"INSERT INTO {TABLE}(rowid, body) VALUES (new.id, new.body); END"
    ),
}


def create(cursor) -> None:
    cursor.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
        f"body, content='{MESSAGES}', content_rowid='id', tokenize='{TOKENIZE}')"
    )
    ensure_triggers(cursor)
    cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")


def drop(cursor) -> None:
    for name in TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def ensure_triggers(cursor) -> bool:
    """Create the triggers that are missing; True when any was."""
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [MESSAGES]
    )
    present = {row[0] for row in cursor.fetchall()}
    missing = [name for name in TRIGGERS if name not in present]
    for name in missing:
        cursor.execute(f"CREATE TRIGGER {name} {TRIGGERS[name]}")
    return bool(missing)


def ensure_after_migrate(using: str = "default", **kwargs: object) -> None:
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [TABLE])
        if cursor.fetchone() is None:
            return  # not migrated this far yet (or migrated backwards)
        if ensure_triggers(cursor):
            logger.warning("message search triggers were missing; rebuilding the index")
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")
