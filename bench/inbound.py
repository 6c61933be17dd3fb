"""Scenario 1: inbound latency, signed WhatsApp webhook -> message.created on agent sockets,
against baseline (a) (one INSERT + one group_send to one consumer), ABAB rounds."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from django.db.models import Count

from bench.baselines.tables import count_rows
from bench.data import APP_SECRET, PHONE_NUMBER_ID, Desk
from bench.rounds import RoundResult, run_round
from bench.stats import ratios, summary_ms
from chatdesk.inbox.models import Message

CUSTOMERS = 20  # a pool: the first message of each opens a chat, the rest follow up
GRACE = 15.0


def webhook_bodies(
    tag: str,
    count: int,
    phone_number_id: str = PHONE_NUMBER_ID,
    customers: int = CUSTOMERS,
    first_new: int = 0,
) -> list[tuple[str, bytes, dict]]:
    """Signed WhatsApp text webhooks (the fixture's shape) whose text is a unique marker.

    `customers`: the size of the pool; 0 makes every message a new customer's (a new
    chat), numbered from `first_new` so no two rounds share one.
    """
    out = []
    for n in range(count):
        marker = f"{tag}-{n}"
        customer = f"1415555{n % customers:04d}" if customers else f"1416{first_new + n:07d}"
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550109876", "phone_number_id": phone_number_id},
            "contacts": [{"profile": {"name": f"Bench {customer}"}, "wa_id": customer}],
            "messages": [
                {
                    "from": customer,
                    "id": f"wamid.bench-{marker}",
                    "timestamp": str(int(time.time())),
                    "type": "text",
                    "text": {"body": marker},
                }
            ],
        }
        payload = {
            "object": "whatsapp_business_account",
            "entry": [
                {"id": "109283746501928", "changes": [{"value": value, "field": "messages"}]}
            ],
        }
        body = json.dumps(payload).encode()
        digest = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"}
        out.append((marker, body, headers))
    return out


def baseline_bodies(tag: str, count: int) -> list[tuple[str, bytes, dict]]:
    headers = {"Content-Type": "application/json"}
    return [
        (f"{tag}-{n}", json.dumps({"marker": f"{tag}-{n}"}).encode(), headers) for n in range(count)
    ]


def _side(
    base: str, ws: str, desk: Desk, subject: bool, tag: str, count: int, rate: float
) -> RoundResult:
    if subject:
        urls = [f"{ws}/ws/agent/?token={token}" for token in desk.tokens]
        return run_round(base, "/webhooks/whatsapp/", urls, webhook_bodies(tag, count), rate, GRACE)
    return run_round(
        base, "/bench/ingest/", [f"{ws}/bench/ws/relay/"], baseline_bodies(tag, count), rate, GRACE
    )


def _stored_messages() -> tuple[int, int]:
    found = Message.objects.filter(provider_message_id__startswith="wamid.bench-s").aggregate(
        rows=Count("pk"), distinct=Count("provider_message_id", distinct=True)
    )
    return found["rows"], found["distinct"]


def stored_of(provider_ids: list[str]) -> tuple[int, int]:
    """(rows, distinct provider ids) stored among `provider_ids`."""
    rows = distinct = 0
    for start in range(0, len(provider_ids), 5000):  # under SQLite's bound-variable limit
        found = Message.objects.filter(
            provider_message_id__in=provider_ids[start : start + 5000]
        ).aggregate(rows=Count("pk"), distinct=Count("provider_message_id", distinct=True))
        rows, distinct = rows + found["rows"], distinct + found["distinct"]
    return rows, distinct


def run(base: str, desk: Desk, rate: float, seconds: float, rounds: int) -> dict:
    """Warm-up (both sides, not counted), then `rounds` x (A, B) with B/A alternating first."""
    ws = base.replace("http://", "ws://")
    per_round = max(1, int(rate * seconds / rounds))
    _side(base, ws, desk, True, "warm-s", int(rate), rate)
    _side(base, ws, desk, False, "warm-b", int(rate), rate)
    subject: list[RoundResult] = []
    baseline: list[RoundResult] = []
    for index in range(rounds):
        order = (False, True) if index % 2 == 0 else (True, False)
        for is_subject in order:
            result = _side(
                base, ws, desk, is_subject, f"{'s' if is_subject else 'b'}{index}", per_round, rate
            )
            (subject if is_subject else baseline).append(result)
    return _summarise(subject, baseline, rate, per_round)


def _summarise(
    subject: list[RoundResult], baseline: list[RoundResult], rate: float, per_round: int
) -> dict:
    first = summary_ms([t for r in subject for t in r.latencies()])
    last = summary_ms([t for r in subject for t in r.latencies(last=True)])
    base = summary_ms([t for r in baseline for t in r.latencies()])
    acked = sum(1 for r in subject for *_, status in r.sent.values() if status == 200)
    rows, stored = _stored_messages()  # the measured rounds' markers: s<round>-<n>
    base_rows, base_distinct = count_rows("b")
    return {
        "rate_per_s": rate,
        "messages_per_round": per_round,
        "rounds": len(subject),
        "agents": subject[0].sockets if subject else 0,
        "subject_first_agent": first,
        "subject_all_agents": last,
        "baseline_a": base,
        "ratio_first_agent": ratios(first, base),
        "ratio_all_agents": ratios(last, base),
        # The POST's own answer time: how much of the latency is before the 200.
        "subject_http": summary_ms([d for r in subject for _, d, _ in r.sent.values()]),
        "baseline_http": summary_ms([d for r in baseline for _, d, _ in r.sent.values()]),
        "acknowledged": acked,
        "stored": stored,
        "lost": max(0, acked - stored),
        "duplicated": rows - stored,
        "baseline_duplicated": base_rows - base_distinct,
        "http_errors": sum(r.errors() for r in subject),
        "baseline_http_errors": sum(r.errors() for r in baseline),
        "undelivered": sum(r.undelivered() for r in subject),
        "baseline_undelivered": sum(r.undelivered() for r in baseline),
    }
