"""Transfer from the archive over the real channel layer: the receiver's socket hears it."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from tests.sockets import agent_socket, drain

pytestmark = pytest.mark.django_db(transaction=True)


async def test_the_receiver_hears_the_reopened_chat_and_the_sender_only_its_removal(
    customer_writes, api, alice, bob, oscar, queue_a
):
    conversation_id = (await database_sync_to_async(customer_writes)("Thanks, bye")).conversation_id
    for action in ("take", "dealt-with"):
        response = await database_sync_to_async(api(alice).post)(
            f"/api/v1/conversations/{conversation_id}/{action}/"
        )
        assert response.status_code == 200
    sender, receiver, bystander = (
        await agent_socket(alice),
        await agent_socket(oscar),
        await agent_socket(bob),
    )
    try:
        response = await database_sync_to_async(api(alice).post)(
            f"/api/v1/conversations/{conversation_id}/transfer/",
            {"agent": oscar.pk},
            format="json",
        )
        assert response.status_code == 200, response.content

        heard = await drain(receiver)
        # The line "Alice reopened the chat for Oscar" (a message), then the chat itself.
        assert [e["type"] for e in heard] == ["message.created", "conversation.updated"]
        assert heard[0]["data"]["conversation"] == conversation_id
        assert heard[0]["data"]["event"]["type"] == "reopened"
        assert heard[1]["data"]["id"] == conversation_id
        assert heard[1]["data"]["owner"] == oscar.pk
        assert heard[1]["data"]["archived"] is False
        sender_heard = await drain(sender)
        assert [(e["type"], e["data"]["id"]) for e in sender_heard] == [
            ("conversation.removed", conversation_id)
        ]
        assert await drain(bystander) == []
    finally:
        for communicator in (sender, receiver, bystander):
            await communicator.disconnect()


def test_a_chat_closed_while_unowned_is_transferred_and_committed(
    customer_writes, api, carol, oscar, queue_a
):
    # No previous owner: nobody but the supervisor sender is told it went (and the
    # event rows must name real agents, or the commit fails on the foreign key).
    conversation_id = customer_writes("Hello?").conversation_id
    assert (
        api(carol).post(f"/api/v1/conversations/{conversation_id}/dealt-with/").status_code == 200
    )
    response = api(carol).post(
        f"/api/v1/conversations/{conversation_id}/transfer/", {"agent": oscar.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["owner"] == oscar.pk


def test_an_open_unowned_chat_is_transferred_and_committed(customer_writes, api, alice, oscar):
    # The same for a chat still ringing: alice passes it on without taking it first.
    conversation_id = customer_writes("Anyone?").conversation_id
    response = api(alice).post(
        f"/api/v1/conversations/{conversation_id}/transfer/", {"agent": oscar.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["owner"] == oscar.pk
