"""One relay per server process (per event loop) between the channel layer and its sockets.

Why: addressing every agent's group separately made a chat offered to a 50-member
ring_all queue cost 50 `group_send`s per event (four Redis round trips each) and
50 channel-layer messages that the receiving process popped one by one: at 100
messages/s the process fell behind, the layer's per-process capacity filled up
and events were dropped. Now a publish batch is ONE `group_send` to the hubs'
group, carrying each event with the ids of the agents allowed to see it; each
process's hub hands it to exactly those agents' sockets, JSON-encoded once.

Visibility is unchanged: the recipients are still computed by the selector at
publish time and the hub forwards an event to no socket outside them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from collections.abc import Awaitable, Callable

from channels.layers import BaseChannelLayer

logger = logging.getLogger(__name__)

HUBS_GROUP = "realtime.hubs"
EVENTS_TYPE = "agent.events"

# A socket as the hub sees it: something that takes a ready-made text frame.
SendText = Callable[[str], Awaitable[None]]


class Hub:
    """The sockets of this process, by agent, and the task relaying batches to them."""

    def __init__(self, layer: BaseChannelLayer) -> None:
        self.layer = layer
        self.sockets: dict[int, dict[object, SendText]] = {}
        self.channel_name = ""
        self._tasks: list[asyncio.Task] = []
        self._lock = asyncio.Lock()

    async def join(self, agent_id: int, key: object, send_text: SendText) -> None:
        """Relay `agent_id`'s events to this socket from now on (starts the hub if idle)."""
        async with self._lock:
            if not self._tasks:
                await self._start()
            else:
                # Idempotent, and it heals a membership lost with a Redis restart before
                # this socket's replay point is read (the relay re-registers only later).
                await self.layer.group_add(HUBS_GROUP, self.channel_name)
            self.sockets.setdefault(agent_id, {})[key] = send_text

    async def leave(self, agent_id: int, key: object) -> None:
        async with self._lock:
            mine = self.sockets.get(agent_id, {})
            mine.pop(key, None)
            if not mine:
                self.sockets.pop(agent_id, None)
            if not self.sockets and self._tasks:
                await self._stop()

    async def _start(self) -> None:
        # The default "specific" prefix on purpose: channels_redis pops one Redis key
        # per prefix and process, so the hub shares its consumers' key and receive loop.
        self.channel_name = await self.layer.new_channel()
        # Registered before the first socket is told it is ready: nothing published
        # after its `session.ready` can miss it.
        await self.layer.group_add(HUBS_GROUP, self.channel_name)
        self._tasks = [
            asyncio.ensure_future(self._relay()),
            asyncio.ensure_future(self._stay_registered()),
        ]

    async def _stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await self.layer.group_discard(HUBS_GROUP, self.channel_name)

    async def _stay_registered(self) -> None:
        # Group membership expires (channels' group_expiry, a day by default); a
        # process that keeps sockets open longer than that must renew its place.
        interval = max(60, getattr(self.layer, "group_expiry", 86400) // 2)
        while True:
            await asyncio.sleep(interval)
            try:
                await self.layer.group_add(HUBS_GROUP, self.channel_name)
            except Exception:
                # Redis down right now: the relay re-registers when it is back; this
                # loop must live on, or the membership would lapse a day later.
                logger.warning("Could not renew the hub's group membership")

    async def _register_again(self) -> None:
        while True:
            await asyncio.sleep(1)
            try:
                await self.layer.group_add(HUBS_GROUP, self.channel_name)
                return
            except Exception:
                logger.debug("Channel layer still unreachable")

    async def _relay(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel_name)
            except Exception:
                # Redis went away. It may come back empty (no persistence), having
                # forgotten this hub's group membership: without re-registering, this
                # process's sockets would silently get nothing ever again
                # (tests/reliability: Redis stopped and restarted).
                logger.warning("Channel layer receive failed; re-registering the hub")
                await self._register_again()
                continue
            try:
                await self.deliver(message.get("batch", []))
            except Exception:
                # One bad batch must not stop the relay; clients replay what they missed.
                logger.exception("Relaying events to sockets failed")

    async def deliver(self, batch: list[dict]) -> None:
        """Send each event, encoded once, to the local sockets of its recipients."""
        for item in batch:
            text = json.dumps(item["event"])
            for agent_id in item["agents"]:
                for send_text in list(self.sockets.get(agent_id, {}).values()):
                    try:
                        await send_text(text)
                    except Exception:
                        # A socket closing under us; its disconnect removes it.
                        logger.debug("Socket of agent %s gone mid-send", agent_id)


# One hub per event loop: daphne has one loop per process; tests open a loop per test.
_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def hub_for(layer: BaseChannelLayer) -> Hub:
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None or hub.layer is not layer:
        hub = _hubs[loop] = Hub(layer)
    return hub


def batch_message(events: list[dict], recipients: dict[int, list[int]]) -> dict | None:
    """The one channel-layer message for a publish batch (None when nobody gets anything)."""
    batch = [
        {"event": event, "agents": recipients[event["id"]]}
        for event in events
        if recipients.get(event["id"])
    ]
    return {"type": EVENTS_TYPE, "batch": batch} if batch else None
