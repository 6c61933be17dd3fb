"""Message text matching, one per database; the rest of search is the same on both.

PostgreSQL: the `@@` of a 'simple' text search vector against a prefix query, served by
the GIN index of search/migrations/0001. SQLite: the FTS5 table's MATCH
(search/sqlite_fts.py). Either way every word typed must begin a word of the message.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from search import sqlite_fts
from search.query import Query

CONFIG = "simple"
# A word this short matches as a whole word only: as a prefix ("or") it would match a
# large share of every message table ("order", "organise"), for nobody's benefit.
MIN_PREFIX = 3


def _prefix(word: str) -> bool:
    return len(word) >= MIN_PREFIX


def _pg_word(word: str) -> str:
    return f"'{word}':*" if _prefix(word) else f"'{word}'"


def message_text(query: Query) -> Q:
    """A filter on messages: the body holds every word of `query` (as word prefixes)."""
    if connection.vendor == "postgresql":
        # Words are letters and digits only (search/query.WORD), so quoting is enough.
        raw = " & ".join(_pg_word(word) for word in query.words)
        return Q(body__search=SearchQuery(raw, search_type="raw", config=CONFIG))
    if connection.vendor == "sqlite":
        match = " ".join(f'"{word}"' + ("*" if _prefix(word) else "") for word in query.words)
        table = sqlite_fts.TABLE
        return Q(pk__in=RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [match]))
    # Any other database: a contains-match per word (no index; correct, slower).
    q = Q()
    for word in query.words:
        q &= Q(body__icontains=word)
    return q


def newest_matches_first() -> tuple:
    """The order of message hits: newest first.

    On PostgreSQL the sort key is wrapped so that no index provides it. Otherwise the
    planner, which cannot estimate how many messages a prefix query matches, may walk
    the whole created_at index backwards, building every message's vector on the way
    until twenty match: fast for a word in every message, a scan of the table for the
    rare words search is for. Unwrapped, the matches come from the GIN index and only
    they are sorted; the cost follows the number of matches, not the table.
    """
    if connection.vendor == "postgresql":
        return (Coalesce(F("created_at"), F("created_at")).desc(), "-id")
    return ("-created_at", "-id")


def name_fallback(field: str, query: Query) -> Q:
    """Near matches of a name (a typo, a letter missing): PostgreSQL's trigram word
    similarity, served by the trigram index; nothing elsewhere."""
    if connection.vendor != "postgresql":
        return Q()
    return Q(**{f"{field}__trigram_word_similar": query.text})
