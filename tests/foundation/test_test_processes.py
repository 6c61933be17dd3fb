"""Each test process (each pytest-xdist worker too) keeps its files out of the checkout
and apart from the others: var directory, SQLite test database, media, Redis."""

from __future__ import annotations

import importlib.metadata
import os
from pathlib import Path

from django.conf import settings
from django.db import connection

from chatdesk.env import BASE_DIR, VAR_DIR
from tests.redis_plugin import redis_url_for_worker


def test_files_of_a_test_run_stay_out_of_the_checkout():
    process_dir = Path(os.environ["CHATDESK_VAR_DIR"])
    assert process_dir == VAR_DIR
    assert not process_dir.is_relative_to(BASE_DIR)
    assert Path(settings.MEDIA_ROOT).is_relative_to(process_dir)
    assert Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).is_relative_to(process_dir)
    if connection.vendor == "sqlite":
        test_database = settings.DATABASES["default"]["TEST"]["NAME"]
        assert Path(test_database).is_relative_to(process_dir)
    if "EMBEDDED_REDIS_SOCKET" in os.environ:
        assert f"unix://{os.environ['EMBEDDED_REDIS_SOCKET']}" == settings.REDIS_URL
        assert not Path(os.environ["EMBEDDED_REDIS_SOCKET"]).is_relative_to(BASE_DIR)


def test_xdist_workers_on_one_redis_take_their_own_database():
    assert redis_url_for_worker("redis://127.0.0.1:6379/1", 0) == "redis://127.0.0.1:6379/1"
    assert redis_url_for_worker("redis://127.0.0.1:6379/1", 1) == "redis://127.0.0.1:6379/2"
    assert redis_url_for_worker("redis://h:6379", 2) == "redis://h:6379/2"
    assert redis_url_for_worker("rediss://:pw@h:6380/3?ssl=1", 1) == "rediss://:pw@h:6380/4?ssl=1"


def test_the_package_is_apache_2_licensed():
    assert importlib.metadata.metadata("chatdesk")["License-Expression"] == "Apache-2.0"
    text = (BASE_DIR / "LICENSE").read_text()
    assert text.lstrip().startswith("Apache License\n")
    assert "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
