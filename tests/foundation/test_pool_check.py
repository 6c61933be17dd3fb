"""The web process's PostgreSQL pool (Django's own, with CONN_HEALTH_CHECKS) never hands
out a connection whose backend has gone away."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper
from psycopg_pool import ConnectionPool
from rest_framework.authtoken.models import Token

from tests import live

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL pool, and a backend that can be terminated")


@pytest.fixture
def admin() -> Iterator[psycopg.Connection]:
    with psycopg.connect(live.test_database_url(), autocommit=True) as conn:
        yield conn


def _pool(alias: str) -> ConnectionPool:
    """Django's pool as the web process configures it (checks on), one connection."""
    options = {"pool": {"min_size": 1, "max_size": 1}}
    database = {**connection.settings_dict, "OPTIONS": options, "CONN_HEALTH_CHECKS": True}
    wrapper = DatabaseWrapper(database, alias=alias)
    pool = wrapper.pool
    pool.open(wait=True)
    return pool


def _last_query(admin: psycopg.Connection, pid: int) -> str:
    return admin.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()[0]


def _gone(admin: psycopg.Connection, pid: int) -> None:
    admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 10
    while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
        assert time.monotonic() < deadline, "the backend did not exit"
        time.sleep(0.02)


def test_a_pooled_connection_is_checked_before_it_is_handed_out(admin):
    pool = _pool("pool-check-checked")
    try:
        with pool.connection() as conn:
            conn.execute("SELECT 'the last thing asked'")
            pid = conn.info.backend_pid
        with pool.connection() as conn:
            assert conn.info.backend_pid == pid
            # The server's record of the backend's last statement: psycopg's check
            # replaced it with its empty query.
            assert _last_query(admin, pid) == ""
    finally:
        pool.close()
        DatabaseWrapper._connection_pools.pop("pool-check-checked", None)


def test_a_connection_whose_backend_was_terminated_is_replaced(admin):
    pool = _pool("pool-check-terminated")
    try:
        with pool.connection() as conn:
            dead = conn.info.backend_pid
        _gone(admin, dead)  # while the connection sat idle in the pool
        with pool.connection() as conn:
            assert conn.info.backend_pid != dead
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        pool.close()
        DatabaseWrapper._connection_pools.pop("pool-check-terminated", None)


@pytest.mark.slow
def test_daphne_serves_the_next_request_after_its_pooled_backends_are_killed(admin, alice):
    token = Token.objects.create(user=alice).key
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        mine = {cursor.fetchone()[0], admin.info.backend_pid}
    headers = {"Authorization": f"Token {token}"}
    with (
        live.daphne_server() as base,
        httpx.Client(base_url=base, headers=headers, timeout=30) as client,
    ):
        assert client.get("/api/v1/conversations/").status_code == 200
        pids = [
            pid
            for (pid,) in admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND backend_type = 'client backend'"
            ).fetchall()
            if pid not in mine
        ]
        assert pids, "daphne keeps a pooled connection"
        for pid in pids:
            _gone(admin, pid)
        # Each request a fresh connection from the pool; a dead one handed out
        # would have been a 500.
        answers = [client.get("/api/v1/conversations/").status_code for _ in range(5)]
        assert answers == [200] * 5
