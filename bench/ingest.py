"""Scenario 2: ingest throughput. Step the webhook rate up until p99 (POST start ->
message.created on an agent socket) passes 1 s or a message is lost; the highest rate
that held, against baseline (a)'s on the same ladder, steps alternating which goes first.
"""

from __future__ import annotations

from bench.baselines.tables import count_rows
from bench.data import Desk
from bench.inbound import baseline_bodies, stored_of, webhook_bodies
from bench.rounds import RoundResult, run_round
from bench.stats import summary_ms

P99_LIMIT = 1.0
GRACE = 5.0  # past p99 + a few seconds the step has failed anyway


def _step(
    base: str, desk: Desk, subject: bool, rate: float, seconds: float, prefix: str = "i"
) -> dict:
    ws = base.replace("http://", "ws://")
    tag = f"{prefix}{int(rate)}{'s' if subject else 'b'}"
    count = max(1, int(rate * seconds))
    if subject:
        bodies = webhook_bodies(tag, count)
        urls = [f"{ws}/ws/agent/?token={token}" for token in desk.tokens[:1]]
        result = run_round(base, "/webhooks/whatsapp/", urls, bodies, rate, GRACE)
        rows, stored = stored_of([f"wamid.bench-{marker}" for marker, _, _ in bodies])
    else:
        bodies = baseline_bodies(tag, count)
        result = run_round(base, "/bench/ingest/", [f"{ws}/bench/ws/relay/"], bodies, rate, GRACE)
        rows, stored = count_rows(tag + "-")
    return _judge(result, rate, rows, stored)


def _judge(result: RoundResult, rate: float, rows: int, stored: int) -> dict:
    acked = sum(1 for *_, status in result.sent.values() if status == 200)
    latency = summary_ms(result.latencies())
    # Acknowledged but not stored: lost, whatever the load. Refused (an HTTP error) or
    # not on the socket within the grace: the rate did not hold, nothing worse.
    lost = max(0, acked - stored)
    late_or_refused = result.undelivered() + result.errors()
    held = lost + late_or_refused == 0 and latency["n"] > 0 and latency["p99_ms"] < 1000 * P99_LIMIT
    return {
        "rate_per_s": rate,
        "sent": len(result.sent),
        "latency": latency,
        "lost": lost,
        "late_or_refused": late_or_refused,
        "duplicated": rows - stored,
        "held": held,
    }


def run(base: str, desk: Desk, rates: tuple[float, ...], seconds: float) -> dict:
    steps: dict[str, list[dict]] = {"subject": [], "baseline_a": []}
    # Not judged: a fresh server's first requests, and each customer's first message
    # (a new chat, offered to the queue), would otherwise weigh on the first rung only.
    warm_up = [
        _step(base, desk, side == "subject", rates[0], seconds, prefix="w")
        for side in ("baseline_a", "subject")
    ]
    climbing = {"subject": True, "baseline_a": True}
    for index, rate in enumerate(rates):
        sides = ["baseline_a", "subject"] if index % 2 == 0 else ["subject", "baseline_a"]
        for side in sides:
            if climbing[side]:
                step = _step(base, desk, side == "subject", rate, seconds)
                steps[side].append(step)
                climbing[side] = step["held"]
        if not any(climbing.values()):
            break
    best = {
        side: max((s["rate_per_s"] for s in rows if s["held"]), default=0.0)
        for side, rows in steps.items()
    }
    return {
        "p99_limit_ms": P99_LIMIT * 1000,
        "step_seconds": seconds,
        "subject_rate": best["subject"],
        "baseline_rate": best["baseline_a"],
        # The ladder's top still held: the true figure is higher (the ratio is then loose).
        "subject_capped": climbing["subject"],
        "baseline_capped": climbing["baseline_a"],
        "ratio": round(best["subject"] / best["baseline_a"], 2) if best["baseline_a"] else None,
        "duplicated": sum(s["duplicated"] for rows in [*steps.values(), warm_up] for s in rows),
        "lost": sum(s["lost"] for rows in [*steps.values(), warm_up] for s in rows),
        "steps": steps,
        "warm_up": warm_up,
    }
