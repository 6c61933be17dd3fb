"""Search costs the same number of queries whatever the number of hits, and on
PostgreSQL its plans can use the indexes of search/migrations/0001."""

from __future__ import annotations

import pytest
from django.db import connection

from chatdesk.inbox.models import Conversation
from chatdesk.search.api import render
from chatdesk.search.query import parse
from chatdesk.search.selectors import messages_matching, search
from contacts.services import contact_create

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's indexes"
)


def _world(customer_writes, api, alice, how_many: int) -> None:
    """`how_many` chats, each with a contact, a matching address and a matching message,
    all taken by alice."""
    for n in range(how_many):
        address = f"1415555{n:04d}"
        message = customer_writes(f"kumquat number {n}", address=address, name=f"Kumquat {n}")
        contact = contact_create(name=f"Kumquat fan {n}", email="", phone="")
        identity = message.conversation.identity
        identity.contact = contact
        identity.save()
        # Owned outright: taking 22 chats through the API would meet alice's capacity.
        Conversation.objects.filter(pk=message.conversation_id).update(owner=alice, status="taken")


@pytest.mark.parametrize("how_many", [1, 15])
@pytest.mark.parametrize("who", ["alice", "carol"])
def test_the_query_count_does_not_grow_with_the_hits(
    how_many, who, customer_writes, api, alice, carol, django_assert_num_queries
):
    _world(customer_writes, api, alice, how_many)
    query = parse("kumquat")
    # contacts + their identities, conversations + participants + labels, messages +
    # participants (and on PostgreSQL one capped count that picks the message plan)
    with django_assert_num_queries(7 + (connection.vendor == "postgresql")):
        answer = render(search({"alice": alice, "carol": carol}[who], query))
    assert [len(answer[kind]) for kind in ("contacts", "conversations", "messages")] == [
        how_many
    ] * 3


def test_at_most_twenty_of_each(customer_writes, api, alice):
    _world(customer_writes, api, alice, 22)
    answer = api(alice).get("/api/v1/search/", {"q": "kumquat"}).json()
    assert [len(answer[kind]) for kind in ("contacts", "conversations", "messages")] == [20] * 3


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        # A tiny test table is cheaper to scan; forbid that so the plan shows whether the
        # index is usable at all for this query.
        cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()


@postgresql_only
def test_message_search_can_use_the_text_search_index(carol):
    assert "search_message_body_tsv" in _plan(messages_matching(carol, parse("refund")))


@postgresql_only
def test_a_misspelt_name_is_found_by_trigram_similarity(alice, api):
    contact = contact_create(name="Harriet Vane", email="", phone="")
    answer = api(alice).get("/api/v1/search/", {"q": "Hariet"}).json()
    assert [hit["id"] for hit in answer["contacts"]] == [contact.pk]


@postgresql_only
def test_a_common_word_takes_the_other_plan_with_the_same_answer(
    customer_writes, carol, monkeypatch
):
    from chatdesk.search import backends

    first = customer_writes("order one", address="14155550201")
    second = customer_writes("order two", address="14155550202")
    customer_writes("something else", address="14155550203")
    rare = [m.pk for m in messages_matching(carol, parse("order"))]
    monkeypatch.setattr(backends, "COMMON", 2)  # two matches now make the word common
    common = messages_matching(carol, parse("order"))
    assert "search_message_body_tsv" not in common.explain()
    assert [m.pk for m in common] == rare == [second.pk, first.pk]
