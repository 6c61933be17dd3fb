"""The process hub: one channel-layer message per publish, relayed to exactly its recipients.

Through the real ASGI app and the real (Redis) channel layer, as the agents' browsers
connect; the customer's message is stored by the inbound service in this process.
"""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from chatdesk.realtime import fanout
from chatdesk.realtime.hub import HUBS_GROUP
from tests.sockets import agent_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def _types(communicator: WebsocketCommunicator, count: int) -> list[str]:
    return [(await communicator.receive_json_from(timeout=5))["type"] for _ in range(count)]


async def test_a_new_chat_reaches_its_audience_and_nobody_else(alice, bob, oscar, customer_writes):
    alice_tab, alice_other_tab, bob_tab, oscar_tab = [
        await agent_socket(user) for user in (alice, alice, bob, oscar)
    ]
    await database_sync_to_async(customer_writes)("Hello?")
    for tab in (alice_tab, alice_other_tab, bob_tab):
        assert await _types(tab, 2) == ["conversation.offered", "message.created"]
    assert await oscar_tab.receive_nothing(timeout=0.3)
    # A closed tab leaves the hub; the agent's other tab still gets what follows.
    await alice_other_tab.disconnect()
    await database_sync_to_async(customer_writes)("Still there?")
    assert await _types(alice_tab, 1) == ["message.created"]
    assert await alice_other_tab.receive_nothing(timeout=0.1)
    for tab in (alice_tab, bob_tab, oscar_tab):
        await tab.disconnect()


def test_one_group_send_per_batch_whatever_the_recipients(monkeypatch):
    sent: list[tuple[str, dict]] = []

    class Layer:
        async def group_send(self, group: str, message: dict) -> None:
            sent.append((group, message))

    monkeypatch.setattr(fanout, "get_channel_layer", Layer)
    events = [{"id": 1, "type": "message.created"}, {"id": 2, "type": "conversation.updated"}]
    fanout.send_events(events, {1: list(range(1, 501)), 2: [7]})
    assert len(sent) == 1
    group, message = sent[0]
    assert group == HUBS_GROUP
    assert [item["agents"] for item in message["batch"]] == [list(range(1, 501)), [7]]
    # Nobody to tell: nothing is sent at all.
    fanout.send_events([{"id": 3, "type": "x"}], {3: []})
    assert len(sent) == 1
