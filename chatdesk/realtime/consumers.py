"""The agent websocket: one socket per open inbox tab."""

from __future__ import annotations

import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from chatdesk.inbox.selectors import latest_event_id
from chatdesk.inbox.services import presence, visitor
from chatdesk.inbox.tasks import agent_gone
from chatdesk.realtime import monitor
from chatdesk.realtime.hub import hub_for

logger = logging.getLogger(__name__)

UNAUTHENTICATED = 4401


def _opened(user) -> int | None:
    """Count the socket (a returning agent gets their status back) and read the replay
    point, in one thread hop."""
    presence.agent_socket_opened(agent_id=user.pk)
    return latest_event_id(user)


def _closed(agent_id: int) -> None:
    if not presence.agent_socket_closed(agent_id=agent_id):
        return
    try:
        agent_gone.apply_async((agent_id,), countdown=presence.grace_seconds())
    except Exception:
        # The broker is down: the beat sweep applies the grace period instead.
        logger.warning("Could not schedule the presence grace timer of agent %s", agent_id)


class AgentConsumer(AsyncJsonWebsocketConsumer):
    """Relays the agent's events, published in batches, through this process's hub."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        self.agent_id = user.pk
        # Events relayed before `session.ready` went out wait here: it is the first frame.
        self._early: list[str] | None = []
        self.hub = hub_for(self.channel_layer)
        # Joined before the replay point is read, so no event falls between the two.
        await self.hub.join(user.pk, self, self._send_text)
        await self.accept()
        # The newest event this agent may see: a client that reconnects later
        # replays from here (GET /api/v1/events/?after=) even if it saw none yet.
        last = await database_sync_to_async(_opened)(user)
        self.counted = True
        await self.send_json(
            {"type": "session.ready", "data": {"agent": user.pk, "last_event_id": last}}
        )
        while self._early:
            await self.send(text_data=self._early.pop(0))
        self._early = None

    async def disconnect(self, code: int) -> None:
        if getattr(self, "monitoring", False):
            self.monitoring = False
            await monitor.pump_for(self.channel_layer).unsubscribe(self.channel_name)
        if getattr(self, "counted", False):
            self.counted = False
            await database_sync_to_async(_closed)(self.agent_id)
        if getattr(self, "hub", None):
            await self.hub.leave(self.agent_id, self)

    async def _send_text(self, text: str) -> None:
        if self._early is not None:
            self._early.append(text)
            return
        await self.send(text_data=text)

    async def receive_json(self, content: dict, **kwargs) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            await self.send_json({"type": "pong", "data": {}})
        elif kind == "typing":
            await self._typing(content.get("conversation"))
        elif kind == "monitor.subscribe":
            await self._monitor_subscribe()
        elif kind == "monitor.unsubscribe" and getattr(self, "monitoring", False):
            self.monitoring = False
            await monitor.pump_for(self.channel_layer).unsubscribe(self.channel_name)

    async def _monitor_subscribe(self) -> None:
        """Supervisors watch the whole desk: a snapshot now, updates while it changes."""
        if not self.scope["user"].is_supervisor:
            await self.send_json({"type": "error", "code": "forbidden"})
            return
        if getattr(self, "monitoring", False):
            return
        picture = await database_sync_to_async(monitor.snapshot_for_subscriber)()
        await self.send_json({"type": "monitor.snapshot", "data": picture})
        self.monitoring = True
        await monitor.pump_for(self.channel_layer).subscribe(self.channel_name)

    async def monitor_updated(self, message: dict) -> None:
        """The pump's picture for every subscribed socket (the channel-layer group)."""
        if getattr(self, "monitoring", False):
            await self.send_json({"type": "monitor.updated", "data": message["data"]})

    async def _typing(self, conversation_id: object) -> None:
        # Not answered either way: a refusal would tell an outsider the chat exists.
        if type(conversation_id) is not int or not 0 < conversation_id < 2**63:
            return
        await database_sync_to_async(visitor.conversation_agent_typing)(
            conversation_id=conversation_id, agent=self.scope["user"]
        )
