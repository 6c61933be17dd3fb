"""Message text matching, one per database; the rest of search is the same on both.

PostgreSQL: the `@@` of a 'simple' text search vector against a prefix query, served by
the GIN index of search/migrations/0001. SQLite: the FTS5 table's MATCH
(search/sqlite_fts.py). Either way every word typed must begin a word of the message.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from search import sqlite_fts
from search.query import Query

CONFIG = "simple"


def message_text(query: Query) -> Q:
    """A filter on messages: the body holds every word of `query` (as word prefixes)."""
    if connection.vendor == "postgresql":
        # Words are letters and digits only (search/query.WORD), so quoting is enough.
        raw = " & ".join(f"'{word}':*" for word in query.words)
        return Q(body__search=SearchQuery(raw, search_type="raw", config=CONFIG))
    if connection.vendor == "sqlite":
        match = " ".join(f'"{word}"*' for word in query.words)
        table = sqlite_fts.TABLE
        return Q(pk__in=RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [match]))
    # Any other database: a contains-match per word (no index; correct, slower).
    q = Q()
    for word in query.words:
        q &= Q(body__icontains=word)
    return q


def name_fallback(field: str, query: Query) -> Q:
    """Near matches of a name (a typo, a letter missing): PostgreSQL's trigram word
    similarity, served by the trigram index; nothing elsewhere."""
    if connection.vendor != "postgresql":
        return Q()
    return Q(**{f"{field}__trigram_word_similar": query.text})
