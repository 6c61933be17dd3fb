"""Scenario 6: 2..20 agents take one chat at once over HTTP; exactly one may win.

Against a bare conditional UPDATE behind the same daphne at the same concurrency."""

from __future__ import annotations

from bench import racer
from bench.baselines.tables import add_take_rows
from bench.data import Desk, race_conversations
from bench.rounds import SPAWN, recv_or_fail, stop_processes
from bench.stats import ratios, summary_ms

MIN_AGENTS, MAX_AGENTS = 2, 20


def _judge(runs: list[tuple[int, float, list[int]]]) -> dict:
    """Winners per trial, and what the losers were told."""
    wrong = [statuses for _, _, statuses in runs if statuses.count(200) != 1]
    loser_codes = sorted({s for _, _, statuses in runs for s in statuses if s != 200})
    return {
        "trials": len(runs),
        "trials_without_one_winner": len(wrong),
        "loser_statuses": loser_codes,
        "examples": wrong[:3],
    }


def run(base: str, desk: Desk, trials: int) -> dict:
    conversations = race_conversations(desk, trials)
    rows = add_take_rows(trials)
    plan = [
        (conv, row, MIN_AGENTS + i % (MAX_AGENTS - MIN_AGENTS + 1))
        for i, (conv, row) in enumerate(zip(conversations, rows, strict=True))
    ]
    end, child = SPAWN.Pipe()
    process = SPAWN.Process(target=racer.racer, args=(child, base, plan, desk.race_tokens))
    try:
        process.start()
        result = recv_or_fail(end, "racer", 60 + trials * 2.0)
    finally:
        stop_processes([process])
    subject = summary_ms([seconds for _, seconds, _ in result["subject"]])
    baseline = summary_ms([seconds for _, seconds, _ in result["baseline"]])
    return {
        "concurrency": f"{MIN_AGENTS}..{MAX_AGENTS}",
        "subject_take": subject,
        "baseline_update": baseline,
        "ratio": ratios(subject, baseline),
        "subject_winners": _judge(result["subject"]),
        "baseline_winners": _judge(result["baseline"]),
    }
