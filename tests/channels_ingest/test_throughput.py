"""Per-sender throughput: replies wait their turn, long SMS are paced by segments."""

from __future__ import annotations

import time
import uuid

import pytest
import redis

from channels_ingest.throughput import SEND_LATENESS_SECONDS, slots, sms_segments, wait_seconds


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),
        ("€" * 81, 2),  # extension characters cost two septets
        ("☕" * 70, 1),
        ("☕" * 71, 2),
        ("Grüße" * 10, 1),
    ],
)
def test_sms_segments(body, segments):
    assert sms_segments(body) == segments


def test_a_sender_gets_its_rate_then_waits():
    sender = f"test-{uuid.uuid4()}"
    waits = [wait_seconds(sender_key=sender, rate_per_second=5) for _ in range(6)]
    assert waits[:5] == [0.0] * 5  # one second's worth goes at once
    assert 0.1 < waits[5] <= 0.21  # the sixth waits about one slot (1/5 s)


def test_waiting_messages_are_given_consecutive_slots():
    """A wait is a reserved slot, not "try again later": a backlog is spread one slot
    apart, so each reply comes back once, at its turn."""
    sender = f"test-{uuid.uuid4()}"
    waits = [wait_seconds(sender_key=sender, rate_per_second=5) for _ in range(9)]
    assert waits[:5] == [0.0] * 5
    for n, wait in enumerate(waits[5:], start=1):
        assert 0.2 * n - 0.1 < wait <= 0.2 * n + 0.01


def test_a_heavy_message_goes_alone_and_pushes_the_next_back():
    sender = f"test-{uuid.uuid4()}"
    assert wait_seconds(sender_key=sender, rate_per_second=1, weight=4) == 0.0
    assert 3.9 < wait_seconds(sender_key=sender, rate_per_second=1) <= 4.01


def test_senders_do_not_share_a_budget():
    first, second = f"test-{uuid.uuid4()}", f"test-{uuid.uuid4()}"
    assert wait_seconds(sender_key=first, rate_per_second=1, weight=3) == 0.0
    assert wait_seconds(sender_key=second, rate_per_second=1) == 0.0


def test_a_run_a_moment_late_does_not_push_the_sends_after_it(settings):
    """A long code (1/s, a burst of one) whose runs come a little after their slots:
    counted strictly, each late send would move every later one back for good, and the
    sender would never reach its rate."""
    sender = f"test-{uuid.uuid4()}"
    client = redis.Redis.from_url(settings.REDIS_URL)
    key = f"chatdesk:gcra:{sender}"
    now = time.time()
    # The previous send went late: the real sends' next turn is a little ahead of now.
    client.set(f"{key}:sent", str(now + SEND_LATENESS_SECONDS - 0.05))
    client.set(f"{key}:slot:7", str(now - 0.01))  # reply 7's slot has come
    assert slots(sender_key=sender, rate_per_second=1, weights={7: 1})[7].wait == 0
    # Never earlier than the allowance: two turns ahead, the reply waits for its own.
    client.set(f"{key}:sent", str(now + 1.0))
    client.set(f"{key}:slot:8", str(now - 0.01))
    wait = slots(sender_key=sender, rate_per_second=1, weights={8: 1})[8].wait
    assert 1.0 - SEND_LATENESS_SECONDS - 0.1 < wait <= 1.0 - SEND_LATENESS_SECONDS
