"""Sends stored events to the agents' sockets over the channel layer (after commit)."""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from chatdesk.realtime.groups import agent_group

logger = logging.getLogger(__name__)


async def _send_all(layer, messages: list[tuple[str, dict]]) -> None:
    # Concurrently, in one hop to the event loop: a chat offered to 50 agents costs
    # one thread switch and overlapping Redis round trips, not 50 sequential ones.
    await asyncio.gather(*(layer.group_send(group, message) for group, message in messages))


def send_events(events: list[dict], recipients: dict[int, list[int]]) -> None:
    """A Redis failure is logged, never raised: the change is committed and the
    agents catch up through the replay endpoint."""
    layer = get_channel_layer()
    if layer is None:
        return
    messages = [
        (agent_group(agent_id), {"type": "agent.event", "event": event})
        for event in events
        for agent_id in recipients.get(event["id"], [])
    ]
    if not messages:
        return
    try:
        async_to_sync(_send_all)(layer, messages)
    except Exception:
        logger.exception("Realtime fan-out failed; clients will catch up via /api/v1/events/")
