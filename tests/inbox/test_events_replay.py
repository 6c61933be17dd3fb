"""Chatwoot #14934: a reconnecting client catches up on exactly what it may see."""

from __future__ import annotations

import pytest

from chatdesk.inbox.models import Event, EventWindow

pytestmark = pytest.mark.django_db


def test_replay_returns_my_events_in_order_and_nothing_else(customer_writes, alice, bob, api):
    start = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    conversation = customer_writes("Hi").conversation
    api(alice).post(f"/api/v1/conversations/{conversation.pk}/take/")
    customer_writes("Still there?")  # alice's now: bob must not see this message
    alice_events = api(alice).get("/api/v1/events/", {"after": start}).json()["results"]
    bob_events = api(bob).get("/api/v1/events/", {"after": start}).json()["results"]
    assert [e["type"] for e in alice_events] == [
        "conversation.offered",
        "message.created",
        "message.created",  # the event line: alice took the chat
        "conversation.updated",
        "message.created",
    ]
    assert [e["type"] for e in bob_events] == [
        "conversation.offered",
        "message.created",
        "conversation.removed",
    ]
    ids = [e["id"] for e in alice_events]
    assert ids == sorted(ids)
    assert all(e["at"].endswith("Z") for e in alice_events)
    assert alice_events[-1]["data"]["body"] == "Still there?"
    later = api(alice).get("/api/v1/events/", {"after": ids[1]}).json()
    assert [e["id"] for e in later["results"]] == ids[2:]
    assert later["last_id"] == ids[-1]


def test_replay_past_the_kept_window_is_410(alice, api):
    EventWindow.objects.create(purged_through=100)
    response = api(alice).get("/api/v1/events/", {"after": 50})
    assert response.status_code == 410
    assert api(alice).get("/api/v1/events/", {"after": 100}).status_code == 200


def test_replay_needs_a_numeric_after(alice, api):
    assert api(alice).get("/api/v1/events/", {"after": "yesterday"}).status_code == 400
