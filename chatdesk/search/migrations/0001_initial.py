"""The indexes behind search, one set per database.

PostgreSQL: a GIN index over the messages' text search vector (the 'simple'
configuration: no language's stemming, the desk speaks many), and trigram indexes
(pg_trgm) for the contains-matches of names, e-mails, numbers and addresses.
SQLite: an FTS5 table over the messages, kept in sync by triggers (search/sqlite_fts.py).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from chatdesk.search import sqlite_fts

# Each expression is exactly what the queries in search/backends.py compile to, or the
# planner would not use it: Django's icontains is UPPER(col::text) LIKE UPPER(%s).
PG_INDEXES = {
    "search_message_body_tsv": (
        "inbox_message",
        "gin (to_tsvector('simple'::regconfig, COALESCE(body, '')))",
    ),
    "search_contact_name_upper_trgm": ("contacts_contact", "gin ((UPPER(name::text)) gin_trgm_ops)"),
    "search_contact_name_trgm": ("contacts_contact", "gin (name gin_trgm_ops)"),
    "search_contact_email_upper_trgm": ("contacts_contact", "gin ((UPPER(email::text)) gin_trgm_ops)"),
    "search_contact_phone_upper_trgm": ("contacts_contact", "gin ((UPPER(phone::text)) gin_trgm_ops)"),
    "search_identity_address_upper_trgm": (
        "contacts_identity",
        "gin ((UPPER(address::text)) gin_trgm_ops)",
    ),
    "search_identity_name_upper_trgm": (
        "contacts_identity",
        "gin ((UPPER(display_name::text)) gin_trgm_ops)",
    ),
}


def forwards(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name, (table, using) in PG_INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING {using}")
    elif vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            sqlite_fts.create(cursor)


def backwards(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name in PG_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    elif vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            sqlite_fts.drop(cursor)


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0009_message_kind_missing_files_agent_connection"),
        ("contacts", "0002_contact_contact_phone_idx"),
        ("archive", "0003_message_body_trigram_index"),
    ]

    operations = [
        TrigramExtension(),  # PostgreSQL only; a no-op elsewhere
        migrations.RunPython(forwards, backwards),
    ]
