"""Scenario 5: agent replies delivered to the emulator by the real Celery delivery task
(2 worker processes), against baseline (d): a bare task doing the same POST.

Throughput is replies per second from the first enqueue to the last accepted send at
the emulator, with the emulator answering at once and after 50 ms. Each reply's body
is a unique marker, so the emulator's send log says how often each was delivered.
Then: the per-sender limits (WhatsApp 80/s, SMS 1 segment/s) measured at the receiver,
and injected 500s / 130429s / 429s, which may cost retries but never a reply.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx
from django.utils import timezone

from bench.baselines.tasks import bare_send
from bench.stats import percentile
from channels_ingest.models import ChannelAccount
from channels_ingest.tasks import enqueue_delivery
from chatdesk.inbox.models import DeliveryStatus, Message
from chatdesk.inbox.services.receive import Inbound, message_receive

LATENCIES = (0.0, 0.05)
FAILURES = (("whatsapp", "500", 5), ("whatsapp", "130429", 5), ("twilio", "429", 2))
TOKEN = "test-whatsapp-token"
TWILIO = {"account_sid": "AC3f2b8c9d0e1a4b5c6d7e8f9a0b1c2d3e", "auth_token": "test-auth-token"}
CUSTOMERS = 20


@dataclass
class Senders:
    agent_id: int
    fast: int  # WhatsApp, limit lifted: throughput is the pipeline's, not the limit's
    limited: int  # WhatsApp at the default 80/s (or the QUICK run's lower setting)
    whatsapp_limit: int
    sms: int  # SMS long code at the default 1 segment/s
    conversations: dict[int, list[int]]  # account -> its open conversations


def _account(kind: str, external_id: str, queue_id: int, rate: int | None) -> int:
    credentials = TWILIO if kind == "sms" else {"access_token": TOKEN, "app_secret": "x"}
    return ChannelAccount.objects.create(
        kind=kind,
        name=f"Bench outbound {external_id}",
        external_id=external_id,
        credentials=credentials,
        route_queue_id=queue_id,
        max_messages_per_second=rate,
    ).pk


def setup(queue_id: int, agent_id: int, whatsapp_limit: int | None) -> Senders:
    """Three senders, each with open conversations the customer wrote in (24 h window)."""
    accounts = {
        "fast": _account("whatsapp", "113355779900468", queue_id, 1_000_000),
        "limited": _account("whatsapp", "113355779900579", queue_id, whatsapp_limit),
        "sms": _account("sms", "+15005550006", queue_id, None),
    }
    conversations: dict[int, list[int]] = {}
    for name, account in accounts.items():
        channel = "sms" if name == "sms" else "whatsapp"
        for n in range(CUSTOMERS):
            message, _ = message_receive(
                inbound=Inbound(
                    channel=channel,
                    channel_account_id=account,
                    route_queue_id=queue_id,
                    route_agent_id=None,
                    sender_address=f"+1415666{account:02d}{n:02d}",
                    sender_name="Outbound customer",
                    body="hello",
                    provider_message_id=f"bench-out-{account}-{n}",
                )
            )
            conversations.setdefault(account, []).append(message.conversation_id)
    return Senders(
        agent_id=agent_id,
        conversations=conversations,
        whatsapp_limit=whatsapp_limit or 80,  # ChannelAccount.DEFAULT_RATE
        **accounts,
    )


def _replies(senders: Senders, account: int, markers: list[str]) -> list[int]:
    """Pending replies, as `message_reply` leaves them (the outbox rows), made in bulk."""
    convs = senders.conversations[account]
    due = timezone.now()
    rows = Message.objects.bulk_create(
        Message(
            conversation_id=convs[n % len(convs)],
            direction=Message.Direction.OUT,
            sender_id=senders.agent_id,
            body=marker,
            channel_account_id=account,
            delivery_status=DeliveryStatus.PENDING,
            delivery_due_at=due,
        )
        for n, marker in enumerate(markers)
    )
    return [row.pk for row in rows]


class Emulator:
    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.Client(timeout=30)

    def latency(self, seconds: float) -> None:
        self.client.post(f"{self.url}/_bench/latency", json={"seconds": seconds})

    def fail(self, provider: str, mode: str, times: int) -> None:
        body = {"provider": provider, "mode": mode, "times": times, "retry_after": 1}
        self.client.post(f"{self.url}/_emulator/fail", json=body).raise_for_status()

    def sends(self, clear: bool = False) -> list[tuple[float, str, str, int]]:
        answer = self.client.request("POST" if clear else "GET", f"{self.url}/_bench/sends")
        return [tuple(row) for row in answer.json()]

    def wait_delivered(self, markers: set[str], timeout: float) -> list[tuple]:
        """Poll until every marker got a 2xx answer (or timeout); the sends of these markers."""
        deadline = time.monotonic() + timeout
        while True:
            rows = [row for row in self.sends() if row[2] in markers]
            done = {row[2] for row in rows if 200 <= row[3] < 300}
            if done >= markers or time.monotonic() > deadline:
                return rows
            time.sleep(0.1)


def _count(rows: list[tuple], markers: set[str]) -> dict:
    ok: dict[str, int] = {}
    for _, _, marker, status in rows:
        if 200 <= status < 300:
            ok[marker] = ok.get(marker, 0) + 1
    return {
        "replies": len(markers),
        "delivered": sum(1 for m in markers if ok.get(m) == 1),
        "lost": sum(1 for m in markers if m not in ok),
        "duplicated": sum(1 for m in markers if ok.get(m, 0) > 1),
        "failed_answers": sum(1 for row in rows if not 200 <= row[3] < 300),
    }


def _timed(emu: Emulator, markers: list[str], enqueue) -> tuple[float, dict]:
    """Enqueue all, wait for all; (replies/s from first enqueue to last accepted send, counts)."""
    emu.sends(clear=True)
    start = time.monotonic()
    enqueue()
    rows = emu.wait_delivered(set(markers), timeout=60 + len(markers) * 0.2)
    accepted = [row[0] for row in rows if 200 <= row[3] < 300]
    seconds = (max(accepted) - start) if accepted else float("nan")
    return len(accepted) / seconds, _count(rows, set(markers))


def _subject(emu: Emulator, senders: Senders, tag: str, count: int) -> tuple[float, dict]:
    markers = [f"{tag}-{n}" for n in range(count)]
    ids = _replies(senders, senders.fast, markers)
    return _timed(emu, markers, lambda: [enqueue_delivery(pk, senders.fast) for pk in ids])


def _baseline(emu: Emulator, senders: Senders, tag: str, count: int) -> tuple[float, dict]:
    markers = [f"{tag}-{n}" for n in range(count)]
    return _timed(
        emu,
        markers,
        lambda: [bare_send.delay("113355779900468", "14156660000", m) for m in markers],
    )


def throughput(emu: Emulator, senders: Senders, count: int, rounds: int, latency: float) -> dict:
    """Warm-up, then `rounds` x (subject, baseline), alternating which goes first."""
    emu.latency(latency)
    ms = int(latency * 1000)
    _subject(emu, senders, f"ow{ms}s", max(10, count // 10))
    _baseline(emu, senders, f"ow{ms}b", max(10, count // 10))
    subject: list[float] = []
    baseline: list[float] = []
    counts = {"replies": 0, "delivered": 0, "lost": 0, "duplicated": 0, "failed_answers": 0}
    base_counts = dict(counts)
    for index in range(rounds):
        order = (True, False) if index % 2 else (False, True)
        for is_subject in order:
            if is_subject:
                rate, found = _subject(emu, senders, f"o{ms}s{index}", count)
                subject.append(rate)
                counts = {k: counts[k] + found[k] for k in counts}
            else:
                rate, found = _baseline(emu, senders, f"o{ms}b{index}", count)
                baseline.append(rate)
                base_counts = {k: base_counts[k] + found[k] for k in base_counts}
    emu.latency(0)
    median_s, median_b = percentile(subject, 50), percentile(baseline, 50)
    return {
        "emulator_latency_ms": ms,
        "replies_per_round": count,
        "rounds": rounds,
        "subject_per_s": [round(r, 1) for r in subject],
        "baseline_d_per_s": [round(r, 1) for r in baseline],
        "subject_median_per_s": round(median_s, 1),
        "baseline_median_per_s": round(median_b, 1),
        "ratio": round(median_s / median_b, 2),
        "subject": counts,
        "baseline": base_counts,
    }
