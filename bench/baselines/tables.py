"""The baselines' raw tables, created by the bench itself (no Django app, no migration)."""

from __future__ import annotations

from django.db import connection

ROW_TABLE = "bench_row"
TAKE_TABLE = "bench_take"


def create_tables() -> None:
    key = "INTEGER PRIMARY KEY" if connection.vendor == "sqlite" else "BIGSERIAL PRIMARY KEY"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {ROW_TABLE} (id {key}, marker TEXT NOT NULL)")
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {TAKE_TABLE} (id {key}, owner INTEGER NULL)")


def add_take_rows(count: int) -> list[int]:
    """`count` unowned rows for the bare conditional UPDATE; returns their ids."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {TAKE_TABLE}")
        first = cursor.fetchone()[0] + 1
        ids = list(range(first, first + count))
        cursor.executemany(
            f"INSERT INTO {TAKE_TABLE} (id, owner) VALUES (%s, NULL)", [(i,) for i in ids]
        )
    return ids


def count_rows(prefix: str) -> tuple[int, int]:
    """(rows, distinct markers) whose marker starts with `prefix`."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), COUNT(DISTINCT marker) FROM {ROW_TABLE} WHERE marker LIKE %s",
            [prefix + "%"],
        )
        rows, distinct = cursor.fetchone()
    return rows, distinct
