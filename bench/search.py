"""Scenario 9: search at scale. The search endpoint over the real HTTP API with a small
and then a large message table, its time ratio and its query counts.

The rows are written with set-based SQL (`INSERT ... SELECT` over a counter), not model
by model: contacts, identities and conversations with bulk inserts, then every message
in one statement, so a million messages load in a minute or two, the search index
(the FTS5 triggers on SQLite, the GIN index on PostgreSQL) kept as in production.

The searches: a manager's and an agent's word that a fixed number of messages hold (the
needle, written in the first load only), a manager's phone number typed with spaces,
and for reading, a word whose messages grow with the table.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

import httpx

from bench.stats import ratios, summary_ms

MESSAGES_PER_CHAT = 10
CHATS_PER_CONTACT = 2  # one open, one archived
OWNERS = 20
MINE = 60  # the measured agent's chats, all in the first load
NEEDLE = "kumquat"
NEEDLES = 30
VOCABULARY = 5000  # "word<n>": at 1M messages, each such word is in 200 of them
WARM = 5
BATCH = 5000


@dataclass
class Load:
    conversations: int
    messages: int
    seconds: float


def _users() -> tuple[int, str, str, list[int]]:
    from rest_framework.authtoken.models import Token

    from chatdesk.accounts.models import Role, User

    agent = User.objects.create(username="bench-search-agent", role=Role.AGENT)
    manager = User.objects.create(username="bench-search-manager", role=Role.MANAGER)
    User.objects.bulk_create(
        User(username=f"bench-search-owner-{n}", role=Role.AGENT) for n in range(OWNERS)
    )
    owners = list(
        User.objects.filter(username__startswith="bench-search-owner-").values_list("pk", flat=True)
    )
    return (
        agent.pk,
        Token.objects.create(user=agent).key,
        Token.objects.create(user=manager).key,
        owners,
    )


def _messages_sql(vendor: str) -> str:
    """Every conversation after an id gets MESSAGES_PER_CHAT messages, in one statement."""
    empty_list = "'[]'::jsonb" if vendor == "postgresql" else "'[]'"
    return (
        "WITH RECURSIVE k(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM k WHERE m < %s) "
        "INSERT INTO inbox_message (conversation_id, direction, body, kind, missing_files, "
        "delivery_status, delivery_error, delivery_attempts, created_at) "
        "SELECT c.id, CASE WHEN k.m %% 2 = 0 THEN 'in' ELSE 'out' END, "
        "'About order ' || c.id || ', line ' || k.m || ': word' || "
        "((c.id * " + str(MESSAGES_PER_CHAT) + " + k.m) %% " + str(VOCABULARY) + "), "
        f"'message', {empty_list}, 'sent', '', 0, c.last_message_at "
        "FROM inbox_conversation c CROSS JOIN k WHERE c.id > %s"
    )


def load(*, first: int, conversations: int, account_id: int, owners: list[int],
         agent_id: int | None) -> Load:  # fmt: skip
    from django.db import connection, transaction
    from django.utils import timezone

    from chatdesk.inbox.models import Conversation, Message, Status
    from contacts.models import Contact, Identity

    started = time.monotonic()
    now = timezone.now()
    numbers = range(first, first + conversations // CHATS_PER_CONTACT)
    with transaction.atomic():
        people = Contact.objects.bulk_create(
            (Contact(name=f"Search customer {n}", phone=f"+1777{n:07d}") for n in numbers),
            batch_size=BATCH,
        )
        identities = Identity.objects.bulk_create(
            (
                Identity(kind="whatsapp", address=f"1777{n:07d}", contact_id=c.pk)
                for n, c in zip(numbers, people, strict=True)
            ),
            batch_size=BATCH,
        )
        last = Conversation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        chats = []
        for index, identity in enumerate(identities):
            for k in range(CHATS_PER_CONTACT):
                is_open = k == 0
                mine = agent_id is not None and is_open and index < MINE
                chats.append(
                    Conversation(
                        channel="whatsapp",
                        channel_account_id=account_id,
                        identity_id=identity.pk,
                        status=Status.TAKEN if is_open else Status.ENDED,
                        archived=not is_open,
                        owner_id=agent_id if mine else owners[(index + k) % len(owners)],
                        last_message_at=now - timedelta(minutes=index * CHATS_PER_CONTACT + k),
                    )
                )
        Conversation.objects.bulk_create(chats, batch_size=BATCH)
        with connection.cursor() as cursor:
            cursor.execute(_messages_sql(connection.vendor), [MESSAGES_PER_CHAT - 1, last])
        # Counted, not the cursor's rowcount: SQLite's driver reports -1 for a WITH statement.
        added = Message.objects.filter(conversation_id__gt=last).count()
        if agent_id is not None:
            needles = Message.objects.filter(conversation__owner_id=agent_id).order_by("pk")
            ids = list(needles.values_list("pk", flat=True)[:NEEDLES])
            for pk in ids:  # a handful of rows; each through the index's triggers
                message = Message.objects.filter(pk=pk)
                message.update(body=f"Where is my {NEEDLE} parcel? ref {pk}")
    return Load(len(chats), added, round(time.monotonic() - started, 1))


def _analyze() -> None:
    """Refresh the planner's statistics after a bulk load, and on PostgreSQL merge the GIN
    indexes' pending entries (a bulk load leaves them in a list every search reads
    through), as autovacuum would within a minute of a million inserts."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _searches() -> dict[str, tuple[str, str]]:
    """name -> (who, query)."""
    return {
        "manager, needle": ("manager", NEEDLE),
        "agent, needle": ("agent", NEEDLE),
        "manager, phone typed": ("manager", "+1 777 000 0042"),
        "manager, name": ("manager", "search customer 42"),
        "manager, word growing with the table": ("manager", "word1234"),
    }


def _time(base: str, searches: dict, tokens: dict, samples: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in searches}
    with httpx.Client(base_url=base, timeout=120) as client:
        for n in range(samples + WARM):
            for name, (who, q) in searches.items():
                started = time.monotonic()
                answer = client.get(
                    "/api/v1/search/",
                    params={"q": q},
                    headers={"Authorization": f"Token {tokens[who]}"},
                )
                answer.raise_for_status()
                if n >= WARM:
                    times[name].append(time.monotonic() - started)
    return times


def _queries(searches: dict, tokens: dict) -> dict[str, dict[str, int]]:
    """Queries of one search in this process (same database) and the hits it listed."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    out = {}
    for name, (who, q) in searches.items():
        with CaptureQueriesContext(connection) as captured:
            answer = client.get(
                "/api/v1/search/",
                {"q": q},
                HTTP_AUTHORIZATION=f"Token {tokens[who]}",
                HTTP_HOST="127.0.0.1",
            )
        data = answer.json()
        out[name] = {
            "queries": len(captured),
            "hits": sum(len(data[kind]) for kind in ("contacts", "conversations", "messages")),
        }
    return out


def run(base: str, sizes: tuple[int, int], samples: int) -> dict:
    """`sizes`: messages at the small and at the large scale."""
    from bench.data import PHONE_NUMBER_ID
    from channels_ingest.models import ChannelAccount

    account = ChannelAccount.objects.get(external_id=PHONE_NUMBER_ID).pk
    agent_id, agent_token, manager_token, owners = _users()
    tokens = {"agent": agent_token, "manager": manager_token}
    small, large = (size // MESSAGES_PER_CHAT for size in sizes)
    loads = [load(first=0, conversations=small, account_id=account, owners=owners,
                  agent_id=agent_id)]  # fmt: skip
    _analyze()
    searches = _searches()
    before = _time(base, searches, tokens, samples)
    queries_small = _queries(searches, tokens)
    loads.append(
        load(
            first=small // CHATS_PER_CONTACT,
            conversations=large - small,
            account_id=account,
            owners=owners,
            agent_id=None,
        )
    )
    _analyze()
    after = _time(base, searches, tokens, samples)
    queries_large = _queries(searches, tokens)
    results = {}
    for name in searches:
        s, b = summary_ms(after[name]), summary_ms(before[name])
        results[name] = {
            "large": s,
            "small": b,
            "ratio": ratios(s, b),
            "queries_small": queries_small[name],
            "queries_large": queries_large[name],
        }
    return {
        "messages": {
            "small": sum(x.messages for x in loads[:1]),
            "large": sum(x.messages for x in loads),
        },
        "load_seconds": [x.seconds for x in loads],
        "samples": samples,
        "searches": results,
    }
