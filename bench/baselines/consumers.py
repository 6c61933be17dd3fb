"""Baseline consumers: (b) holds a socket and nothing else; the relay serves baseline (a)."""

from __future__ import annotations

import json

from channels.generic.websocket import AsyncWebsocketConsumer

RELAY_GROUP = "bench_relay"


class HoldConsumer(AsyncWebsocketConsumer):
    """Baseline (b): the per-socket cost of daphne + Channels with no app state."""

    async def connect(self) -> None:
        await self.accept()


class RelayConsumer(AsyncWebsocketConsumer):
    """Baseline (a)'s one consumer: joins one group and forwards what it gets."""

    async def connect(self) -> None:
        await self.channel_layer.group_add(RELAY_GROUP, self.channel_name)
        await self.accept()
        # Same first frame as the agent socket, so clients wait the same way.
        await self.send(text_data=json.dumps({"type": "session.ready", "data": {}}))

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(RELAY_GROUP, self.channel_name)

    async def bench_event(self, message: dict) -> None:
        await self.send(text_data=json.dumps(message["event"]))
