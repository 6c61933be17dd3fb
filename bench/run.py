"""`python -m bench [--quick]`: start the stack, probe the floor, run the scenarios, report.

Exit status: 0 when the run completed and kept its integrity (no message lost or
duplicated, exactly one winner per race); 1 otherwise. A slow ratio never fails the
run: the machine is shared and noisy, the figures are for reading.
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from dataclasses import dataclass

from bench.stack import Stack


@dataclass(frozen=True)
class Config:
    quick: bool
    rate: float
    seconds: float
    agents: int
    rounds: int
    trials: int


def config(quick: bool) -> Config:
    if quick:
        return Config(quick=True, rate=20, seconds=10, agents=10, rounds=2, trials=30)
    return Config(quick=False, rate=100, seconds=60, agents=50, rounds=5, trials=1000)


def _progress(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)


def _on_sigterm(_signum: int, _frame: object) -> None:
    # Unwind through the `finally` that stops the stack, as Ctrl-C does.
    raise KeyboardInterrupt


def integrity(doc: dict) -> list[str]:
    """Human-readable checks; a line starting with FAIL makes the run fail."""
    checks = []
    if inbound := doc.get("inbound"):
        bad = (
            inbound["lost"]
            + inbound["duplicated"]
            + inbound["undelivered"]
            + inbound["http_errors"]
        )
        i = inbound
        checks.append(
            f"{'FAIL' if bad else 'ok'}: inbound {i['acknowledged']} acknowledged, "
            f"{i['stored']} stored, {i['lost']} lost, {i['duplicated']} duplicated, "
            f"{i['undelivered']} not on every agent socket, {i['http_errors']} HTTP errors"
        )
    if race := doc.get("race"):
        wrong = race["subject_winners"]["trials_without_one_winner"]
        checks.append(
            f"{'FAIL' if wrong else 'ok'}: take race {race['subject_winners']['trials']} "
            f"trials, {wrong} without exactly one winner"
        )
    return checks


def _scenarios(stack: Stack, cfg: Config, doc: dict) -> None:
    import django

    django.setup()
    from django.db import connection

    from bench import data, inbound, probe, race
    from bench.baselines.tables import create_tables

    create_tables()
    sqlite = connection.vendor == "sqlite"
    db_version = connection.Database.sqlite_version if sqlite else connection.pg_version
    doc["database"] = f"{connection.vendor} {db_version}"
    doc["probe"] = probe.run(stack.env["REDIS_URL"])
    _progress(f"probe: {doc['probe']}")
    desk = data.make_desk(cfg.agents, race.MAX_AGENTS)
    base = stack.start()
    _progress(f"stack up at {base} (daphne pid {stack.pid('daphne')})")
    doc["inbound"] = inbound.run(base, desk, cfg.rate, cfg.seconds, cfg.rounds)
    i = doc["inbound"]
    _progress(
        f"1 inbound: p99 {i['subject_first_agent']['p99_ms']} ms vs {i['baseline_a']['p99_ms']} ms "
        f"= {i['ratio_first_agent']['p99']}x; lost {i['lost']}, duplicated {i['duplicated']}"
    )
    stack.check_alive()
    doc["race"] = race.run(base, desk, cfg.trials)
    r = doc["race"]
    _progress(
        f"6 take race: p99 {r['subject_take']['p99_ms']} ms vs {r['baseline_update']['p99_ms']} ms "
        f"= {r['ratio']['p99']}x; trials without exactly one winner "
        f"{r['subject_winners']['trials_without_one_winner']}"
    )
    stack.check_alive()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument(
        "--quick", action="store_true", default=os.environ.get("QUICK", "") not in ("", "0")
    )
    cfg = config(parser.parse_args(argv).quick)
    signal.signal(signal.SIGTERM, _on_sigterm)
    from bench import report

    doc: dict = {
        "started": report.now(),
        "quick": cfg.quick,
        "config": cfg.__dict__,
        "machine": report.machine(),
        "versions": report.versions(),
    }
    stack = Stack()
    try:
        env = stack.prepare_env()
        doc["redis"] = "embedded" if stack.redis else "external"
        _progress(f"stack in {stack.tmp}; database {env['DATABASE_URL'].split(':')[0]}; migrating")
        stack.migrate()
        _scenarios(stack, cfg, doc)
    except KeyboardInterrupt:
        _progress("interrupted; stopping the stack")
        return 130
    finally:
        stack.stop()
    doc["checks"] = integrity(doc)
    path, table = report.write(doc)
    print("\n" + table, flush=True)
    _progress(f"wrote {path} and bench/results/latest.md")
    return 1 if any(check.startswith("FAIL") for check in doc["checks"]) else 0
