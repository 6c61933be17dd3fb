"""The contact panel's history: every conversation, whoever handled it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chatdesk.inbox.models import Conversation
from tests.factories import ChannelAccountFactory, QueueFactory

pytestmark = pytest.mark.django_db


def test_history_spans_agents_queues_and_channels(customer_writes, alice, bob, oscar, api):
    first = customer_writes("order question", address="14155550123").conversation
    api(alice).post(f"/api/v1/conversations/{first.pk}/take/")
    api(alice).post(
        f"/api/v1/conversations/{first.pk}/add-contact/",
        {"name": "Alice Example", "phone": "+14155550123"},
        format="json",
    )
    api(alice).post(f"/api/v1/conversations/{first.pk}/dealt-with/")
    second = customer_writes("another one", address="14155550123").conversation
    api(bob).post(f"/api/v1/conversations/{second.pk}/take/")
    sms = ChannelAccountFactory(
        kind="sms", external_id="+15005550006", route_queue=QueueFactory(name="Billing")
    )
    third = customer_writes("by sms", to=sms, address="+14155550123").conversation
    contact = Conversation.objects.get(pk=first.pk).identity.contact
    assert contact is not None
    assert Conversation.objects.get(pk=third.pk).identity.contact == contact  # one person

    response = api(oscar).get(f"/api/v1/contacts/{contact.pk}/history/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [third.pk, second.pk, first.pk]
    assert [row["owner_name"] for row in rows] == [None, "Bob Tester", "Alice Tester"]
    assert [row["queue_name"] for row in rows] == ["Billing", "Queue A", "Queue A"]
    assert rows[2]["status"] == "dealt_with"
    assert rows[0]["last_message"] == "by sms"


def test_history_query_count_is_constant(customer_writes, alice, api):
    first = customer_writes("hello", address="14155550123").conversation
    api(alice).post(f"/api/v1/conversations/{first.pk}/add-contact/", {"name": "Al"}, format="json")
    contact_id = Conversation.objects.get(pk=first.pk).identity.contact_id
    counts = []
    for n in range(2):
        for i in range(3 if n == 0 else 12):
            conversation = customer_writes(f"m{i}", address="14155550123").conversation
            api(alice).post(f"/api/v1/conversations/{conversation.pk}/take/")
            api(alice).post(f"/api/v1/conversations/{conversation.pk}/dealt-with/")
        with CaptureQueriesContext(connection) as captured:
            assert api(alice).get(f"/api/v1/contacts/{contact_id}/history/").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_unknown_contact_is_404(alice, api):
    assert api(alice).get("/api/v1/contacts/999/history/").status_code == 404
