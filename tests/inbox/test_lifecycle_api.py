"""Sticky routing, dealt with, archive/unarchive/delete, end/block, unknown senders."""

from __future__ import annotations

import pytest

from chatdesk.inbox.models import Conversation, Message, Status, VisitorBlock
from contacts.models import Contact
from tests.factories import ChannelAccountFactory

pytestmark = pytest.mark.django_db


def _take(api, agent, conversation):
    response = api(agent).post(f"/api/v1/conversations/{conversation.pk}/take/")
    assert response.status_code == 200, response.content
    return response


def test_next_message_stays_with_the_owner_until_dealt_with(customer_writes, alice, bob, api):
    first = customer_writes("Hi").conversation
    _take(api, alice, first)
    again = customer_writes("Are you there?").conversation
    assert again.pk == first.pk
    assert again.owner == alice
    assert api(bob).get(f"/api/v1/conversations/{first.pk}/").status_code == 404

    response = api(alice).post(f"/api/v1/conversations/{first.pk}/dealt-with/")
    assert response.status_code == 200
    assert response.json()["status"] == "dealt_with"
    assert response.json()["archived"] is True

    fresh = customer_writes("One more question").conversation
    assert fresh.pk != first.pk
    assert fresh.owner is None
    assert fresh.status == Status.UNASSIGNED
    ids = [c["id"] for c in api(bob).get("/api/v1/conversations/").json()["results"]]
    assert ids == [fresh.pk]


def test_archive_unarchive_and_the_archived_list(customer_writes, alice, api):
    conversation = customer_writes("Hi").conversation
    _take(api, alice, conversation)
    assert api(alice).post(f"/api/v1/conversations/{conversation.pk}/archive/").status_code == 200
    listed = api(alice).get("/api/v1/conversations/").json()["results"]
    archived = api(alice).get("/api/v1/conversations/", {"archived": "true"}).json()["results"]
    assert listed == []
    assert [c["id"] for c in archived] == [conversation.pk]
    assert api(alice).post(f"/api/v1/conversations/{conversation.pk}/unarchive/").status_code == 200
    assert [c["id"] for c in api(alice).get("/api/v1/conversations/").json()["results"]] == [
        conversation.pk
    ]


def test_delete_only_archived_chats_and_their_messages_go(customer_writes, alice, api):
    conversation = customer_writes("Hi").conversation
    _take(api, alice, conversation)
    assert api(alice).delete(f"/api/v1/conversations/{conversation.pk}/").status_code == 409
    api(alice).post(f"/api/v1/conversations/{conversation.pk}/dealt-with/")
    assert api(alice).delete(f"/api/v1/conversations/{conversation.pk}/").status_code == 204
    assert not Conversation.objects.filter(pk=conversation.pk).exists()
    assert not Message.objects.filter(conversation_id=conversation.pk).exists()


def test_end_and_block_are_for_live_chat_only(customer_writes, alice, api):
    conversation = customer_writes("Hi").conversation
    _take(api, alice, conversation)
    for action in ("end", "block"):
        response = api(alice).post(f"/api/v1/conversations/{conversation.pk}/{action}/")
        assert response.status_code == 422
        assert "live chats" in response.json()["detail"]


def test_block_bars_the_visitor_and_ends_the_chat(queue_a, customer_writes, alice, api):
    site = ChannelAccountFactory(kind="livechat", external_id="site-1", route_queue=queue_a)
    conversation = customer_writes("spam spam", to=site, address="visitor-9").conversation
    Conversation.objects.filter(pk=conversation.pk).update(visitor_ip="203.0.113.7")
    _take(api, alice, conversation)
    response = api(alice).post(
        f"/api/v1/conversations/{conversation.pk}/block/",
        {"reason": "abuse", "minutes": 60},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["blocked"] is True
    assert response.json()["status"] == "ended"
    block = VisitorBlock.objects.get()
    assert block.ip_address == "203.0.113.7"
    assert block.expires_at is not None
    notice = Message.objects.filter(conversation=conversation, direction="out").last()
    assert "closed" in notice.body


def test_end_tells_the_visitor(queue_a, customer_writes, alice, api):
    site = ChannelAccountFactory(kind="livechat", external_id="site-2", route_queue=queue_a)
    conversation = customer_writes("hi", to=site, address="visitor-3").conversation
    _take(api, alice, conversation)
    response = api(alice).post(f"/api/v1/conversations/{conversation.pk}/end/")
    assert response.status_code == 200
    assert response.json()["status"] == "ended"
    assert "ended this chat" in Message.objects.filter(conversation=conversation).last().body


def test_unknown_sender_add_contact(customer_writes, alice, api):
    conversation = customer_writes("Hi", address="14155550177", name="").conversation
    row = api(alice).get(f"/api/v1/conversations/{conversation.pk}/").json()
    assert row["contact_known"] is False
    assert row["contact_prompt_open"] is True
    response = api(alice).post(
        f"/api/v1/conversations/{conversation.pk}/add-contact/",
        {"name": "Dana Doe", "email": "dana@example.com"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["contact_known"] is True
    assert response.json()["title"] == "Dana Doe"
    assert Contact.objects.get(name="Dana Doe").identities.get().address == "14155550177"


def test_unknown_sender_ignore_archives_without_reply(customer_writes, alice, api):
    conversation = customer_writes("buy now", address="14155550166", name="").conversation
    response = api(alice).post(f"/api/v1/conversations/{conversation.pk}/ignore/")
    assert response.status_code == 200
    assert response.json()["archived"] is True
    assert not Message.objects.filter(conversation=conversation, direction="out").exists()


def test_internal_chat_between_two_agents(alice, bob, oscar, api):
    response = api(alice).post("/api/v1/conversations/internal/", {"agent": bob.pk}, format="json")
    assert response.status_code == 201
    chat_id = response.json()["id"]
    again = api(bob).post("/api/v1/conversations/internal/", {"agent": alice.pk}, format="json")
    assert (again.status_code, again.json()["id"]) == (200, chat_id)
    sent = api(bob).post(
        f"/api/v1/conversations/{chat_id}/messages/", {"body": "lunch?"}, format="json"
    )
    assert sent.status_code == 201
    assert sent.json()["delivery_status"] == "sent"
    assert api(oscar).get(f"/api/v1/conversations/{chat_id}/").status_code == 404
    assert api(alice).post(f"/api/v1/conversations/{chat_id}/dealt-with/").status_code == 409
