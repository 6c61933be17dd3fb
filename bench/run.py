"""`python -m bench [--quick] [--scenarios 3,4]`: start the stack, probe the floor, run the
scenarios (all by default), report.

Exit status: 0 when the run completed and kept its integrity (no message lost or
duplicated, exactly one winner per race, every reply delivered once; with QUICK also
every message on every agent socket in time); 1 otherwise. A slow ratio never fails the
run, nor does a full-size run overloading the machine (a `miss` line): the machine is
shared and noisy, the figures are for reading.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import time

import django
from django.db import connection

from bench import probe, report
from bench.baselines.tables import create_tables
from bench.checks import integrity
from bench.stack import Stack
from bench.suite import SCENARIOS, Config, Context, config


def _progress(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)


def _on_sigterm(_signum: int, _frame: object) -> None:
    # Unwind through the `finally` that stops the stack, as Ctrl-C does.
    raise KeyboardInterrupt


def _raise_nofile() -> int:
    """Soft open-file limit up to the hard one: scenario 3 holds thousands of sockets, in
    this process's children (daphne, the client processes), which inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def _scenarios(stack: Stack, cfg: Config, chosen: list[int], doc: dict) -> None:
    django.setup()
    # Imported once Django is set up with the run's settings (Stack.prepare_env): they
    # import models.
    from bench import data, race

    create_tables()
    sqlite = connection.vendor == "sqlite"
    db_version = connection.Database.sqlite_version if sqlite else connection.pg_version
    doc["database"] = f"{connection.vendor} {db_version}"
    doc["probe"] = probe.run(stack.env["REDIS_URL"])
    _progress(f"probe: {doc['probe']}")
    desk = data.make_desk(cfg.agents, race.MAX_AGENTS)
    fanout_tokens = data.make_fanout_desk(cfg.fanout_agents) if {3, 4} & set(chosen) else []
    base = stack.start()
    doc["web_processes"] = len(stack.web_pids())
    _progress(f"stack up at {base} (daphne pids {', '.join(map(str, stack.web_pids()))})")
    ctx = Context(stack=stack, cfg=cfg, desk=desk, fanout_tokens=fanout_tokens, doc=doc)
    for number in chosen:
        started = time.monotonic()
        line = SCENARIOS[number](ctx)
        doc.setdefault("seconds", {})[str(number)] = round(time.monotonic() - started, 1)
        _progress(f"{line} ({doc['seconds'][str(number)]} s)")
        stack.check_alive()


def _chosen(text: str) -> list[int]:
    if not text.strip():
        return sorted(SCENARIOS)
    numbers = sorted({int(part) for part in text.replace(" ", "").split(",") if part})
    unknown = [n for n in numbers if n not in SCENARIOS]
    if unknown:
        raise SystemExit(f"unknown scenario(s) {unknown}; choose from {sorted(SCENARIOS)}")
    return numbers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument(
        "--quick", action="store_true", default=os.environ.get("QUICK", "") not in ("", "0")
    )
    parser.add_argument(
        "--scenarios",
        default=os.environ.get("SCENARIOS", ""),
        help="comma-separated scenario numbers, e.g. 3,4 (default: all)",
    )
    args = parser.parse_args(argv)
    cfg = config(args.quick)
    chosen = _chosen(args.scenarios)
    signal.signal(signal.SIGTERM, _on_sigterm)
    doc: dict = {
        "started": report.now(),
        "quick": cfg.quick,
        "scenarios": chosen,
        "config": cfg.__dict__,
        "machine": report.machine(),
        "versions": report.versions(),
        "nofile_limit": _raise_nofile(),
    }
    began = time.monotonic()
    stack = Stack()
    try:
        env = stack.prepare_env()
        doc["redis"] = "embedded" if stack.redis else "external"
        _progress(f"stack in {stack.tmp}; database {env['DATABASE_URL'].split(':')[0]}; migrating")
        stack.migrate()
        _scenarios(stack, cfg, chosen, doc)
    except KeyboardInterrupt:
        _progress("interrupted; stopping the stack")
        return 130
    finally:
        stack.stop()
    doc["total_seconds"] = round(time.monotonic() - began, 1)
    doc["checks"] = integrity(doc)
    path, table = report.write(doc)
    print("\n" + table, flush=True)
    _progress(f"wrote {path} and bench/results/latest.md in {doc['total_seconds']} s")
    return 1 if any(check.startswith("FAIL") for check in doc["checks"]) else 0
