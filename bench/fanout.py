"""Scenario 4: a new chat offered to an N-member ring_all queue; time from the webhook
POST's start until the last agent socket has its message.created, against baseline (c):
a bare view doing one group_send to N relay consumers."""

from __future__ import annotations

import itertools

from bench.data import FANOUT_PHONE_NUMBER_ID
from bench.inbound import baseline_bodies, webhook_bodies
from bench.rounds import RoundResult, run_round
from bench.stats import ratios, summary_ms

RATE = 2.0  # new chats per second: one fan-out at a time, so each is measured alone
GRACE = 20.0
_customers = itertools.count(0, 10_000)  # each round's new customers: no chat reopened


def _side(base: str, tokens: list[str], subject: bool, tag: str, count: int) -> RoundResult:
    ws = base.replace("http://", "ws://")
    if subject:
        urls = [f"{ws}/ws/agent/?token={token}" for token in tokens]
        bodies = webhook_bodies(
            tag, count, FANOUT_PHONE_NUMBER_ID, customers=0, first_new=next(_customers)
        )
        return run_round(base, "/webhooks/whatsapp/", urls, bodies, RATE, GRACE)
    urls = [f"{ws}/bench/ws/relay/"] * len(tokens)
    return run_round(base, "/bench/fanout/", urls, baseline_bodies(tag, count), RATE, GRACE)


def run(base: str, tokens: list[str], chats: int, rounds: int) -> dict:
    _side(base, tokens, True, "fw-s", 2)
    _side(base, tokens, False, "fw-b", 2)
    subject: list[RoundResult] = []
    baseline: list[RoundResult] = []
    for index in range(rounds):
        for is_subject in (False, True) if index % 2 == 0 else (True, False):
            tag = f"f{'s' if is_subject else 'b'}{index}"
            (subject if is_subject else baseline).append(
                _side(base, tokens, is_subject, tag, chats)
            )
    last = summary_ms([t for r in subject for t in r.latencies(last=True)])
    base_last = summary_ms([t for r in baseline for t in r.latencies(last=True)])
    return {
        "agents": len(tokens),
        "chats_per_round": chats,
        "rounds": len(subject),
        "subject_last_agent": last,
        "subject_first_agent": summary_ms([t for r in subject for t in r.latencies()]),
        "baseline_c": base_last,
        "ratio": ratios(last, base_last),
        "acknowledged": sum(1 for r in subject for *_, status in r.sent.values() if status == 200),
        "undelivered": sum(r.undelivered() for r in subject),
        "http_errors": sum(r.errors() for r in subject),
        "baseline_undelivered": sum(r.undelivered() for r in baseline),
    }
