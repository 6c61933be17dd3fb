"""A Celery worker process keeps its connections from one task to the next: one event loop
(so one Redis connection) for the channel layer, and its database connection, checked
before each task so that one dropped by a database restart is replaced."""

from __future__ import annotations

import psycopg
import pytest
import redis
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection

from chatdesk import celery as worker_setup
from chatdesk import channel_layer
from chatdesk.celery import app


@pytest.fixture
def kept_loop():
    channel_layer.keep_event_loop()
    loop = channel_layer._loop
    yield loop
    channel_layer._loop = None
    loop.call_soon_threadsafe(loop.stop)


def _connections_received() -> int:
    return redis.Redis.from_url(settings.REDIS_URL).info("stats")["total_connections_received"]


def test_a_worker_sends_every_event_over_one_kept_redis_connection(kept_loop):
    layer = get_channel_layer()
    channel = channel_layer.call(layer.new_channel)
    channel_layer.call(layer.group_add, "tests.kept-loop", channel)
    channel_layer.keep_event_loop()  # a second call keeps the same loop
    assert channel_layer._loop is kept_loop
    before = _connections_received()
    for n in range(20):
        channel_layer.call(layer.group_send, "tests.kept-loop", {"type": "test.event", "n": n})
    # Before: async_to_sync made a loop, and so a Redis connection, for each of the 20.
    assert _connections_received() - before <= 2
    received = [channel_layer.call(layer.receive, channel)["n"] for _ in range(20)]
    assert received == list(range(20))
    channel_layer.call(layer.group_discard, "tests.kept-loop", channel)


def test_celery_recycles_a_worker_connection_only_after_many_tasks():
    assert app.conf.get("CELERY_DB_REUSE_MAX") >= 100


@pytest.mark.django_db(transaction=True)
def test_a_worker_reuses_its_database_connection_and_replaces_a_dropped_one(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs a server whose backend can be terminated")
    database = settings.DATABASES["default"]
    monkeypatch.setitem(database, "CONN_MAX_AGE", 0)
    monkeypatch.setitem(database, "CONN_HEALTH_CHECKS", False)
    monkeypatch.setattr(channel_layer, "keep_event_loop", lambda: None)
    worker_setup._prepare_worker_process()
    connection.close()

    def task() -> int:
        """What a task does: the pre-run check, then some SQL."""
        worker_setup._check_database_connections()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    first = task()
    assert task() == first  # kept: no new connection (and its cold caches) per task
    params = connection.settings_dict
    with psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"],
        host=params["HOST"],
        port=params["PORT"] or 5432,
        password=params["PASSWORD"],
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [first])
    assert task() != first  # the dead connection was noticed and replaced, no error
    connection.close()
