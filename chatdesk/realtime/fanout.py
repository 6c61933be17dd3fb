"""Sends stored events to the agents' sockets over the channel layer (after commit)."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from chatdesk.realtime.groups import agent_group

logger = logging.getLogger(__name__)


def send_events(events: list[dict], recipients: dict[int, list[int]]) -> None:
    """One group_send per (event, agent). A Redis failure is logged, never raised:
    the change is committed and the agents catch up through the replay endpoint."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        for event in events:
            for agent_id in recipients.get(event["id"], []):
                async_to_sync(layer.group_send)(
                    agent_group(agent_id), {"type": "agent.event", "event": event}
                )
    except Exception:
        logger.exception("Realtime fan-out failed; clients will catch up via /api/v1/events/")
