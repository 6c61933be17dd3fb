"""The physical floor: loopback TCP round trip, Redis PING, one single-row commit."""

from __future__ import annotations

import socket
import threading
import time

import redis
from django.db import connection, transaction

from bench.baselines.tables import ROW_TABLE
from bench.stats import summary_ms

SAMPLES = 200


def _echo_server(server: socket.socket) -> None:
    conn, _ = server.accept()
    with conn:
        while data := conn.recv(64):
            conn.sendall(data)


def loopback_rtt() -> dict[str, float]:
    """TCP round trip of 1 byte over 127.0.0.1 (the network floor of every HTTP call)."""
    server = socket.create_server(("127.0.0.1", 0))
    thread = threading.Thread(target=_echo_server, args=(server,), daemon=True)
    thread.start()
    times = []
    with socket.create_connection(server.getsockname()) as client:
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(SAMPLES):
            start = time.perf_counter()
            client.sendall(b"x")
            client.recv(1)
            times.append(time.perf_counter() - start)
    thread.join(timeout=2)
    server.close()
    return summary_ms(times)


def redis_ping(url: str) -> dict[str, float]:
    client = redis.Redis.from_url(url)
    client.ping()
    times = []
    for _ in range(SAMPLES):
        start = time.perf_counter()
        client.ping()
        times.append(time.perf_counter() - start)
    client.close()
    return summary_ms(times)


def db_commit() -> dict[str, float]:
    """One INSERT in its own transaction, committed (fsync policy included)."""
    times = []
    for n in range(SAMPLES // 2):
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {ROW_TABLE} (marker) VALUES (%s)", [f"probe-{n}"])
        times.append(time.perf_counter() - start)
    return summary_ms(times)


def run(redis_url: str) -> dict[str, dict[str, float]]:
    return {
        "loopback_tcp": loopback_rtt(),
        "redis_ping": redis_ping(redis_url),
        "db_commit": db_commit(),
    }
