"""Archive and delete belong to whoever does them: one's own taken chat, one's side of an
internal chat, and never a chat still ringing for colleagues."""

from __future__ import annotations

import pytest

from chatdesk.inbox.models import Conversation, Message
from queues.models import Offer

pytestmark = pytest.mark.django_db


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_an_agent_deletes_their_own_taken_chat_from_the_archive(customer_writes, alice, api):
    conversation = customer_writes("Hi").conversation
    assert api(alice).post(f"/api/v1/conversations/{conversation.pk}/take/").status_code == 200
    assert api(alice).post(f"/api/v1/conversations/{conversation.pk}/archive/").status_code == 200

    response = api(alice).delete(f"/api/v1/conversations/{conversation.pk}/")

    assert response.status_code == 204, response.content
    assert not Conversation.objects.filter(pk=conversation.pk).exists()
    assert not Message.objects.filter(conversation_id=conversation.pk).exists()
    # The customer writing again starts a fresh chat, routed anew.
    fresh = customer_writes("Still there?").conversation
    assert fresh.pk != conversation.pk
    assert fresh.owner is None


def test_a_colleague_cannot_delete_someone_elses_archived_taken_chat(
    customer_writes, alice, bob, api
):
    conversation = customer_writes("Hi").conversation
    api(alice).post(f"/api/v1/conversations/{conversation.pk}/take/")
    api(alice).post(f"/api/v1/conversations/{conversation.pk}/archive/")
    assert api(bob).delete(f"/api/v1/conversations/{conversation.pk}/").status_code == 404
    assert Conversation.objects.filter(pk=conversation.pk).exists()


def test_a_chat_ringing_for_colleagues_cannot_be_archived(customer_writes, alice, bob, api):
    conversation = customer_writes("Hi").conversation
    assert Offer.objects.filter(
        conversation=conversation, agent=bob, outcome=Offer.Outcome.PENDING
    ).exists()

    response = api(alice).post(f"/api/v1/conversations/{conversation.pk}/archive/")

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "ringing"
    assert "ringing" in response.json()["detail"]
    conversation.refresh_from_db()
    assert conversation.archived is False
    assert conversation.pk in _ids(api(bob).get("/api/v1/conversations/"))


def _internal_chat(api, alice, bob) -> int:
    response = api(alice).post("/api/v1/conversations/internal/", {"agent": bob.pk}, format="json")
    assert response.status_code == 201, response.content
    chat_id = response.json()["id"]
    sent = api(bob).post(
        f"/api/v1/conversations/{chat_id}/messages/", {"body": "lunch?"}, format="json"
    )
    assert sent.status_code == 201, sent.content
    return chat_id


def test_archiving_an_internal_chat_hides_it_for_the_archiver_only(alice, bob, api, capture_events):
    chat_id = _internal_chat(api, alice, bob)
    log = capture_events()

    response = api(alice).post(f"/api/v1/conversations/{chat_id}/archive/")

    assert response.status_code == 200, response.content
    assert response.json()["archived"] is True
    assert chat_id not in _ids(api(alice).get("/api/v1/conversations/"))
    assert chat_id in _ids(api(alice).get("/api/v1/conversations/", {"archived": "true"}))
    assert chat_id in _ids(api(bob).get("/api/v1/conversations/"))
    assert chat_id not in _ids(api(bob).get("/api/v1/conversations/", {"archived": "true"}))
    assert api(bob).get(f"/api/v1/conversations/{chat_id}/").json()["archived"] is False
    assert log.types(bob) == []
    assert [e["data"]["archived"] for e in log.received(alice, "conversation.updated")] == [True]

    # A new line from the colleague brings it back to the archiver's open list.
    api(bob).post(f"/api/v1/conversations/{chat_id}/messages/", {"body": "?"}, format="json")
    assert chat_id in _ids(api(alice).get("/api/v1/conversations/"))


def test_an_archived_internal_chat_is_deleted_for_oneself(alice, bob, api, capture_events):
    chat_id = _internal_chat(api, alice, bob)
    assert api(alice).delete(f"/api/v1/conversations/{chat_id}/").status_code == 409
    api(alice).post(f"/api/v1/conversations/{chat_id}/archive/")
    log = capture_events()

    assert api(alice).delete(f"/api/v1/conversations/{chat_id}/").status_code == 204

    assert api(alice).get(f"/api/v1/conversations/{chat_id}/").status_code == 404
    assert chat_id not in _ids(api(alice).get("/api/v1/conversations/", {"archived": "true"}))
    assert chat_id in _ids(api(bob).get("/api/v1/conversations/"))
    bodies = [
        m["body"]
        for m in api(bob).get(f"/api/v1/conversations/{chat_id}/messages/").json()["results"]
    ]
    assert bodies == ["lunch?"]
    assert log.types(alice) == ["conversation.removed"]
    assert log.types(bob) == []

    # The colleague writes again: the chat is back for alice, without what she deleted.
    api(bob).post(f"/api/v1/conversations/{chat_id}/messages/", {"body": "hello?"}, format="json")
    assert chat_id in _ids(api(alice).get("/api/v1/conversations/"))
    mine = api(alice).get(f"/api/v1/conversations/{chat_id}/messages/").json()["results"]
    assert [m["body"] for m in mine] == ["hello?"]


def test_an_internal_chat_goes_for_good_once_both_deleted_it(alice, bob, api):
    chat_id = _internal_chat(api, alice, bob)
    for agent in (alice, bob):
        assert api(agent).post(f"/api/v1/conversations/{chat_id}/archive/").status_code == 200
        assert api(agent).delete(f"/api/v1/conversations/{chat_id}/").status_code == 204
    assert not Conversation.objects.filter(pk=chat_id).exists()
    # Opening a chat with the same colleague starts a new one.
    again = api(alice).post("/api/v1/conversations/internal/", {"agent": bob.pk}, format="json")
    assert again.status_code == 201
