"""Rocket.Chat #38148: concurrent webhooks from one new sender open one conversation."""

from __future__ import annotations

import pytest

from chatdesk.inbox.models import Conversation, Message
from chatdesk.inbox.services.receive import message_receive
from tests.concurrency import at_once
from tests.factories import inbound_from

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 6


def test_one_open_conversation_and_every_message_kept(account):
    def deliver(index: int) -> None:
        inbound = inbound_from(
            account,
            address="14155550188",
            name="Racer",
            body=f"part {index}",
            pmid=f"wamid.race{index}",
        )
        message_receive(inbound=inbound)
        message_receive(inbound=inbound)  # the same webhook delivered twice: stored once

    at_once(deliver, WRITERS)
    assert Conversation.objects.count() == 1
    assert Message.objects.count() == WRITERS
    assert sorted(Message.objects.values_list("body", flat=True)) == [
        f"part {i}" for i in range(WRITERS)
    ]


def test_presence_change_through_the_api_drains_waiting_chats(customer_writes, alice, bob, api):
    for agent in (alice, bob):
        api(agent).patch("/api/v1/agents/me/", {"status": "away"}, format="json")
    conversation = customer_writes("anyone?").conversation
    assert conversation.offers.count() == 0  # nobody available: the chat waits
    response = api(alice).patch("/api/v1/agents/me/", {"status": "available"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "available"
    ids = [c["id"] for c in api(alice).get("/api/v1/conversations/").json()["results"]]
    assert ids == [conversation.pk]
