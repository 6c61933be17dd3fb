"""Archive search (`?q=`) is `UPPER(body) LIKE UPPER('%text%')`: a scan of every message
without help. On PostgreSQL a trigram GIN index over exactly that expression lets the
planner find the matching messages first (bench scenario 8: archive search at 100,000
conversations). SQLite has no such index; it keeps the scan.

Creating the pg_trgm extension needs a privileged role; where the role may not, the
migration says so and carries on without the index rather than blocking the deploy.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

INDEX = "archive_message_body_upper_trgm"


def create_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:
        logger.warning("pg_trgm unavailable (%s); archive text search stays a scan", error)
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON inbox_message "
        "USING gin ((UPPER(body::text)) gin_trgm_ops)"
    )


def drop_index(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0002_reports_and_blocks_permissions"),
        ("inbox", "0005_attachment_provider_media_ref"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
