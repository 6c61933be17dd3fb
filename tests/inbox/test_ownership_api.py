"""Take, the first reply's auto-take, transfer — through the public API."""

from __future__ import annotations

import uuid

import pytest

from chatdesk.inbox.models import Message, Status

pytestmark = pytest.mark.django_db


def test_ring_all_offers_the_new_chat_to_every_member(customer_writes, alice, bob, oscar, api):
    conversation = customer_writes("Hi").conversation
    for agent in (alice, bob):
        ids = [row["id"] for row in api(agent).get("/api/v1/conversations/").json()["results"]]
        assert ids == [conversation.pk]
    assert api(oscar).get("/api/v1/conversations/").json()["results"] == []
    assert api(oscar).get(f"/api/v1/conversations/{conversation.pk}/").status_code == 404


def test_take_makes_it_mine_and_others_lose_sight(customer_writes, alice, bob, capture_events, api):
    conversation = customer_writes("Hi").conversation
    log = capture_events()
    response = api(alice).post(f"/api/v1/conversations/{conversation.pk}/take/")
    assert response.status_code == 200
    assert response.json()["owner"] == alice.pk
    assert response.json()["status"] == "taken"
    assert api(bob).get(f"/api/v1/conversations/{conversation.pk}/").status_code == 404
    assert log.types(bob) == ["conversation.removed"]
    # The event line "Alice took the chat", then the chat itself.
    assert log.types(alice) == ["message.created", "conversation.updated"]
    # The loser of the race learns why: 409 for a member of the queue.
    late = api(bob).post(f"/api/v1/conversations/{conversation.pk}/take/")
    assert late.status_code == 409
    assert "Alice" in late.json()["detail"]


def test_outsider_gets_404_not_409(customer_writes, alice, oscar, api):
    conversation = customer_writes("Hi").conversation
    api(alice).post(f"/api/v1/conversations/{conversation.pk}/take/")
    assert api(oscar).post(f"/api/v1/conversations/{conversation.pk}/take/").status_code == 404


def test_first_reply_takes_the_chat_and_is_queued_for_delivery(customer_writes, alice, bob, api):
    conversation = customer_writes("Hi").conversation
    response = api(alice).post(
        f"/api/v1/conversations/{conversation.pk}/messages/",
        {"body": "Hello! How can I help?"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["direction"] == "out"
    assert body["delivery_status"] == "pending"
    conversation.refresh_from_db()
    assert conversation.owner == alice
    assert conversation.status == Status.TAKEN
    reply = api(bob).post(
        f"/api/v1/conversations/{conversation.pk}/messages/", {"body": "me too"}, format="json"
    )
    assert reply.status_code == 409
    assert (
        Message.objects.filter(conversation=conversation, direction="out", kind="message").count()
        == 1
    )


def test_same_client_id_twice_stores_one_reply(customer_writes, alice, api):
    conversation = customer_writes("Hi").conversation
    payload = {"body": "Sure!", "client_id": str(uuid.uuid4())}
    url = f"/api/v1/conversations/{conversation.pk}/messages/"
    first = api(alice).post(url, payload, format="json")
    again = api(alice).post(url, payload, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert (
        Message.objects.filter(conversation=conversation, direction="out", kind="message").count()
        == 1
    )


def test_empty_reply_is_refused_with_a_reason(customer_writes, alice, api):
    conversation = customer_writes("Hi").conversation
    response = api(alice).post(
        f"/api/v1/conversations/{conversation.pk}/messages/", {"body": "   "}, format="json"
    )
    assert response.status_code == 400
    assert "Write a message" in response.json()["detail"]


def test_transfer_by_extension_hands_it_over(
    customer_writes, alice, bob, oscar, capture_events, api
):
    conversation = customer_writes("Hi").conversation
    api(alice).post(f"/api/v1/conversations/{conversation.pk}/take/")
    found = api(alice).get("/api/v1/agents/", {"search": oscar.extension}).json()["results"]
    assert [agent["id"] for agent in found] == [oscar.pk]
    log = capture_events()
    response = api(alice).post(
        f"/api/v1/conversations/{conversation.pk}/transfer/", {"agent": oscar.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["owner"] == oscar.pk
    assert api(alice).get(f"/api/v1/conversations/{conversation.pk}/").status_code == 404
    assert api(oscar).get(f"/api/v1/conversations/{conversation.pk}/").status_code == 200
    assert log.types(alice) == ["conversation.removed"]
    assert log.types(oscar) == ["message.created", "conversation.updated"]
    assert log.types(bob) == []


def test_agents_search_matches_names(alice, bob, api):
    names = [
        a["username"] for a in api(alice).get("/api/v1/agents/", {"search": "bo"}).json()["results"]
    ]
    assert names == ["bob"]
