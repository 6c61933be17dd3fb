"""Scenario 8: data at scale. The same four reads over the real HTTP API at a small and
at a large scale (bench/generator.py loads the data), their time ratio and query counts.

The reads: an agent's inbox list, one of its conversations' messages page, that
contact's history, and a manager's archive search for a word. Small first, then the
large load on top, then the same reads again: the scales cannot alternate, so each
side's samples are interleaved across the four reads instead.
"""

from __future__ import annotations

import time

import httpx
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from bench import generator
from bench.data import PHONE_NUMBER_ID, Desk
from bench.stats import ratios, summary_ms
from channels_ingest.models import ChannelAccount
from chatdesk.accounts.models import Role, User
from chatdesk.inbox.models import Conversation

MESSAGES_PER_CHAT = 10
OWNERS = 20
WARM = 5  # rounds not counted: the first reads fill the database's cache


def _users() -> tuple[int, str, str, list[int]]:
    agent = User.objects.create(username="bench-scale-agent", role=Role.AGENT)
    manager = User.objects.create(username="bench-scale-manager", role=Role.MANAGER)
    owners = User.objects.bulk_create(
        User(username=f"bench-scale-owner-{n}", role=Role.AGENT) for n in range(OWNERS)
    )
    owner_ids = list(
        User.objects.filter(username__startswith="bench-scale-owner-").values_list("pk", flat=True)
    )
    del owners
    agent_token = Token.objects.create(user=agent).key
    manager_token = Token.objects.create(user=manager).key
    return agent.pk, agent_token, manager_token, owner_ids


def _analyze() -> None:
    """Refresh the planner's statistics after a bulk load, as autovacuum would within a
    minute of a million inserts in production; measuring with the statistics of an
    empty table would time plans no live database runs."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _paths(agent_id: int) -> dict[str, str]:
    mine = Conversation.objects.filter(owner_id=agent_id).order_by("pk").first()
    contact = mine.identity.contact_id
    return {
        "inbox list": "/api/v1/conversations/",
        "messages page": f"/api/v1/conversations/{mine.pk}/messages/",
        "contact history": f"/api/v1/contacts/{contact}/history/",
        "archive search": f"/api/v1/archive/?q={generator.NEEDLE}",
    }


def _headers(name: str, agent_token: str, manager_token: str) -> dict[str, str]:
    token = manager_token if name == "archive search" else agent_token
    return {"Authorization": f"Token {token}"}


def _time(base: str, paths: dict, tokens: tuple[str, str], samples: int) -> dict[str, list]:
    times: dict[str, list[float]] = {name: [] for name in paths}
    with httpx.Client(base_url=base, timeout=120) as client:
        for n in range(samples + WARM):
            for name, path in paths.items():
                start = time.monotonic()
                answer = client.get(path, headers=_headers(name, *tokens))
                answer.raise_for_status()
                if n >= WARM:
                    times[name].append(time.monotonic() - start)
    return times


def _queries(paths: dict, tokens: tuple[str, str]) -> dict[str, dict[str, int]]:
    """Queries of one request, in this process (Django's test client, same database), and
    the rows it listed: compared across scales, a count that grew would be an N+1."""
    client = Client()
    out = {}
    for name, path in paths.items():
        auth = _headers(name, *tokens)["Authorization"]
        with CaptureQueriesContext(connection) as captured:
            answer = client.get(path, HTTP_AUTHORIZATION=auth, HTTP_HOST="127.0.0.1")
        out[name] = {"queries": len(captured), "rows": len(answer.json().get("results", []))}
    return out


def run(base: str, desk: Desk, scale: tuple[int, int], samples: int) -> dict:
    account = ChannelAccount.objects.get(external_id=PHONE_NUMBER_ID).pk
    agent_id, agent_token, manager_token, owners = _users()
    tokens = (agent_token, manager_token)
    small, large = scale
    per = generator.CHATS_PER_CONTACT
    loads = [
        generator.load(
            first_contact=0,
            contacts=small // per,
            messages_per_chat=MESSAGES_PER_CHAT,
            account_id=account,
            owners=owners,
            agent_id=agent_id,
        )
    ]
    _analyze()
    paths = _paths(agent_id)
    before = _time(base, paths, tokens, samples)
    queries_small = _queries(paths, tokens)
    loads.append(
        generator.load(
            first_contact=small // per,
            contacts=(large - small) // per,
            messages_per_chat=MESSAGES_PER_CHAT,
            account_id=account,
            owners=owners,
            agent_id=None,
        )
    )
    _analyze()
    after = _time(base, paths, tokens, samples)
    queries_large = _queries(paths, tokens)
    endpoints = {}
    for name in paths:
        s, b = summary_ms(after[name]), summary_ms(before[name])
        endpoints[name] = {
            "large": s,
            "small": b,
            "ratio": ratios(s, b),
            "queries_small": queries_small[name],
            "queries_large": queries_large[name],
        }
    return {
        "conversations": {"small": small, "large": large},
        "messages": {"small": small * MESSAGES_PER_CHAT, "large": large * MESSAGES_PER_CHAT},
        "load_seconds": [load.seconds for load in loads],
        "samples": samples,
        "endpoints": endpoints,
    }
