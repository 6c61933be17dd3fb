"""The run's JSON (every figure) and its Markdown table (bench/results/latest.md)."""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

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
    return {"cpus": os.cpu_count(), "cpu_model": model, "platform": platform.platform()}


def versions() -> dict:
    names = ["django", "channels", "channels-redis", "daphne", "celery", "httpx", "websockets"]
    return {"python": sys.version.split()[0], **{name: version(name) for name in names}}


def _row(name: str, subject: dict, base: dict, ratio: dict) -> str:
    cells = [
        f"{subject[k]:.1f} / {base[k]:.1f} / **{ratio[k.removesuffix('_ms')]}x**"
        for k in ("p50_ms", "p95_ms", "p99_ms")
    ]
    return f"| {name} | " + " | ".join(cells) + " |"


def markdown(doc: dict) -> str:
    probe, inbound, race = doc["probe"], doc.get("inbound"), doc.get("race")
    cpu, kind = doc["machine"], "QUICK" if doc["quick"] else "full"
    floor = {name: figures["p50_ms"] for name, figures in probe.items()}
    lines = [
        f"Run {doc['started']} ({kind}), {cpu['cpus']} cores ({cpu['cpu_model']}), "
        f"database {doc['database']}, Redis {doc['redis']}.",
        "",
        f"Floor (p50): loopback TCP {floor['loopback_tcp']} ms, Redis PING "
        f"{floor['redis_ping']} ms, one-row commit {floor['db_commit']} ms.",
        "",
        "| scenario | p50 ms (subject / baseline / ratio) | p95 | p99 |",
        "|---|---|---|---|",
    ]
    if inbound:
        label = f"1. inbound, {inbound['rate_per_s']:.0f}/s, {inbound['agents']} agents"
        lines.append(
            _row(
                label + ", first agent vs (a)",
                inbound["subject_first_agent"],
                inbound["baseline_a"],
                inbound["ratio_first_agent"],
            )
        )
        lines.append(
            _row(
                label + ", all agents vs (a)",
                inbound["subject_all_agents"],
                inbound["baseline_a"],
                inbound["ratio_all_agents"],
            )
        )
    if race:
        lines.append(
            _row(
                f"6. take race, {race['concurrency']} agents vs bare UPDATE",
                race["subject_take"],
                race["baseline_update"],
                race["ratio"],
            )
        )
    lines += ["", "Integrity: " + "; ".join(doc["checks"]) + "."]
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
