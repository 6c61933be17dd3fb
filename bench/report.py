"""The run's JSON (every figure) and its Markdown tables (bench/results/latest.md)."""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from bench.report_rows import figure_rows, latency_rows

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        total = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        memory = f"{int(total) // 1024 // 1024} GB"
    except (OSError, IndexError, ValueError):
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory": memory,
        "platform": platform.platform(),
    }


def versions() -> dict:
    names = ["django", "channels", "channels-redis", "daphne", "celery", "httpx", "websockets"]
    return {"python": sys.version.split()[0], **{name: version(name) for name in names}}


def markdown(doc: dict) -> str:
    probe = doc["probe"]
    cpu, kind = doc["machine"], "QUICK" if doc["quick"] else "full"
    floor = {name: figures["p50_ms"] for name, figures in probe.items()}
    lines = [
        f"Run {doc['started']} ({kind}, scenarios {','.join(map(str, doc['scenarios']))}, "
        f"{doc.get('total_seconds', '?')} s), {cpu['cpus']} cores ({cpu['cpu_model']}), "
        f"{cpu.get('memory', '')} RAM, database {doc['database']}, Redis {doc['redis']}, "
        f"{_web(doc.get('web_processes', 1))}.",
        "",
        f"Floor (p50): loopback TCP {floor['loopback_tcp']} ms, Redis PING "
        f"{floor['redis_ping']} ms, one-row commit {floor['db_commit']} ms.",
        "",
    ]
    latency = latency_rows(doc)
    if latency:
        lines += [
            "| scenario | p50 ms (subject / baseline / ratio) | p95 | p99 | target |",
            "|---|---|---|---|---|",
            *latency,
            "",
        ]
    figures = figure_rows(doc)
    if figures:
        lines += [
            "| scenario | subject | baseline | ratio | target |",
            "|---|---|---|---|---|",
            *figures,
            "",
        ]
    lines += ["Integrity: " + "; ".join(doc["checks"]) + "."]
    return "\n".join(lines) + "\n"


def write(doc: dict) -> tuple[Path, str]:
    RESULTS.mkdir(exist_ok=True)
    stamp = doc["started"].replace(":", "").replace("-", "")
    path = RESULTS / f"{stamp}.json"
    path.write_text(json.dumps(doc, indent=2, default=str))
    table = markdown(doc)
    (RESULTS / "latest.md").write_text(table)
    return path, table


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _web(processes: int) -> str:
    if processes == 1:
        return "one daphne process"
    return f"{processes} daphne processes on one listening socket"
