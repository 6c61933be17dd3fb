"""The live monitor's updates: computed once a second at most, in one place, and only
while a supervisor watches.

Why this shape: the fan-out runs after every committed change, and a monitor that
recomputed its picture there (or once per subscriber) would tax every message of the
desk. Instead:

- **Watching** is a Redis key (`ACTIVE_KEY`) that each server process with a subscribed
  socket renews every second and lets expire when its last one leaves.
- **Something changed** is another key (`DIRTY_KEY`), set after each published batch,
  but only while someone watches. The fan-out only raises a flag (`changed`); a thread
  of the process writes the key (`_Marker`, one `SET` per COALESCE_SECONDS at most)
  and reads the watching key at most once a second, so a publish never waits on Redis
  for the monitor, and with nobody watching no `SET` is sent at all.
- **The picture** is computed by a per-process pump (`MonitorPump`) that ticks every
  second while its process has subscribers. A tick that finds the dirty key takes the
  desk-wide one-second slot (`SLOT_KEY`, `SET NX PX`): whichever process gets it reads
  `chatdesk.inbox.monitor.monitor_snapshot` once and sends it to the channel-layer
  group of every subscribed socket (`GROUP`), on every server. So the monitor costs a
  bounded number of queries a second, whatever the traffic or the number watching.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import os
import threading
import time
import weakref

import redis
from channels.db import database_sync_to_async
from channels.layers import BaseChannelLayer
from django.conf import settings

from chatdesk.inbox.monitor import monitor_snapshot

logger = logging.getLogger(__name__)

GROUP = "realtime.monitor"
ACTIVE_KEY = "chatdesk:monitor:active"
DIRTY_KEY = "chatdesk:monitor:dirty"
SLOT_KEY = "chatdesk:monitor:slot"
TICK_SECONDS = 1.0
# A process that stops renewing (it crashed) stops counting as watching after this.
ACTIVE_TTL_SECONDS = 10
# Ticks that send whatever the dirty key says, after a socket subscribes: another
# process may have read "nobody watches" just before and skipped marking its change.
FRESH_TICKS = 2
# How often the subscribed sockets' group membership is renewed, in ticks.
RENEW_TICKS = 3600


@functools.cache
def _client(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)


def client() -> redis.Redis:
    return _client(settings.REDIS_URL)


class _Watching:
    """This process's memory of whether anyone watches, read from Redis once a second."""

    checked_at = -math.inf
    active = False


_watching = _Watching()


def forget_watching() -> None:
    """Read the watching key afresh on the next change (a socket just subscribed here)."""
    _watching.checked_at = -math.inf


def mark_stale() -> None:
    """Mark the monitor's picture stale if anyone watches (the watching key is read at
    most once a second per process). Never raises."""
    try:
        moment = time.monotonic()
        if moment - _watching.checked_at >= TICK_SECONDS:
            _watching.active = bool(client().exists(ACTIVE_KEY))
            _watching.checked_at = moment
        if _watching.active:
            client().set(DIRTY_KEY, 1, ex=60)
    except Exception:
        logger.warning("Could not mark the live monitor stale")


class _Marker:
    """A thread per process that marks the picture stale on the fan-out's behalf.

    The fan-out only sets an in-memory flag: a Redis round trip on its thread was a large
    share of a batch's own fan-out (docs/performance.md, the live monitor's cost). Changes
    that come while a mark is being written fold into the next one, so at most one
    Redis call per COALESCE_SECONDS leaves a process, whatever the traffic.
    """

    COALESCE_SECONDS = 0.05

    def __init__(self) -> None:
        self.pending = threading.Event()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.pid = 0

    def mark(self) -> None:
        self.pending.set()
        # A forked worker (Celery's prefork) inherits the object but not the thread.
        if self.thread is None or self.pid != os.getpid():
            with self.lock:
                if self.thread is None or self.pid != os.getpid():
                    self.pid = os.getpid()
                    self.thread = threading.Thread(
                        target=self._run, name="monitor-marker", daemon=True
                    )
                    self.thread.start()

    def _run(self) -> None:
        while True:
            self.pending.wait()
            self.pending.clear()
            mark_stale()
            time.sleep(self.COALESCE_SECONDS)


_marker = _Marker()


def changed() -> None:
    """Called by the fan-out after each published batch: costs a flag, not a round trip."""
    _marker.mark()


def _tick(*, force: bool) -> dict | None:
    """One second of a pump: renew the watching key; if something changed and the
    desk-wide slot is free, read the picture (else None)."""
    redis_client = client()
    redis_client.set(ACTIVE_KEY, 1, ex=ACTIVE_TTL_SECONDS)
    if not force and not redis_client.exists(DIRTY_KEY):
        return None
    if not redis_client.set(SLOT_KEY, 1, px=int(TICK_SECONDS * 1000), nx=True):
        return None  # another process sent within the second; it read the same state
    redis_client.delete(DIRTY_KEY)
    return monitor_snapshot()


def snapshot_for_subscriber() -> dict:
    """The first picture a subscribing socket gets, read for it alone."""
    client().set(ACTIVE_KEY, 1, ex=ACTIVE_TTL_SECONDS)
    forget_watching()
    return monitor_snapshot()


class MonitorPump:
    """The subscribed sockets of this process and the once-a-second task serving them."""

    def __init__(self, layer: BaseChannelLayer) -> None:
        self.layer = layer
        self.subscribers: set[str] = set()
        self.fresh = 0
        self._task: asyncio.Task | None = None

    async def subscribe(self, channel_name: str) -> None:
        await self.layer.group_add(GROUP, channel_name)
        self.subscribers.add(channel_name)
        self.fresh = FRESH_TICKS
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())

    async def unsubscribe(self, channel_name: str) -> None:
        if channel_name not in self.subscribers:
            return
        self.subscribers.discard(channel_name)
        await self.layer.group_discard(GROUP, channel_name)
        if not self.subscribers and self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        ticks = 0
        while True:
            await asyncio.sleep(TICK_SECONDS)
            ticks += 1
            try:
                if ticks % RENEW_TICKS == 0:
                    await self._renew()
                picture = await database_sync_to_async(_tick)(force=self.fresh > 0)
                if picture is None:
                    continue
                self.fresh = max(0, self.fresh - 1)
                await self.layer.group_send(GROUP, {"type": "monitor.updated", "data": picture})
            except asyncio.CancelledError:
                raise
            except Exception:
                # Redis or the database away for a moment: the next tick tries again.
                logger.exception("The live monitor's update failed")

    async def _renew(self) -> None:
        # Group membership expires (channels' group_expiry); a supervisor may keep the
        # monitor open longer than that.
        for channel_name in list(self.subscribers):
            await self.layer.group_add(GROUP, channel_name)


_pumps: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, MonitorPump] = (
    weakref.WeakKeyDictionary()
)


def pump_for(layer: BaseChannelLayer) -> MonitorPump:
    loop = asyncio.get_running_loop()
    pump = _pumps.get(loop)
    if pump is None or pump.layer is not layer:
        pump = _pumps[loop] = MonitorPump(layer)
    return pump
