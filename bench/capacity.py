"""Scenario 3: idle authenticated agent sockets held by one daphne, against baseline (b),
a bare consumer that only holds a socket.

Each round gets a fresh daphne: Python keeps freed memory for reuse, so a process that
already held one side's sockets would hide the other side's cost. Per round: warm up
(imports, first DB connection), read RSS, open N sockets from client processes, read
RSS, close them all, let the server notice, read RSS again; then a second wave of N
opened and closed, whose RSS growth over the first tells a leak from retention.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from websockets.sync.client import connect

from bench import holder
from bench.rounds import SPAWN, recv_or_fail, stop_processes
from bench.stack import Stack
from bench.stats import summary_ms

PER_PROCESS = 5000  # client sockets per holder process (its own fd table and event loop)
SETTLE_SECONDS = 2.0


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _warm(urls: list[str], origin: str, ready: bool) -> None:
    for url in urls[:5]:
        with connect(url, origin=origin, open_timeout=30) as sock:
            if ready:
                sock.recv(timeout=30)


def _cycle(
    urls: list[str], base: str, subject: bool, pid: int
) -> tuple[list[dict], int, int, float]:
    """Open every socket from holder processes, read RSS, close them all, settle, read RSS.
    Also the server's CPU seconds spent opening them: unlike a latency, a CPU cost barely
    moves when other work shares the machine."""
    chunks = [urls[i : i + PER_PROCESS] for i in range(0, len(urls), PER_PROCESS)]
    pipes = [SPAWN.Pipe() for _ in chunks]
    procs = [
        SPAWN.Process(target=holder.holder, args=(child, chunk, base, subject))
        for (_, child), chunk in zip(pipes, chunks, strict=True)
    ]
    try:
        cpu_start = cpu_seconds(pid)
        for proc in procs:
            proc.start()
        held = [recv_or_fail(end, "holder", 120 + len(urls) / 20) for end, _ in pipes]
        cpu_open = cpu_seconds(pid) - cpu_start
        time.sleep(0.5)
        opened = rss_kb(pid)
        for end, _ in pipes:
            end.send("close")
        for end, _ in pipes:
            recv_or_fail(end, "holder", 120)
    finally:
        stop_processes(procs)
    time.sleep(SETTLE_SECONDS)  # the server runs each disconnect (group_discard) first
    return held, opened, rss_kb(pid), cpu_open


def _round(stack: Stack, tokens: list[str], count: int, subject: bool) -> dict:
    """Two open/close cycles on one fresh daphne: the first measures the cost per socket
    and what the process keeps after a close; the second tells retention from a leak
    (CPython and glibc keep freed memory for reuse, so a second wave should fit in it)."""
    name = "daphne-capacity"
    base = stack.start_daphne(name)
    ws = base.replace("http://", "ws://")
    if subject:
        urls = [f"{ws}/ws/agent/?token={tokens[n % len(tokens)]}" for n in range(count)]
    else:
        urls = [f"{ws}/bench/ws/hold/"] * count
    try:
        _warm(urls, base, subject)
        time.sleep(0.5)
        pid = stack.pid(name)
        start = rss_kb(pid)
        held, opened, after, cpu_open = _cycle(urls, base, subject, pid)
        _, _, after_second, _ = _cycle(urls, base, subject, pid)
    finally:
        stack.stop_child(name)
    sockets = sum(h["open"] for h in held)
    return {
        "asked": count,
        "held": sockets,
        "rss_start_kb": start,
        "rss_open_kb": opened,
        "rss_after_kb": after,
        "rss_after_second_cycle_kb": after_second,
        "kb_per_socket": round((opened - start) / max(1, sockets), 2),
        "cpu_ms_per_socket": round(cpu_open * 1000 / max(1, sockets), 2),
        "after_vs_start": round(after / start - 1, 3),
        "second_cycle_growth": round(after_second / after - 1, 3),
        "errors": {k: sum(h["errors"].get(k, 0) for h in held) for h in held for k in h["errors"]},
        "handshake": [t for h in held for t in h["handshake"]],
        "ready": [t for h in held for t in h["ready"]],
    }


def run(stack: Stack, tokens: list[str], count: int, rounds: int) -> dict:
    subject: list[dict] = []
    baseline: list[dict] = []
    for index in range(rounds):
        for is_subject in (False, True) if index % 2 == 0 else (True, False):
            result = _round(stack, tokens, count, is_subject)
            (subject if is_subject else baseline).append(result)
            # A full round takes a minute or more: say where the scenario is.
            print(
                f"  3 capacity round {index + 1}/{rounds} {'subject' if is_subject else '(b)'}: "
                f"{result['held']} held, {result['kb_per_socket']} KB/socket, "
                f"{result['cpu_ms_per_socket']} ms CPU/socket, "
                f"after close {result['after_vs_start']:+.1%}, after a second wave "
                f"{result['second_cycle_growth']:+.1%} more",
                flush=True,
            )
    return _summarise(subject, baseline, count)


def _summarise(subject: list[dict], baseline: list[dict], count: int) -> dict:
    def median(rows: list[dict], key: str) -> float:
        values = sorted(row[key] for row in rows)
        return values[len(values) // 2]

    kb_s, kb_b = median(subject, "kb_per_socket"), median(baseline, "kb_per_socket")
    cpu_s, cpu_b = median(subject, "cpu_ms_per_socket"), median(baseline, "cpu_ms_per_socket")
    hs_s = summary_ms([t for r in subject for t in r["handshake"]])
    hs_b = summary_ms([t for r in baseline for t in r["handshake"]])
    worst_after = max(r["after_vs_start"] for r in subject)
    return {
        "sockets": count,
        "rounds": len(subject),
        "held_min": min(r["held"] for r in subject),
        "baseline_held_min": min(r["held"] for r in baseline),
        "handshake": hs_s,
        "handshake_baseline_b": hs_b,
        "ready": summary_ms([t for r in subject for t in r["ready"]]),
        "kb_per_socket": kb_s,
        "kb_per_socket_baseline_b": kb_b,
        "ratio_kb_per_socket": round(kb_s / kb_b, 2) if kb_b > 0 else None,
        "cpu_ms_per_socket": cpu_s,
        "cpu_ms_per_socket_baseline_b": cpu_b,
        "ratio_cpu_per_socket": round(cpu_s / cpu_b, 2) if cpu_b > 0 else None,
        "rss_after_vs_start_worst": worst_after,
        "rss_after_vs_start_worst_baseline": max(r["after_vs_start"] for r in baseline),
        "second_cycle_growth_worst": max(r["second_cycle_growth"] for r in subject),
        "second_cycle_growth_worst_baseline": max(r["second_cycle_growth"] for r in baseline),
        "per_round": [
            {k: v for k, v in r.items() if k not in ("handshake", "ready")} | {"side": side}
            for side, rows in (("subject", subject), ("baseline_b", baseline))
            for r in rows
        ],
    }
