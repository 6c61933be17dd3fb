"""Per-sender throughput limits, shared by every worker (docs/providers.md).

A generic cell rate algorithm (GCRA) in one Redis script: each sender has a
"theoretical arrival time"; a message costs `weight / rate` seconds of it, and
may go when that time is at most one second ahead of now. Over the limit the
message is given the next free slot, reserved, and the caller is told how long to
wait for it: messages queue up in order instead of being dropped, and a long SMS
(several segments) is paced by what it really costs.

Why reserved: when a wait only said "try again in one slot", every reply of a
backlog came back about one slot later, one went and the rest were told the same
again: the workers stayed busy re-asking, in no particular order, and an SMS waiting
its turn behind a WhatsApp backlog came back late each time (docs/performance.md).

A reply's slot is remembered with the reply's id (`slots`): the worker that took it
moves the reply's due time to the slot, and whoever claims the reply then is told it
holds its slot and takes no other. What may go now is decided by a second count, of
the sends themselves: a reply whose slot has come goes if they allow, else at the first
moment they do. So replies whose slots passed while the workers were busy do not all go
at once, above the sender's rate, and are not sent to the back of the line either:
a late reply taking a new slot at the back left its old one unused, the line grew
faster than the replies went, and a backlog's late replies never caught up with it.

One round trip a batch: each process keeps one client (its connection pool) per Redis
URL and sends the script by its SHA1 (EVALSHA; redis-py loads it again after a Redis
restart or SCRIPT FLUSH). A new client per message cost a connect, its handshake and
the whole script each time (docs/performance.md).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import redis
from django.conf import settings
from redis.commands.core import Script

BURST_SECONDS = 1.0

# How much earlier than its strict turn a reply may go, counted on the real sends: the
# runs at the slots come up to one moment of channels_ingest/runs.py late, and a sender
# whose burst is one message (a long code) could otherwise never make that up.
SEND_LATENESS_SECONDS = 0.25

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

# KEYS[1]: the sender's line of reserved slots; KEYS[2]: its real sends (each a GCRA
# arrival time); ARGV: burst, lateness, then (reply id, cost) pairs, in sending order. A reply
# without a slot takes its place in the line; one whose slot has come (on time or late)
# goes if the real sends allow, else at the first moment they do, keeping its place.
# Answers wait, held, wait, held, ... (wait 0: send now; held: it had a slot).
_SLOTS = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local burst = tonumber(ARGV[1])
local lateness = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local sent = tonumber(redis.call('GET', KEYS[2]) or '0')
if sent < now then sent = now end
local next_free = sent
local answer = {}
for i = 3, #ARGV, 2 do
  local slot_key = KEYS[1] .. ':slot:' .. ARGV[i]
  local cost = tonumber(ARGV[i + 1])
  local held = tonumber(redis.call('GET', slot_key) or '')
  local wait = 0
  if held and held - now > burst then
    wait = held - now
  else
    if not held then
      wait = math.max(0, math.min(tat - now, tat + cost - now - burst))
      tat = tat + cost
    end
    if wait == 0 then
      -- A send may come `lateness` before the real sends' arrival time, never sooner:
      -- runs come a little after the slots they serve, and without this a sender at
      -- its limit would lose that delay at every send, for good.
      wait = math.max(0, next_free - now - math.max(burst - cost, lateness))
      next_free = next_free + cost
      if wait == 0 then sent = sent + cost end
    end
  end
  if wait > 0 then
    redis.call('SET', slot_key, tostring(now + wait), 'PX', math.ceil((wait + burst + 60) * 1000))
  elseif held then
    redis.call('DEL', slot_key)
  end
  answer[#answer + 1] = tostring(wait)
  answer[#answer + 1] = held and 1 or 0
end
redis.call('SET', KEYS[1], tostring(tat), 'PX', math.ceil((tat - now + 1) * 1000))
redis.call('SET', KEYS[2], tostring(sent), 'PX', math.ceil((sent - now + 1) * 1000))
return answer
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
def _script(redis_url: str, source: str) -> Script:
    """The script on this process's client for `redis_url`. redis-py's pool notices a fork
    (Celery's prefork workers) and opens new connections in the child."""
    return redis_client(redis_url).register_script(source)


@functools.cache
def redis_client(redis_url: str) -> redis.Redis:
    """This process's client (its connection pool) for `redis_url`."""
    return redis.Redis.from_url(redis_url)


def wait_seconds(*, sender_key: str, rate_per_second: int, weight: int = 1) -> float:
    """Seconds until this message's slot in its sender's limit (0: now).

    The slot is counted and reserved either way: the caller sends when the wait is
    over, without asking again (asking again would take a second slot).
    """
    answer = _script(settings.REDIS_URL, _GCRA)(
        keys=[f"chatdesk:gcra:{sender_key}"], args=[weight / rate_per_second, BURST_SECONDS]
    )
    return float(answer)


@dataclass(frozen=True, slots=True)
class Slot:
    wait: float  # seconds until the reply's slot (0: now)
    held: bool  # the reply was given this slot before: it goes without asking again


def slots(*, sender_key: str, rate_per_second: int, weights: dict[int, int]) -> dict[int, Slot]:
    """Each reply's wait in its sender's limit ({reply id: weight}, in sending order), in
    one round trip: 0, send it now (counted as sent); else its slot, remembered, so
    that asking again then does not take another (`held`)."""
    args: list[object] = [BURST_SECONDS, SEND_LATENESS_SECONDS]
    for reply_id, weight in weights.items():
        args += [reply_id, weight / rate_per_second]
    key = f"chatdesk:gcra:{sender_key}"
    answer = _script(settings.REDIS_URL, _SLOTS)(keys=[key, f"{key}:sent"], args=args)
    pairs = zip(answer[::2], answer[1::2], strict=True)
    return {
        reply_id: Slot(wait=float(wait), held=bool(int(held)))
        for reply_id, (wait, held) in zip(weights, pairs, strict=True)
    }
