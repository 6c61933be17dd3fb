"""Celery is configured from Django settings and really runs tasks through Redis."""

from __future__ import annotations

from celery.contrib.testing.worker import start_worker

from chatdesk.celery import app


@app.task(name="tests.add")
def add(x: int, y: int) -> int:
    return x + y


def test_celery_takes_its_settings_from_django():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.broker_url.split("://")[0] in {"redis", "redis+socket"}


def test_a_task_goes_through_the_broker_to_a_worker():
    # The result backend is off in production; a test-only in-memory one lets us
    # read the answer that the worker thread computed from the broker's message.
    app.conf.result_backend = "cache+memory://"
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            assert add.delay(2, 3).get(timeout=20) == 5
    finally:
        app.conf.result_backend = None
