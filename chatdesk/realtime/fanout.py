"""Sends stored events to the agents' sockets over the channel layer (after commit)."""

from __future__ import annotations

import logging

from channels.layers import get_channel_layer

from chatdesk import channel_layer
from chatdesk.realtime import monitor
from chatdesk.realtime.hub import EVENTS_TYPE, HUBS_GROUP, batch_message

logger = logging.getLogger(__name__)


def send_events(events: list[dict], recipients: dict[int, list[int]]) -> None:
    """One `group_send` for the whole batch, whatever the number of recipients: each
    server process's hub forwards every event to its recipients' sockets only.

    A Redis failure is logged, never raised: the change is committed and the
    agents catch up through the replay endpoint."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = batch_message(events, recipients)
    if message is None:
        return
    try:
        channel_layer.call(layer.group_send, HUBS_GROUP, message)
    except Exception:
        logger.exception("Realtime fan-out failed; clients will catch up via /api/v1/events/")
    # The live monitor's picture is stale now, if anyone watches (one cached check).
    monitor.changed()


def send_transient(event: dict, agent_ids: list[int]) -> None:
    """An event that is not stored (typing): through the hubs like any other, so it
    reaches these agents' sockets only; lost, never raised, when Redis is down."""
    layer = get_channel_layer()
    if layer is None or not agent_ids:
        return
    message = {"type": EVENTS_TYPE, "batch": [{"event": event, "agents": list(agent_ids)}]}
    try:
        channel_layer.call(layer.group_send, HUBS_GROUP, message)
    except Exception:
        logger.warning("A typing notice could not be sent")
