"""Private notes and @mentions: stored as kind "note", seen by agents only; a mention
lets a colleague read the chat (not act on it) until it is dealt with."""

from __future__ import annotations

import pytest

from archive.reports import ReportFilter, manager_report
from chatdesk.inbox.models import Conversation, Mention, Message
from chatdesk.inbox.selectors import conversation_audience, inbox_rows, visible_conversations
from chatdesk.inbox.services.notes import mentioned_usernames
from tests.factories import QueueFactory, QueueMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def _note(api, user, conversation_id: int, body: str):
    return api(user).post(f"/api/v1/conversations/{conversation_id}/notes/", {"body": body})


@pytest.fixture
def taken_chat(customer_writes, alice, api):
    """A WhatsApp chat alice has taken."""
    conversation = customer_writes("Where is my parcel?").conversation
    assert api(alice).post(f"/api/v1/conversations/{conversation.pk}/take/").status_code == 200
    conversation.refresh_from_db()
    return conversation


def test_a_note_is_a_message_of_kind_note_that_changes_nothing_for_the_customer(
    customer_writes, alice, api
):
    conversation = customer_writes("Where is my parcel?").conversation
    before = Conversation.objects.get(pk=conversation.pk)
    Conversation.objects.filter(pk=conversation.pk).update(customer_waiting_since=before.created_at)

    response = _note(api, alice, conversation.pk, "Customer sounds upset; parcel is lost.")

    assert response.status_code == 201, response.content
    note = response.json()
    assert note["kind"] == "note"
    assert note["sender"] == alice.pk
    assert note["body"] == "Customer sounds upset; parcel is lost."
    assert note["mentions"] == []
    after = Conversation.objects.get(pk=conversation.pk)
    # Not a reply: it takes nothing, moves nothing, stops no wait, answers no prompt.
    assert (after.owner_id, after.status) == (None, "unassigned")
    assert after.last_message_at == before.last_message_at
    assert after.customer_waiting_since == before.created_at
    assert after.contact_prompt_open == before.contact_prompt_open
    stored = Message.objects.get(pk=note["id"])
    assert stored.delivery_due_at is None and stored.channel_account_id is None
    # The row's preview is still the customer's words.
    row = inbox_rows(alice).get(pk=conversation.pk)
    assert row.last_body == "Where is my parcel?"
    # Messages carry kind: the customer's line a message, the note a note.
    kinds = [
        (m["kind"], m["body"])
        for m in api(alice)
        .get(f"/api/v1/conversations/{conversation.pk}/messages/")
        .json()["results"]
    ]
    assert ("message", "Where is my parcel?") in kinds
    assert ("note", "Customer sounds upset; parcel is lost.") in kinds


def test_a_note_reaches_the_agents_who_see_the_chat(
    taken_chat, alice, bob, carol, api, capture_events
):
    events = capture_events()
    assert _note(api, alice, taken_chat.pk, "for the record").status_code == 201

    created = events.received(carol, "message.created")
    assert [(e["data"]["kind"], e["data"]["body"]) for e in created] == [("note", "for the record")]
    assert events.received(alice, "message.created")
    # bob was offered the chat but alice took it: he does not see it, nor its notes.
    assert events.received(bob) == []


def test_bad_notes_are_refused_with_a_reason(customer_writes, alice, bob, oscar, api):
    conversation = customer_writes("Hello").conversation
    blank = _note(api, alice, conversation.pk, "   ")
    assert blank.status_code == 400 and "Write the note" in blank.json()["detail"]
    unknown = api(alice).post(
        f"/api/v1/conversations/{conversation.pk}/notes/", {"body": "x", "private": True}
    )
    assert unknown.status_code == 400 and "private" in unknown.json()
    assert _note(api, oscar, conversation.pk, "not mine").status_code == 404
    internal = api(alice).post("/api/v1/conversations/internal/", {"agent": bob.pk}).json()
    refused = _note(api, alice, internal["id"], "hello")
    assert refused.status_code == 422
    assert refused.json()["code"] == "not_allowed_for_channel"
    assert not Message.objects.filter(kind=Message.Kind.NOTE).exists()


def test_mentions_are_read_from_the_text():
    text = "@bob.smith please ask @Carol, not mail@example.com or @@x; @bob.smith again."
    # An e-mail address and "@@" are no mentions; a name counts once.
    assert mentioned_usernames(text) == ["bob.smith", "carol"]


def test_a_mention_gives_read_only_access_until_the_chat_is_dealt_with(
    taken_chat, alice, oscar, api, capture_events
):
    base = f"/api/v1/conversations/{taken_chat.pk}"
    assert api(oscar).get(f"{base}/").status_code == 404
    events = capture_events()

    response = _note(api, alice, taken_chat.pk, "@oscar you handled this customer before?")
    assert response.status_code == 201
    assert response.json()["mentions"] == [oscar.pk]

    # oscar reads it: the chat is in his list, its messages open.
    assert api(oscar).get(f"{base}/").status_code == 200
    assert api(oscar).get(f"{base}/messages/").status_code == 200
    listed = [row["id"] for row in api(oscar).get("/api/v1/conversations/").json()["results"]]
    assert taken_chat.pk in listed
    assert oscar.pk in conversation_audience(taken_chat)
    # ...and may answer with a note, mark it read; nothing else.
    assert _note(api, oscar, taken_chat.pk, "Yes: it was a wrong address.").status_code == 201
    assert api(oscar).post(f"{base}/read/").status_code == 200
    reply = api(oscar).post(f"{base}/messages/", {"body": "Hello from Oscar"})
    assert reply.status_code == 403 and reply.json()["code"] == "forbidden"
    assert api(oscar).post(f"{base}/take/").status_code == 403
    assert api(oscar).post(f"{base}/dealt-with/").status_code == 403
    assert api(oscar).post(f"{base}/transfer/", {"agent": oscar.pk}).status_code == 403
    assert not Message.objects.filter(body="Hello from Oscar").exists()
    assert Conversation.objects.get(pk=taken_chat.pk).owner_id == alice.pk

    mention = events.received(oscar, "mention.created")
    assert len(mention) == 1
    assert mention[0]["data"]["conversation"] == taken_chat.pk
    assert mention[0]["data"]["message"] == response.json()["id"]
    assert mention[0]["data"]["by"] == alice.pk
    assert "conversation.updated" in events.types(oscar)

    assert api(alice).post(f"{base}/dealt-with/").status_code == 200
    assert api(oscar).get(f"{base}/").status_code == 404
    assert api(oscar).get(f"{base}/messages/").status_code == 404
    assert oscar.pk not in conversation_audience(Conversation.objects.get(pk=taken_chat.pk))
    assert events.received(oscar, "conversation.removed")[-1]["data"] == {"id": taken_chat.pk}
    assert Mention.objects.get(agent=oscar).ended_at is not None


def test_the_mention_event_reaches_the_colleague_only(
    taken_chat, alice, bob, carol, oscar, api, capture_events
):
    events = capture_events()
    _note(api, alice, taken_chat.pk, "@oscar have a look")
    assert [e["data"]["by"] for e in events.received(oscar, "mention.created")] == [alice.pk]
    for other in (alice, bob, carol):
        assert events.received(other, "mention.created") == []


def test_unknown_inactive_and_own_names_mention_nobody(taken_chat, alice, api, capture_events):
    UserFactory(username="gone", is_active=False)
    response = _note(api, alice, taken_chat.pk, "@nobody @gone @alice see mail@oscar.example")
    assert response.status_code == 201
    assert response.json()["mentions"] == []
    assert not Mention.objects.exists()


def test_a_mention_in_a_closed_chat_gives_no_access(taken_chat, alice, oscar, api):
    assert api(alice).post(f"/api/v1/conversations/{taken_chat.pk}/dealt-with/").status_code == 200
    response = _note(api, alice, taken_chat.pk, "@oscar for later")
    assert response.status_code == 201 and response.json()["mentions"] == []
    assert api(oscar).get(f"/api/v1/conversations/{taken_chat.pk}/").status_code == 404


def test_visibility_and_audience_agree_while_a_mention_is_open(
    customer_writes, alice, bob, carol, oscar, api
):
    ringing = customer_writes("Hello?").conversation  # offered to alice and bob
    _note(api, alice, ringing.pk, "@oscar do you know them?")
    audience = conversation_audience(ringing)
    for user in (alice, bob, carol, oscar):
        seen = visible_conversations(user).filter(pk=ringing.pk).exists()
        assert seen == (user.pk in audience), user.username
    assert oscar.pk in audience
    # The mention grants reading, not acting: oscar's take is refused.
    assert api(oscar).post(f"/api/v1/conversations/{ringing.pk}/take/").status_code == 403
    assert api(bob).post(f"/api/v1/conversations/{ringing.pk}/take/").status_code == 200
    # Taken by bob, the chat stays readable for oscar until it is dealt with.
    assert api(oscar).get(f"/api/v1/conversations/{ringing.pk}/").status_code == 200


def test_a_supervisor_may_mention_and_the_mention_outlives_a_transfer(
    taken_chat, alice, bob, carol, oscar, api
):
    assert _note(api, carol, taken_chat.pk, "@oscar please coach alice here").status_code == 201
    moved = api(alice).post(f"/api/v1/conversations/{taken_chat.pk}/transfer/", {"agent": bob.pk})
    assert moved.status_code == 200
    assert api(oscar).get(f"/api/v1/conversations/{taken_chat.pk}/").status_code == 200


# Transfer to a queue ---------------------------------------------------------------


@pytest.fixture
def queue_b(db, oscar):
    queue = QueueFactory(name="Billing", strategy="ring_all")
    QueueMemberFactory(queue=queue, agent=oscar, priority=1)
    return queue


def test_transfer_to_a_queue_routes_anew_with_the_note_stored_as_a_note(
    taken_chat, alice, oscar, carol, queue_b, api, capture_events
):
    events = capture_events()
    response = api(alice).post(
        f"/api/v1/conversations/{taken_chat.pk}/transfer/",
        {"queue": queue_b.pk, "note": "Refund approved, needs billing."},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["owner"], body["queue"]) == ("unassigned", None, queue_b.pk)

    # The sender lost it; the queue's member is offered it.
    assert api(alice).get(f"/api/v1/conversations/{taken_chat.pk}/").status_code == 404
    assert events.received(alice, "conversation.removed")[-1]["data"] == {"id": taken_chat.pk}
    offered = events.received(oscar, "conversation.offered")
    assert [e["data"]["id"] for e in offered] == [taken_chat.pk]
    assert api(oscar).get(f"/api/v1/conversations/{taken_chat.pk}/").status_code == 200

    note = Message.objects.get(conversation=taken_chat, kind=Message.Kind.NOTE)
    assert (note.body, note.sender_id) == ("Refund approved, needs billing.", alice.pk)
    line = Message.objects.filter(conversation=taken_chat, kind=Message.Kind.EVENT).last()
    assert line.event["type"] == "transferred"
    assert (line.event["queue"], line.event["queue_name"]) == (queue_b.pk, "Billing")
    # oscar, who will answer, reads the hand-over.
    notes = [m for m in events.received(oscar, "message.created") if m["data"]["kind"] == "note"]
    assert [m["data"]["body"] for m in notes] == ["Refund approved, needs billing."]
    # ...and takes it.
    assert api(oscar).post(f"/api/v1/conversations/{taken_chat.pk}/take/").status_code == 200


def test_transfer_to_a_queue_validates_its_input(taken_chat, alice, bob, queue_b, api):
    path = f"/api/v1/conversations/{taken_chat.pk}/transfer/"
    unknown = api(alice).post(path, {"queue": 999999}, format="json")
    assert unknown.status_code == 400 and "No such queue" in unknown.json()["detail"]
    both = api(alice).post(path, {"queue": queue_b.pk, "agent": bob.pk}, format="json")
    assert both.status_code == 400 and "not both" in str(both.json())
    neither = api(alice).post(path, {"note": "hello"}, format="json")
    assert neither.status_code == 400
    assert Conversation.objects.get(pk=taken_chat.pk).owner_id == alice.pk
    assert not Message.objects.filter(kind=Message.Kind.NOTE).exists()


def test_a_transfer_to_a_colleague_stores_its_note_too(taken_chat, alice, bob, api):
    response = api(alice).post(
        f"/api/v1/conversations/{taken_chat.pk}/transfer/",
        {"agent": bob.pk, "note": "VIP, be gentle"},
        format="json",
    )
    assert response.status_code == 200
    note = Message.objects.get(conversation=taken_chat, kind=Message.Kind.NOTE)
    assert (note.body, note.sender_id) == ("VIP, be gentle", alice.pk)
    visible = api(bob).get(f"/api/v1/conversations/{taken_chat.pk}/messages/").json()["results"]
    assert ("note", "VIP, be gentle") in [(m["kind"], m["body"]) for m in visible]


def test_only_the_owner_or_a_supervisor_sends_a_chat_to_a_queue(
    taken_chat, bob, carol, queue_b, api
):
    path = f"/api/v1/conversations/{taken_chat.pk}/transfer/"
    # bob no longer sees alice's chat: 404, as for any action on it.
    assert api(bob).post(path, {"queue": queue_b.pk}, format="json").status_code == 404
    assert api(carol).post(path, {"queue": queue_b.pk}, format="json").status_code == 200


def test_a_note_is_no_reply_in_the_managers_report(taken_chat, alice, api):
    _note(api, alice, taken_chat.pk, "Looking into it before I answer.")
    report = manager_report(ReportFilter.last_days())
    assert report.totals["unanswered"] == 1
    mine = next(row for row in report.agents if row.agent_id == alice.pk)
    assert mine.first_response_median is None
    api(alice).post(f"/api/v1/conversations/{taken_chat.pk}/messages/", {"body": "Found it!"})
    assert manager_report(ReportFilter.last_days()).totals["unanswered"] == 0
