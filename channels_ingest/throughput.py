"""Per-sender throughput limits, shared by every worker (docs/providers.md).

A generic cell rate algorithm (GCRA) in one Redis script: each sender has a
"theoretical arrival time"; a message costs `weight / rate` seconds of it, and
may go when that time is at most one second ahead of now. Over the limit the
message is given the next free slot, reserved, and the caller is told how long to
wait for it: messages queue up in order instead of being dropped, and a long SMS
(several segments) is paced by what it really costs.

Why reserved: when a wait only said "try again in one slot", every reply of a
backlog came back about one slot later (1/80 s for WhatsApp, plus up to 0.1 s of
jitter), one went and the rest were told the same again: a large WhatsApp backlog
kept the workers busy re-asking, in no particular order, and an SMS waiting its turn
behind it came back late each time, under its rate (docs/performance.md). A reply now
asks once, when it is queued, and its task is
scheduled for its slot (tasks.enqueue_delivery): one run per reply, in the order the
replies asked. A run late for its slot by more than the burst asks again (the slots it
missed are not made up at once).

One round trip a message: each process keeps one client (its connection pool) per
Redis URL and sends the script by its SHA1 (EVALSHA; redis-py loads it again after a
Redis restart or SCRIPT FLUSH). A new client per message cost a connect, its handshake
and the whole script each time, a noticeable part of every delivery
(docs/performance.md).
"""

from __future__ import annotations

import functools
import math

import redis
from django.conf import settings
from redis.commands.core import Script

BURST_SECONDS = 1.0

_GCRA = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local cost = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
-- The message's slot: now if it fits within the burst; else when it will (a message
-- heavier than the burst goes alone, once the sender's earlier messages have gone).
local wait = math.min(tat - now, tat + cost - now - burst)
if wait < 0 then wait = 0 end
local new_tat = tat + cost
redis.call('SET', KEYS[1], tostring(new_tat), 'PX', math.ceil((new_tat - now + 1) * 1000))
return tostring(wait)
"""

# GSM 03.38 basic set (and the extension table, which costs two septets).
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€\f")


def sms_segments(body: str) -> int:
    """How many SMS segments a body takes (GSM-7: 160/153 septets; UCS-2: 70/67)."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in body):
        septets = sum(2 if ch in GSM_EXTENDED else 1 for ch in body)
        return 1 if septets <= 160 else math.ceil(septets / 153)
    units = len(body.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)


@functools.cache
def _gcra(redis_url: str) -> Script:
    """The script on this process's client for `redis_url`. redis-py's pool notices a fork
    (Celery's prefork workers) and opens new connections in the child."""
    return redis.Redis.from_url(redis_url).register_script(_GCRA)


def wait_seconds(*, sender_key: str, rate_per_second: int, weight: int = 1) -> float:
    """Seconds until this message's slot in its sender's limit (0: now).

    The slot is counted and reserved either way: the caller sends when the wait is
    over, without asking again (asking again would take a second slot).
    """
    answer = _gcra(settings.REDIS_URL)(
        keys=[f"chatdesk:gcra:{sender_key}"], args=[weight / rate_per_second, BURST_SECONDS]
    )
    return float(answer)
