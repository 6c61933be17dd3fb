"""Scenario 5's checks beyond throughput: per-sender limits held at the receiver, and
injected provider errors that cost retries but never a reply."""

from __future__ import annotations

from django.db.models import Count

from bench.outbound import FAILURES, Emulator, Senders, _count, _replies
from channels_ingest.tasks import enqueue_delivery
from channels_ingest.throughput import BURST_SECONDS
from chatdesk.inbox.models import DeliveryStatus, Message


def _steady_rate(times: list[float], burst: int) -> float:
    """The limiter's rate as the receiver saw it: the limiter lets `burst` go at once at
    t0, then one per 1/rate, so n sends by t_last mean (n - burst) / (t_last - t0).
    Measured from t0, one late or early send moves it by a jitter over the whole window,
    not over the gap between two sends."""
    ordered = sorted(times)
    if len(ordered) <= burst + 1:
        return float("nan")
    return (len(ordered) - burst) / (ordered[-1] - ordered[0])


def rate_limits(emu: Emulator, senders: Senders, seconds: float) -> dict:
    """Enough replies to keep each limited sender busy for `seconds`, all enqueued at once."""
    limits = {"whatsapp": (senders.limited, senders.whatsapp_limit), "twilio": (senders.sms, 1)}
    emu.sends(clear=True)
    markers: dict[str, list[str]] = {}
    ids: list[tuple[int, int]] = []
    for provider, (account, limit) in limits.items():
        count = int(limit * (seconds + BURST_SECONDS)) + 1
        markers[provider] = [f"rl-{provider}-{n}" for n in range(count)]
        ids += [(pk, account) for pk in _replies(senders, account, markers[provider])]
    # As inbox's port queues them: with their sender, one queued run per sender.
    for pk, account in ids:
        enqueue_delivery(pk, account)
    everything = {m for group in markers.values() for m in group}
    rows = emu.wait_delivered(everything, timeout=seconds * 3 + 60)
    out = {}
    for provider, (_, limit) in limits.items():
        mine = [row for row in rows if row[1] == provider]
        times = [row[0] for row in mine if 200 <= row[3] < 300]
        rate = _steady_rate(times, int(limit * BURST_SECONDS))
        out[provider] = {
            "limit_per_s": limit,
            "measured_per_s": round(rate, 2),
            "ratio": round(rate / limit, 3),
            # Held: never faster than the limit (+5%); used: not much slower either.
            "held": rate <= limit * 1.05,
            "within_5pct": abs(rate / limit - 1) <= 0.05,
            **_count(mine, set(markers[provider])),
        }
    return out


def failures(emu: Emulator, senders: Senders, count: int) -> dict:
    """Replies on both providers while the emulator fails some sends with 500/130429/429."""
    emu.sends(clear=True)
    injected = 0
    for provider, mode, times in FAILURES:
        emu.fail(provider, mode, times)
        injected += times
    wa = [f"fail-wa-{n}" for n in range(count)]
    sms = [f"fail-sms-{n}" for n in range(3)]
    wa_ids = _replies(senders, senders.fast, wa)
    sms_ids = _replies(senders, senders.sms, sms)
    ids = wa_ids + sms_ids
    for pk in wa_ids:
        enqueue_delivery(pk, senders.fast)
    for pk in sms_ids:
        enqueue_delivery(pk, senders.sms)
    rows = emu.wait_delivered(set(wa + sms), timeout=120)
    found = _count(rows, set(wa + sms))
    statuses = dict(
        Message.objects.filter(pk__in=ids).values_list("delivery_status").annotate(n=Count("pk"))
    )
    return {
        "injected": injected,
        **found,
        # What the outbox rows say now (an SMS keeps the status Twilio answered with).
        "stored_statuses": statuses,
        "stored_failed": statuses.get(DeliveryStatus.FAILED, 0),
    }
