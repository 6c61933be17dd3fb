"""Ports that inbox calls and upper layers implement (docs/architecture.md: Apps and layers).

inbox never imports channels_ingest or realtime. They register their
implementations here from their AppConfig.ready(): channels_ingest the delivery
of a reply, realtime the websocket fan-out of stored events, webhooks the events
integrators subscribe to.
"""

from __future__ import annotations

from collections.abc import Callable

_deliver: Callable[[int, int | None], None] | None = None
_fan_out: Callable[[list[dict], dict[int, list[int]]], None] | None = None
_visitor: Callable[[int, str, str], None] | None = None
_fan_out_transient: Callable[[dict, list[int]], None] | None = None
_waiting_changed: Callable[[set[int]], None] | None = None
_integration: Callable[[list[tuple[str, Callable[[], dict]]]], None] | None = None


def register_delivery(func: Callable[[int, int | None], None]) -> None:
    global _deliver
    _deliver = func


def register_fan_out(func: Callable[[list[dict], dict[int, list[int]]], None]) -> None:
    global _fan_out
    _fan_out = func


def register_transient_fan_out(func: Callable[[dict, list[int]], None]) -> None:
    global _fan_out_transient
    _fan_out_transient = func


def register_visitor_notifier(func: Callable[[int, str, str], None]) -> None:
    global _visitor
    _visitor = func


def register_waiting_watcher(func: Callable[[set[int]], None]) -> None:
    global _waiting_changed
    _waiting_changed = func


def enqueue(message_id: int, sender_id: int | None) -> None:
    """Hand a pending outbound message to the delivery worker (after commit); `sender_id`,
    its channel account, lets one queued run serve all of a sender's due replies."""
    if _deliver is not None:
        _deliver(message_id, sender_id)


def fan_out(events: list[dict], recipients: dict[int, list[int]]) -> None:
    """Send stored events to the agents' sockets (after commit)."""
    if _fan_out is not None:
        _fan_out(events, recipients)


def visitor_event(conversation_id: int, event_type: str, body: str) -> None:
    """Tell a live-chat visitor's socket (e.g. `chat.ended`) after commit."""
    if _visitor is not None:
        _visitor(conversation_id, event_type, body)


def fan_out_transient(event: dict, agent_ids: list[int]) -> None:
    """Send an event that is not stored (no id, no replay) to these agents' sockets now."""
    if _fan_out_transient is not None and agent_ids:
        _fan_out_transient(event, agent_ids)


def waiting_changed(conversation_ids: set[int]) -> None:
    """Chats changed (after commit): live-chat visitors learn their new place in line.
    `conversation_ids`: the chats that changed, some of which may have left the line."""
    if _waiting_changed is not None:
        _waiting_changed(conversation_ids)


def register_integration_listener(
    func: Callable[[list[tuple[str, Callable[[], dict]]]], None],
) -> None:
    global _integration
    _integration = func


def integration_events(events: list[tuple[str, Callable[[], dict]]]) -> None:
    """Tell integrators (outbound webhooks) of changes, inside the changes' transaction,
    so what they will be sent is stored with them. Each event is (type, data): `data` is
    called only if someone listens for that type (most desks have no webhooks, and
    representing costs time). A batch costs the listener one read of who listens."""
    if _integration is not None and events:
        _integration(events)


# WhatsApp templates live with the channels (channels_ingest): inbox asks them to fill one.
_template_renderer: Callable[[int, dict, int | None], tuple[str, dict]] | None = None


def register_template_renderer(func: Callable[[int, dict, int | None], tuple[str, dict]]) -> None:
    global _template_renderer
    _template_renderer = func


def render_template(
    template_id: int, values: dict, channel_account_id: int | None
) -> tuple[str, dict]:
    """(the text the customer reads, what the outbox sends) of a template filled with
    `values` for a chat on `channel_account_id`; a DomainError when it cannot be sent."""
    if _template_renderer is None:
        raise RuntimeError("No WhatsApp template renderer is registered.")
    return _template_renderer(template_id, values, channel_account_id)


# Erasure: each hook deletes what its app keeps about the erased customer, inside the
# erasure's transaction, and returns the names of stored files to delete after commit.
_erasure_hooks: list[Callable[[object], list[str]]] = []


def register_erasure_hook(func: Callable[[object], list[str]]) -> None:
    if func not in _erasure_hooks:
        _erasure_hooks.append(func)


def erasure_hooks() -> list[Callable[[object], list[str]]]:
    """The registered hooks, each called with the erasure's `ErasureScope`."""
    return list(_erasure_hooks)
