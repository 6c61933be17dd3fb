"""A real daphne process on the test database, for end-to-end tests."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import httpx
from django.conf import settings
from django.db import connection

from chatdesk.env import BASE_DIR


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "chatdesk.asgi:application",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"daphne did not start:\n{log.read().decode(errors='replace')}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


async def next_frame(socket, wanted: str, timeout: float = 10) -> dict:
    """The next frame of type `wanted` on a `websockets` client socket, others skipped."""

    async def read() -> dict:
        while True:
            frame = json.loads(await socket.recv())
            if frame["type"] == wanted:
                return frame

    return await asyncio.wait_for(read(), timeout)
