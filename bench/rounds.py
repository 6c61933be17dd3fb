"""One measured round: a listener process and a sender process against the running stack."""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass
from multiprocessing.process import BaseProcess

from bench import clients

SPAWN = multiprocessing.get_context("spawn")  # clients never inherit Django or DB handles
READY_TIMEOUT = 120


@dataclass
class RoundResult:
    sent: dict[str, tuple[float, float, int]]  # marker -> (start, seconds, status)
    seen: dict[str, tuple[float, float, int]]  # marker -> (first, last, sockets)
    sockets: int

    def latencies(self, *, last: bool = False) -> list[float]:
        """POST start -> message.created on the first (or the last) agent socket."""
        return [
            self.seen[m][1 if last else 0] - start
            for m, (start, _, status) in self.sent.items()
            if status == 200 and m in self.seen
        ]

    def errors(self) -> int:
        return sum(1 for _, _, status in self.sent.values() if status != 200)

    def undelivered(self) -> int:
        """Acknowledged but never on a socket, or missing on some of them."""
        return sum(
            1
            for m, (_, _, status) in self.sent.items()
            if status == 200 and self.seen.get(m, (0, 0, 0))[2] < self.sockets
        )


def stop_processes(processes: list[BaseProcess]) -> None:
    for process in processes:
        if process.is_alive():
            process.terminate()
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join()


def recv_or_fail(conn, what: str, timeout: float) -> object:
    if not conn.poll(timeout):
        raise RuntimeError(f"The {what} client process did not answer in {timeout:.0f} s.")
    return conn.recv()


def run_round(
    base: str, path: str, ws_urls: list[str], bodies: clients.Bodies, rate: float, grace: float
) -> RoundResult:
    """Connect the sockets, send `bodies` at `rate`, wait for the events (or `grace` s)."""
    listen_end, listen_child = SPAWN.Pipe()
    send_end, send_child = SPAWN.Pipe()
    origin = base
    processes = [
        SPAWN.Process(target=clients.listener, args=(listen_child, ws_urls, origin)),
        SPAWN.Process(target=clients.sender, args=(send_child, base, path, bodies, rate)),
    ]
    try:
        for process in processes:
            process.start()
        if recv_or_fail(listen_end, "listener", READY_TIMEOUT) != "ready":
            raise RuntimeError("The listener process failed to connect its sockets.")
        duration = len(bodies) / rate
        start_at = time.monotonic() + 1.0
        send_end.send(start_at)
        listen_end.send((len(bodies), start_at + duration + grace))
        sent = recv_or_fail(send_end, "sender", duration + READY_TIMEOUT)
        seen = recv_or_fail(listen_end, "listener", grace + READY_TIMEOUT)
        return RoundResult(sent=sent, seen=seen, sockets=len(ws_urls))
    finally:
        stop_processes(processes)
