"""Scenario 3's client process: open many idle websockets, hold them, close them.

Run in its own process (spawn); the parent reads the server's RSS between the steps.
"""

from __future__ import annotations

import asyncio
import time
from multiprocessing.connection import Connection

from websockets.asyncio.client import ClientConnection, connect

# Handshakes in flight: ten agents opening the desk at the same instant, continuously.
# More in flight only queues them on the server (p95 grows with it on both sides).
CONCURRENCY = 10


async def _open(url: str, origin: str, ready: bool, gate: asyncio.Semaphore) -> tuple:
    async with gate:
        start = time.monotonic()
        try:
            sock = await connect(url, origin=origin, open_timeout=60, ping_interval=None)
        except Exception as error:  # any failure (refused, reset, timeout): not held
            return None, 0.0, type(error).__name__
        opened = time.monotonic() - start
        if ready:
            await sock.recv()  # session.ready: authenticated and joined to its group
        return sock, opened, time.monotonic() - start


def holder(conn: Connection, urls: list[str], origin: str, ready: bool) -> None:
    asyncio.run(_holder(conn, urls, origin, ready))


async def _holder(conn: Connection, urls: list[str], origin: str, ready: bool) -> None:
    gate = asyncio.Semaphore(CONCURRENCY)
    opened = await asyncio.gather(*(_open(url, origin, ready, gate) for url in urls))
    socks: list[ClientConnection] = [sock for sock, _, _ in opened if sock is not None]
    errors: dict[str, int] = {}
    for sock, _, reason in opened:
        if sock is None:
            errors[reason] = errors.get(reason, 0) + 1
    conn.send(
        {
            "open": len(socks),
            "errors": errors,
            "handshake": [t for sock, t, _ in opened if sock is not None],
            "ready": [t for sock, _, t in opened if sock is not None],
        }
    )
    await asyncio.to_thread(conn.recv)  # "close": the parent has read the RSS
    await asyncio.gather(*(sock.close() for sock in socks), return_exceptions=True)
    conn.send("closed")
