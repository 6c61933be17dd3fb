"""The inbound hot path costs the same whatever the size of the queue it rings.

A signed webhook for a new chat on a ring_all queue, a follow-up while it is
still ringing, and a follow-up once it is taken: each runs a fixed number of
queries and hands the fan-out one batch per published event, for 5 members as
for 50. A regression that adds a query or a send per agent fails here.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from channels_ingest.models import ChannelAccount
from chatdesk.accounts.models import Presence, Role, User
from chatdesk.inbox import ports
from chatdesk.inbox.models import Conversation, Event
from chatdesk.inbox.services.ownership import conversation_take
from queues.models import Queue, QueueMember
from tests.channels_ingest.support import PHONE_NUMBER_ID, WHATSAPP_CREDENTIALS, meta_signature

pytestmark = pytest.mark.django_db

# Ceilings (SQLite and PostgreSQL alike), the measured counts: a webhook for a new
# chat 33 (it was 55 before the inbound path's rework; 32 before the follow-up's one-query probe,
# which a new chat pays for nothing), a follow-up on a ringing chat 10 (was 19, then
# 13), on a taken one 10 (was 18, then 13); transaction and savepoint statements
# included. The account is cached after the first webhook (channels_ingest.services).
# Each event integrators may subscribe to reads the active webhook subscriptions once:
# a new chat has two (conversation.created, message.created), a follow-up one.
NEW_CHAT_MAX = 33 + 2
FOLLOW_UP_MAX = 10 + 1


def _desk(members: int) -> Queue:
    queue = Queue.objects.create(name=f"Ring {members}", strategy="ring_all")
    # One manager per desk: managers see every chat, so each desk adds one recipient.
    User.objects.create(username=f"boss{members}", role=Role.MANAGER)
    User.objects.bulk_create(
        User(username=f"q{members}-{i}", role=Role.AGENT, status=Presence.AVAILABLE)
        for i in range(members)
    )
    agents = User.objects.filter(username__startswith=f"q{members}-")
    QueueMember.objects.bulk_create(QueueMember(queue=queue, agent=agent) for agent in agents)
    ChannelAccount.objects.update_or_create(
        external_id=PHONE_NUMBER_ID,
        defaults={
            "kind": "whatsapp",
            "name": "Inbound",
            "credentials": WHATSAPP_CREDENTIALS,
            "route_queue": queue,
        },
    )
    return queue


def _webhook(n: int, customer: str) -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550109876", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Ann Customer"}, "wa_id": customer}],
        "messages": [
            {
                "from": customer,
                "id": f"wamid.queries-{customer}-{n}",
                "timestamp": "1778594591",
                "type": "text",
                "text": {"body": f"message {n}"},
            }
        ],
    }
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"value": value, "field": "messages"}]}],
    }
    return json.dumps(payload).encode()


class FanOutSpy:
    """Stands in for the realtime fan-out: what each after-commit call was handed."""

    def __init__(self) -> None:
        self.calls: list[dict[int, list[int]]] = []

    def __call__(self, events: list[dict], recipients: dict[int, list[int]]) -> None:
        self.calls.append(recipients)


@pytest.fixture
def fan_out_spy():
    spy = FanOutSpy()
    previous = ports._fan_out
    ports.register_fan_out(spy)
    yield spy
    ports.register_fan_out(previous)


def _cost(
    n: int, customer: str, spy: FanOutSpy, django_capture_on_commit_callbacks
) -> tuple[int, int]:
    """(queries, fan-out calls) of one signed webhook, its after-commit work included."""
    body = _webhook(n, customer)
    headers = {"HTTP_X_HUB_SIGNATURE_256": meta_signature(body)["X-Hub-Signature-256"]}
    spy.calls.clear()
    with (
        CaptureQueriesContext(connection) as captured,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = Client().post(
            "/webhooks/whatsapp/", body, content_type="application/json", **headers
        )
    assert response.status_code == 200
    return len(captured), len(spy.calls)


def _three_messages(members, fan_out_spy, capture) -> dict[str, tuple[int, int]]:
    queue = _desk(members)
    customer = f"1415555{members:04d}"
    costs = {"new chat": _cost(1, customer, fan_out_spy, capture)}
    conversation = Conversation.objects.get(queue=queue)
    # Every member and the manager were told about the customer's message.
    created = Event.objects.get(conversation=conversation, type="message.created")
    managers = User.objects.filter(role=Role.MANAGER).count()
    assert created.recipients.count() == members + managers
    costs["follow-up, ringing"] = _cost(2, customer, fan_out_spy, capture)
    owner = User.objects.get(username=f"q{members}-0")
    conversation_take(conversation_id=conversation.pk, agent=owner)
    costs["follow-up, taken"] = _cost(3, customer, fan_out_spy, capture)
    return costs


@pytest.mark.parametrize("members", [5, 50])
def test_inbound_queries_have_a_ceiling(members, fan_out_spy, django_capture_on_commit_callbacks):
    costs = _three_messages(members, fan_out_spy, django_capture_on_commit_callbacks)
    assert costs["new chat"][0] <= NEW_CHAT_MAX, costs
    assert costs["follow-up, ringing"][0] <= FOLLOW_UP_MAX, costs
    assert costs["follow-up, taken"][0] <= FOLLOW_UP_MAX, costs
    # One fan-out per event (offered, updated for supervisors, created), never per agent.
    assert [calls for _, calls in costs.values()] == [3, 1, 1]


def test_inbound_cost_does_not_grow_with_the_queue(fan_out_spy, django_capture_on_commit_callbacks):
    small = _three_messages(5, fan_out_spy, django_capture_on_commit_callbacks)
    large = _three_messages(50, fan_out_spy, django_capture_on_commit_callbacks)
    assert large == small
