"""The take race's client process: c agents POST take at once, against the bare UPDATE."""

from __future__ import annotations

import asyncio
import time
from multiprocessing.connection import Connection

import httpx

Trial = tuple[int, int, int]  # (conversation id, baseline row id, concurrency)


async def _burst(client: httpx.AsyncClient, requests: list[tuple[str, dict]]) -> tuple:
    """Fire all at once; (seconds until the last answer, statuses)."""

    async def one(url: str, headers: dict) -> int:
        try:
            return (await client.post(url, headers=headers)).status_code
        except httpx.HTTPError:
            return 0

    start = time.monotonic()
    statuses = await asyncio.gather(*(one(url, headers) for url, headers in requests))
    return time.monotonic() - start, sorted(statuses)


def _subject(base: str, trial: Trial, tokens: list[str]) -> list[tuple[str, dict]]:
    conv, _, concurrency = trial
    url = f"{base}/api/v1/conversations/{conv}/take/"
    return [(url, {"Authorization": f"Token {token}"}) for token in tokens[:concurrency]]


def _baseline(base: str, trial: Trial) -> list[tuple[str, dict]]:
    _, row, concurrency = trial
    return [(f"{base}/bench/take/{row}/?agent={i + 1}", {}) for i in range(concurrency)]


def racer(conn: Connection, base: str, trials: list[Trial], tokens: list[str]) -> None:
    asyncio.run(_racer(conn, base, trials, tokens))


async def _racer(conn: Connection, base: str, trials: list[Trial], tokens: list[str]) -> None:
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    subject, baseline = [], []
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        # Open the connections first, so no trial pays for a TCP handshake.
        await asyncio.gather(*(client.get(f"{base}/healthz") for _ in range(40)))
        for index, trial in enumerate(trials):
            # ABAB: alternate which side goes first, so drift hits both alike.
            pair = [("s", _subject(base, trial, tokens)), ("b", _baseline(base, trial))]
            for side, requests in pair if index % 2 == 0 else reversed(pair):
                seconds, statuses = await _burst(client, requests)
                (subject if side == "s" else baseline).append((trial[2], seconds, statuses))
    conn.send({"subject": subject, "baseline": baseline})
