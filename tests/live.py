"""A real daphne process on the test database, for end-to-end tests."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from django.conf import settings
from django.db import connection

from devtools.processes import PYTHON, Child, free_port, wait_healthy


def test_database_url() -> str:
    """The URL of the database this test run uses, for a child process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def daphne_server(
    extra_env: dict[str, str] | None = None, *, log: IO[bytes] | None = None
) -> Iterator[str]:
    """Start daphne on a free port against this run's database and Redis; yield its URL.

    Its output goes to `log` (a binary file), or is thrown away with a temporary one.
    """
    if log is not None:
        yield from _serve(log, extra_env)
        return
    # A file, not a pipe: nobody reads a pipe while the tests run, and once its
    # 64 KiB buffer is full daphne blocks on its next log line.
    with tempfile.TemporaryFile() as log:
        yield from _serve(log, extra_env)


def _serve(log: IO[bytes], extra_env: dict[str, str] | None) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        **(extra_env or {}),
    }
    argv = [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "chatdesk.asgi:application"]
    # No parent-death signal: the test process runs threads (code run between fork and
    # exec could deadlock on their locks), and this context manager stops it anyway.
    daphne = Child("daphne", argv, env=env, log=log, die_with_parent=False).start()
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_healthy(base, [daphne])
        except TimeoutError:
            raise RuntimeError(f"daphne did not start:\n{daphne.log()}") from None
        yield base
    finally:
        daphne.stop()


async def next_frame(socket, wanted: str, timeout: float = 10) -> dict:
    """The next frame of type `wanted` on a `websockets` client socket, others skipped."""

    async def read() -> dict:
        while True:
            frame = json.loads(await socket.recv())
            if frame["type"] == wanted:
                return frame

    return await asyncio.wait_for(read(), timeout)
