"""Message text matching, one per database; the rest of search is the same on both.

PostgreSQL: the `@@` of a 'simple' text search vector against a prefix query, served by
the GIN index of search/migrations/0001. SQLite: the FTS5 table's MATCH
(search/sqlite_fts.py). Either way every word typed must begin a word of the message.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import F, Q, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat

from chatdesk.inbox.models import Message
from chatdesk.search import sqlite_fts
from chatdesk.search.query import Query

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
        return Q(body__search=_pg_query(query))
    if connection.vendor == "sqlite":
        match = " ".join(f'"{word}"' + ("*" if _prefix(word) else "") for word in query.words)
        table = sqlite_fts.TABLE
        return Q(pk__in=RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [match]))
    # Any other database: a contains-match per word (no index; correct, slower).
    q = Q()
    for word in query.words:
        q &= Q(body__icontains=word)
    return q


def _pg_query(query: Query) -> SearchQuery:
    # Words are letters and digits only (search/query.WORD), so quoting is enough.
    raw = " & ".join(_pg_word(word) for word in query.words)
    return SearchQuery(raw, search_type="raw", config=CONFIG)


# Matches past which a query counts as common on PostgreSQL (see newest_matches).
COMMON = 1000


def newest_matches(messages: QuerySet[Message], query: Query) -> QuerySet[Message]:
    """`messages` holding the words of `query`, newest first.

    On PostgreSQL the plan is chosen here, not by the planner, which cannot estimate
    how many messages a prefix query matches and guesses wrong both ways: walking the
    created_at index backwards, building each message's vector until twenty match, is
    quick for a word in many messages and a scan of the table for a rare one; taking the
    matches from the GIN index and sorting them is quick for a rare word and reads half
    the table for a common one. One capped count through the index tells which it is;
    then each form of the query leaves the planner one plan: the rare form sorts by an
    expression no index provides, the common form filters by one no index serves.
    """
    if connection.vendor != "postgresql":
        return messages.filter(message_text(query)).order_by("-created_at", "-id")
    matched = Message.objects.filter(message_text(query)).order_by().values("pk")[:COMMON]
    if matched.count() < COMMON:
        newest = Coalesce(F("created_at"), F("created_at")).desc()
        return messages.filter(message_text(query)).order_by(newest, "-id")
    unindexed = SearchVector(Concat(F("body"), Value(" "), output_field=TextField()), config=CONFIG)
    return (
        messages.alias(unindexed_vector=unindexed)
        .filter(unindexed_vector=_pg_query(query))
        .order_by("-created_at", "-id")
    )


def name_fallback(field: str, query: Query) -> Q:
    """Near matches of a name (a typo, a letter missing): PostgreSQL's trigram word
    similarity, served by the trigram index; nothing elsewhere."""
    if connection.vendor != "postgresql":
        return Q()
    return Q(**{f"{field}__trigram_word_similar": query.text})
