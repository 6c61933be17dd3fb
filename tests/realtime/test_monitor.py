"""The live monitor over the real ASGI app and channel layer: supervisors only, a
snapshot then updates at most once a second, and nothing asked of Redis per change
while nobody watches."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import datetime

import pytest
from channels.db import database_sync_to_async

from chatdesk.inbox.models import Conversation
from chatdesk.realtime import monitor
from tests.sockets import agent_socket, drain

pytestmark = pytest.mark.django_db(transaction=True)


def _reset_watching() -> None:
    monitor.client().delete(monitor.ACTIVE_KEY, monitor.DIRTY_KEY, monitor.SLOT_KEY)
    monitor.forget_watching()


async def _frames_of(communicator, kind: str, seconds: float) -> list[tuple[float, dict]]:
    """(arrival, data) of every `kind` frame within `seconds`."""
    found = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        # receive_nothing, not a receive's timeout: that would cancel the application.
        if await communicator.receive_nothing(timeout=min(left, 0.05)):
            continue
        frame = await communicator.receive_json_from()
        if frame["type"] == kind:
            found.append((time.monotonic(), frame["data"]))
    return found


async def test_an_agent_is_refused(alice, queue_a, customer_writes):
    await database_sync_to_async(_reset_watching)()
    socket = await agent_socket(alice)
    try:
        await socket.send_json_to({"type": "monitor.subscribe"})
        assert await socket.receive_json_from(timeout=5) == {"type": "error", "code": "forbidden"}
        await database_sync_to_async(customer_writes)("Hello")
        heard = await drain(socket)
        assert not [f for f in heard if f["type"].startswith("monitor.")]
    finally:
        await socket.disconnect()


async def test_a_supervisor_gets_a_snapshot_then_live_updates_agents_do_not(
    alice, bob, carol, queue_a, customer_writes
):
    await database_sync_to_async(_reset_watching)()
    supervisor, agent = await agent_socket(carol), await agent_socket(alice)
    try:
        await supervisor.send_json_to({"type": "monitor.subscribe"})
        snapshot = await supervisor.receive_json_from(timeout=5)
        assert snapshot["type"] == "monitor.snapshot"
        data = snapshot["data"]
        assert {row["id"] for row in data["agents"]} >= {alice.pk, bob.pk}
        assert data["waiting"] == []
        assert [q for q in data["queues"] if q["id"] == queue_a.pk] == [
            {"id": queue_a.pk, "name": "Queue A", "waiting": 0, "longest_wait_seconds": 0}
        ]

        message = await database_sync_to_async(customer_writes)("Where is my order?")
        updates = await _frames_of(supervisor, "monitor.updated", 3.5)
        assert updates, "no monitor.updated after a change"
        latest = updates[-1][1]
        chat = await database_sync_to_async(Conversation.objects.get)(pk=message.conversation_id)
        assert latest["waiting"] == [
            {
                "conversation": chat.pk,
                "name": "Alice Example",
                "queue": queue_a.pk,
                "channel": "whatsapp",
                "waited_seconds": latest["waiting"][0]["waited_seconds"],
                "waiting_since": latest["waiting"][0]["waiting_since"],
                "offered_to": sorted([alice.pk, bob.pk]),
                "held_until": None,
            }
        ]
        assert next(q for q in latest["queues"] if q["id"] == queue_a.pk)["waiting"] == 1

        heard = await drain(agent)
        assert "conversation.offered" in {frame["type"] for frame in heard}
        assert not [f for f in heard if f["type"].startswith("monitor.")]
    finally:
        await supervisor.disconnect()
        await agent.disconnect()


async def test_updates_come_at_most_once_a_second_while_changes_pour_in(
    carol, alice, queue_a, customer_writes
):
    await database_sync_to_async(_reset_watching)()
    first, second = await agent_socket(carol), await agent_socket(carol)
    try:
        for socket in (first, second):
            await socket.send_json_to({"type": "monitor.subscribe"})
            assert (await socket.receive_json_from(timeout=5))["type"] == "monitor.snapshot"

        async def busy_customers() -> None:
            for n in range(16):  # a change every quarter second, four seconds long
                await database_sync_to_async(customer_writes)(
                    f"line {n}", address=f"1415555{n:04d}"
                )
                await asyncio.sleep(0.25)

        writer = asyncio.ensure_future(busy_customers())
        updates, others = await asyncio.gather(
            _frames_of(first, "monitor.updated", 5), _frames_of(second, "monitor.updated", 5)
        )
        await writer
        assert len(updates) >= 3, "changes went on for four seconds"
        # Computed once for both subscribers, never twice within a second.
        assert [data["at"] for _, data in updates] == [data["at"] for _, data in others]
        moments = [datetime.fromisoformat(data["at"]) for _, data in updates]
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(moments)]
        assert min(gaps) >= 0.99, gaps
        # The last change is not lost to the throttle: it shows within the next second.
        settled = await _frames_of(first, "monitor.updated", 2.5)
        final = (settled or updates)[-1][1]
        assert len(final["waiting"]) == 16
    finally:
        await first.disconnect()
        await second.disconnect()


def test_with_nobody_watching_a_change_marks_nothing(db):
    _reset_watching()
    monitor.mark_stale()
    assert not monitor.client().exists(monitor.DIRTY_KEY)
    monitor.client().set(monitor.ACTIVE_KEY, 1, ex=5)
    monitor.mark_stale()  # within the second: the process still remembers "nobody"
    assert not monitor.client().exists(monitor.DIRTY_KEY)
    monitor.forget_watching()
    monitor.mark_stale()
    assert monitor.client().exists(monitor.DIRTY_KEY)
    _reset_watching()


def test_the_fan_out_marks_through_the_process_thread_without_waiting_on_redis(db):
    _reset_watching()
    monitor.client().set(monitor.ACTIVE_KEY, 1, ex=5)
    monitor.forget_watching()
    monitor.changed()
    deadline = time.monotonic() + 2
    while not monitor.client().exists(monitor.DIRTY_KEY) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert monitor.client().exists(monitor.DIRTY_KEY)
    _reset_watching()
