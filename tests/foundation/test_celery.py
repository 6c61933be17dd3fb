"""Celery is configured from Django settings and really runs tasks through Redis."""

from __future__ import annotations

import time
import uuid

from celery.contrib.testing.worker import start_worker
from django.core.cache import cache

from chatdesk.celery import app


@app.task(name="tests.remember")
def remember(key: str, value: int) -> None:
    # No result backend in production: the worker leaves its answer in Redis instead.
    cache.set(key, value, timeout=60)


def test_celery_takes_its_settings_from_django():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.broker_url.split("://")[0] in {"redis", "redis+socket"}


def test_a_task_goes_through_the_broker_to_a_worker():
    key = f"tests.celery.{uuid.uuid4()}"
    # A queue of its own: other tests leave real delivery tasks in the broker.
    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=["tests.celery"]
    ):
        remember.apply_async((key, 5), queue="tests.celery")
        deadline = time.monotonic() + 20
        while cache.get(key) is None and time.monotonic() < deadline:
            time.sleep(0.1)
    assert cache.get(key) == 5
