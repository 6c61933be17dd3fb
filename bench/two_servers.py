"""Scenario 7: two daphne processes sharing the database and Redis. Webhooks go into
daphne A, the agents listen on daphne B; against both on A, rounds alternating.

With the embedded Redis both daphnes use the same unix socket; with REDIS_URL, the same
server. Either way the event crosses processes only through the channel layer.
"""

from __future__ import annotations

from bench.data import Desk
from bench.inbound import stored_of, webhook_bodies
from bench.rounds import RoundResult, run_round
from bench.stack import Stack
from bench.stats import ratios, summary_ms

GRACE = 15.0


def _side(post_to: str, listen_on: str, desk: Desk, tag: str, count: int, rate: float):
    ws = listen_on.replace("http://", "ws://")
    urls = [f"{ws}/ws/agent/?token={token}" for token in desk.tokens]
    return run_round(post_to, "/webhooks/whatsapp/", urls, webhook_bodies(tag, count), rate, GRACE)


def run(stack: Stack, desk: Desk, cfg) -> dict:
    a = stack.base_url
    b = stack.start_daphne("daphne-b")
    # A quarter of scenario 1's load: the question is the extra hop, not the load.
    count = max(1, int(cfg.rate * cfg.seconds / 4 / cfg.rounds))
    _side(a, b, desk, "tw-s", int(cfg.rate), cfg.rate)
    subject: list[RoundResult] = []
    baseline: list[RoundResult] = []
    try:
        for index in range(cfg.rounds):
            for two in (False, True) if index % 2 == 0 else (True, False):
                tag = f"t{'s' if two else 'b'}{index}"
                result = _side(a, b if two else a, desk, tag, count, cfg.rate)
                (subject if two else baseline).append(result)
    finally:
        stack.stop_child("daphne-b")
    first = summary_ms([t for r in subject for t in r.latencies()])
    base = summary_ms([t for r in baseline for t in r.latencies()])
    markers = [f"wamid.bench-{m}" for r in subject + baseline for m in r.sent]
    rows, stored = stored_of(markers)
    acked = sum(1 for r in subject + baseline for *_, s in r.sent.values() if s == 200)
    return {
        "rate_per_s": cfg.rate,
        "messages_per_round": count,
        "rounds": len(subject),
        "agents": len(desk.tokens),
        "subject_a_to_b": first,
        "subject_a_to_b_all_agents": summary_ms(
            [t for r in subject for t in r.latencies(last=True)]
        ),
        "baseline_a_only": base,
        "ratio": ratios(first, base),
        "acknowledged": acked,
        "lost": max(0, acked - stored),
        "duplicated": rows - stored,
        "undelivered": sum(r.undelivered() for r in subject + baseline),
        "http_errors": sum(r.errors() for r in subject + baseline),
    }
