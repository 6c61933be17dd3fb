"""Rocket.Chat #22206: two agents both winning a take. Exactly one winner, every time."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from chatdesk.inbox.models import Conversation, Message
from tests.concurrency import at_once
from tests.factories import QueueMemberFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 6


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("how", ["take", "reply"])
def test_many_agents_racing_gives_exactly_one_owner(queue_a, customer_writes, how):
    racers = [UserFactory(username=f"racer{i}") for i in range(RACERS)]
    for racer in racers:
        QueueMemberFactory(queue=queue_a, agent=racer)
    conversation = customer_writes("Who gets me?").conversation

    def attempt(user):
        client = _client(user)
        if how == "take":
            return client.post(f"/api/v1/conversations/{conversation.pk}/take/").status_code
        return client.post(
            f"/api/v1/conversations/{conversation.pk}/messages/",
            {"body": f"hi from {user.username}"},
            format="json",
        ).status_code

    codes = at_once(lambda i: attempt(racers[i]), RACERS)
    winner_code = 200 if how == "take" else 201
    assert sorted(codes) == [winner_code] + [409] * (RACERS - 1)
    conversation.refresh_from_db()
    assert conversation.owner in racers
    if how == "reply":
        replies = Message.objects.filter(conversation=conversation, direction="out", kind="message")
        assert [m.sender for m in replies] == [conversation.owner]
    assert Conversation.objects.filter(owner__isnull=False).count() == 1
