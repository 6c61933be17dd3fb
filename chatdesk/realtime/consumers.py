"""The agent websocket: one socket per open inbox tab."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from chatdesk.inbox.selectors import latest_event_id
from chatdesk.realtime.groups import agent_group

UNAUTHENTICATED = 4401


class AgentConsumer(AsyncJsonWebsocketConsumer):
    """Joins `agent.<id>` and relays the events published to that group."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        self.group = agent_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        # The newest event this agent may see: a client that reconnects later
        # replays from here (GET /api/v1/events/?after=) even if it saw none yet.
        last = await database_sync_to_async(latest_event_id)(user)
        await self.send_json(
            {"type": "session.ready", "data": {"agent": user.pk, "last_event_id": last}}
        )

    async def disconnect(self, code: int) -> None:
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: dict, **kwargs) -> None:
        if content.get("type") == "ping":
            await self.send_json({"type": "pong", "data": {}})

    async def agent_event(self, message: dict) -> None:
        """Group message `{"type": "agent.event", "event": {...}}` -> the socket."""
        await self.send_json(message["event"])
