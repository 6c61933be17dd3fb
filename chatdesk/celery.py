"""The Celery app, configured from Django settings (CELERY_* names)."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import task_prerun, worker_process_init
from django.conf import settings
from django.db import close_old_connections

from chatdesk import channel_layer

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatdesk.settings")

app = Celery("chatdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _prepare_worker_process(**_kwargs) -> None:
    """Each worker process keeps its connections from one task to the next.

    Why: by default Celery closes the database connection around every task, and the
    channel layer opened a Redis connection per event; on PostgreSQL a new connection
    and its cold caches were a large part of a reply's delivery (docs/performance.md).
    Now a connection lives WORKER_CONN_MAX_AGE seconds (CELERY_DB_REUSE_MAX tasks at
    most) and is health-checked before each task, so one dropped by a database restart
    is replaced instead of failing the task.
    """
    channel_layer.keep_event_loop()
    for database in settings.DATABASES.values():
        if "pool" not in database.get("OPTIONS", {}):
            database["CONN_MAX_AGE"] = settings.WORKER_CONN_MAX_AGE
            database["CONN_HEALTH_CHECKS"] = True


@task_prerun.connect
def _check_database_connections(task=None, **_kwargs) -> None:
    # Eager tasks (tests, `CELERY_TASK_ALWAYS_EAGER`) run inside their caller's request.
    if task is not None and getattr(task.request, "is_eager", False):
        return
    close_old_connections()
