"""The production example environment (deploy/systemd/chatdesk.env.example) starts a web
process as the systemd units do, and settings refuse CONN_MAX_AGE with the web pool at start
rather than failing every request at its first query."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from chatdesk.env import BASE_DIR
from tests import live

EXAMPLE = BASE_DIR / "deploy" / "systemd" / "chatdesk.env.example"

# What a daphne process of chatdesk-web@.service loads: chatdesk.asgi (which turns the
# pool on), then the database settings Django will use.
WEB = (
    "import json, chatdesk.asgi; from django.conf import settings; "
    "from django.db import connection; d = settings.DATABASES['default']; "
    "query = __import__('os').environ.get('QUERY') == '1'; "
    "query and connection.ensure_connection(); "
    "query and connection.cursor().execute('SELECT 1'); "
    "print(json.dumps([d['ENGINE'], d['CONN_MAX_AGE'], d['OPTIONS'].get('pool'), "
    "d['CONN_HEALTH_CHECKS']]))"
)


def _example_env() -> dict[str, str]:
    """The example file as systemd's EnvironmentFile reads it: KEY=VALUE, # comments."""
    env = {}
    for line in EXAMPLE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    return env


def _web_process(tmp_path: Path, **overrides: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        **_example_env(),
        # The example's shared volume may not exist on this machine.
        "CHATDESK_VAR_DIR": str(tmp_path / "var"),
        **overrides,
    }
    return subprocess.run(
        [sys.executable, "-c", WEB],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_example_names_a_postgresql_database_and_no_conn_max_age():
    env = _example_env()
    assert env["DATABASE_URL"].startswith("postgres://")
    assert "CONN_MAX_AGE" not in env


def test_a_web_process_loads_the_example_with_its_connection_pool(tmp_path):
    result = _web_process(tmp_path)
    assert result.returncode == 0, result.stderr
    engine, conn_max_age, pool, health_checks = json.loads(result.stdout)
    assert engine == "django.db.backends.postgresql"
    assert conn_max_age == 0
    assert pool["max_size"] == 10
    assert health_checks is True  # a pooled connection is checked before it is handed out


@pytest.mark.django_db
def test_a_web_process_with_the_example_queries_postgresql(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs this run's PostgreSQL (CI's PostgreSQL + Redis leg)")
    result = _web_process(tmp_path, DATABASE_URL=live.test_database_url(), QUERY="1")
    assert result.returncode == 0, result.stderr


def test_conn_max_age_with_the_pool_is_refused_at_start(tmp_path):
    result = _web_process(tmp_path, CONN_MAX_AGE="60")
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert "CONN_MAX_AGE and DATABASE_POOL_MAX cannot both be set" in message
    assert "Remove CONN_MAX_AGE (or set it to 0)" in message


def test_conn_max_age_without_the_pool_is_accepted(tmp_path):
    result = _web_process(tmp_path, CONN_MAX_AGE="60", DATABASE_POOL_MAX="0")
    assert result.returncode == 0, result.stderr
    engine, conn_max_age, pool, _checks = json.loads(result.stdout)
    assert (engine, conn_max_age, pool) == ("django.db.backends.postgresql", 60, None)
