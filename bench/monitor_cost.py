"""What the live monitor costs the fan-out, per published batch, and what one picture
of the desk costs to read.

Run: .venv/bin/python -m pytest bench/monitor_cost.py -s -p no:cacheprovider
(it uses the test database and Redis; not part of `make test`). Add DATABASE_URL and
REDIS_URL for PostgreSQL and an external Redis.
"""

from __future__ import annotations

import statistics
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chatdesk.inbox import assignment
from chatdesk.inbox.models import Status
from chatdesk.inbox.monitor import monitor_snapshot
from chatdesk.realtime import fanout, monitor
from tests.factories import ConversationFactory, QueueFactory, QueueMemberFactory, UserFactory

BATCHES = 500


def _per_batch_us(batches: int) -> float:
    event = {"id": 1, "type": "message.created", "at": "2026-12-03T00:00:00Z", "data": {}}
    recipients = {1: list(range(1, 51))}
    fanout.send_events([event], recipients)  # connections opened before timing
    started = time.perf_counter()
    for _ in range(batches):
        fanout.send_events([event], recipients)
    return (time.perf_counter() - started) / batches * 1e6


def _watch(watching: bool) -> None:
    monitor.client().delete(monitor.ACTIVE_KEY, monitor.DIRTY_KEY)
    if watching:
        monitor.client().set(monitor.ACTIVE_KEY, 1, ex=60)
    monitor.forget_watching()


@pytest.mark.timeout(900)
@pytest.mark.django_db(transaction=True)
def test_fan_out_with_and_without_a_watcher():
    # Alternating rounds, so drift of a shared machine falls on both sides alike.
    samples: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(5):
        for watching in (False, True):
            _watch(watching)
            samples[watching].append(_per_batch_us(BATCHES))
    started = time.perf_counter()
    for _ in range(100_000):
        monitor.changed()
    flag_us = (time.perf_counter() - started) / 100_000 * 1e6
    _watch(False)
    idle, watched = statistics.median(samples[False]), statistics.median(samples[True])
    print(
        f"\nfan-out per batch of 50 recipients: nobody watching {idle:.0f} µs, "
        f"a supervisor watching {watched:.0f} µs ({watched - idle:+.0f} µs); "
        f"the monitor's own call {flag_us:.2f} µs"
    )


@pytest.mark.django_db(transaction=True)
def test_one_picture_of_a_busy_desk():
    team = [UserFactory(username=f"m{i}") for i in range(50)]
    for q in range(5):
        queue = QueueFactory(name=f"Monitor {q}", max_chats_per_agent=3)
        for agent in team:
            QueueMemberFactory(queue=queue, agent=agent)
        for _ in range(40):
            assignment.route(conversation=ConversationFactory(queue=queue))
        for agent in team[:20]:
            ConversationFactory(queue=queue, owner=agent, status=Status.TAKEN)
    monitor_snapshot()
    timings = []
    for _ in range(20):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            picture = monitor_snapshot()
            timings.append((time.perf_counter() - started) * 1000)
    print(
        f"\nsnapshot of 50 agents, 200 waiting chats (50 offers each), 5 queues: "
        f"{len(captured)} queries, median {statistics.median(timings):.1f} ms, "
        f"{len(picture['waiting'])} waiting"
    )
