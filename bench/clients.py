"""Load generators, each run in its own process (multiprocessing, spawn): no Django here.

Times are `time.monotonic()`, which on Linux is one system-wide clock, so a POST's
start in the sender process and an event's arrival in the listener process compare.
"""

from __future__ import annotations

import asyncio
import json
import time
from multiprocessing.connection import Connection

import httpx
from websockets.asyncio.client import ClientConnection, connect

CREATED = '"message.created"'


async def _open(url: str, origin: str) -> ClientConnection:
    sock = await connect(url, origin=origin, max_queue=None, open_timeout=30)
    await sock.recv()  # session.ready: the socket is joined to its group
    return sock


async def _listen(sock: ClientConnection, seen: dict[str, list[float]]) -> None:
    """Record the arrival of each message.created, by its body (the marker)."""
    async for raw in sock:
        if CREATED in raw:
            now = time.monotonic()
            marker = json.loads(raw)["data"]["body"]
            seen.setdefault(marker, []).append(now)


def listener(conn: Connection, urls: list[str], origin: str) -> None:
    """Hold `urls` open; after "go" (expected count, deadline) report arrivals per marker."""
    asyncio.run(_listener(conn, urls, origin))


async def _listener(conn: Connection, urls: list[str], origin: str) -> None:
    # Some in flight at once: hundreds of agents would take long one by one.
    gate = asyncio.Semaphore(50)

    async def gated(url: str) -> ClientConnection:
        async with gate:
            return await _open(url, origin)

    socks = list(await asyncio.gather(*(gated(url) for url in urls)))
    seen: dict[str, list[float]] = {}
    tasks = [asyncio.create_task(_listen(sock, seen)) for sock in socks]
    conn.send("ready")
    expected, deadline = await asyncio.to_thread(conn.recv)
    # Done when every marker reached every socket, or at the deadline (then some are late).
    while time.monotonic() < deadline:
        if len(seen) >= expected and all(len(t) >= len(socks) for t in seen.values()):
            break
        await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()
    for sock in socks:
        await sock.close()
    conn.send({marker: (min(times), max(times), len(times)) for marker, times in seen.items()})


Bodies = list[tuple[str, bytes, dict]]


def sender(conn: Connection, base: str, path: str, bodies: Bodies, rate: float) -> None:
    """POST `bodies` (marker, body, headers) open-loop at `rate`/s from the parent's start."""
    asyncio.run(_sender(conn, base, path, bodies, rate))


async def _post(client: httpx.AsyncClient, url: str, body: bytes, headers: dict) -> tuple:
    start = time.monotonic()
    try:
        status = (await client.post(url, content=body, headers=headers)).status_code
    except httpx.HTTPError:
        status = 0
    return start, time.monotonic() - start, status


async def _sender(conn: Connection, base: str, path: str, bodies: Bodies, rate: float) -> None:
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    url = base + path
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        await client.get(base + "/healthz")
        start_at = await asyncio.to_thread(conn.recv)
        tasks = []
        for index, (_, body, headers) in enumerate(bodies):
            # Open loop: the schedule does not wait for answers, as real providers don't.
            await asyncio.sleep(max(0.0, start_at + index / rate - time.monotonic()))
            tasks.append(asyncio.create_task(_post(client, url, body, headers)))
        results = await asyncio.gather(*tasks)
    conn.send({marker: result for (marker, _, _), result in zip(bodies, results, strict=True)})
