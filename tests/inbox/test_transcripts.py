"""The agents' transcript of a chat: what it holds, and who may download it."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from chatdesk.inbox.models import Message
from chatdesk.inbox.services.attachments import attachment_upload
from chatdesk.inbox.services.transcript import Audience, transcript_render
from contacts.models import Contact
from tests.filemakers import ALLOWED_SAMPLES

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _chat(customer_writes, api, alice):
    """A WhatsApp chat: the customer writes, alice takes it, replies with a file, and a
    private note is left on it."""
    first = customer_writes("Where is my parcel?", name="Jonas Example")
    chat_id = first.conversation_id
    identity = first.conversation.identity
    identity.contact = Contact.objects.create(name="Jonas Müller", email="jonas@example.com")
    identity.save()
    upload = attachment_upload(agent=alice, name="label.pdf", data=ALLOWED_SAMPLES["pdf"]())
    reply = api(alice).post(
        f"/api/v1/conversations/{chat_id}/messages/",
        {"body": "It left the depot.\nTracking follows.", "attachments": [upload.pk]},
        format="json",
    )
    assert reply.status_code == 201, reply.content
    Message.objects.create(
        conversation_id=chat_id,
        direction=Message.Direction.OUT,
        kind=Message.Kind.NOTE,
        sender=alice,
        body="Courier is late again, check with the warehouse",
        delivery_status="sent",
    )
    return chat_id


def test_the_agents_transcript_has_header_lines_files_events_and_marked_notes(
    customer_writes, api, alice
):
    chat_id = _chat(customer_writes, api, alice)
    response = api(alice).get(f"/api/v1/conversations/{chat_id}/transcript/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert (
        response["Content-Disposition"] == f'attachment; filename="chat-{chat_id}-transcript.txt"'
    )
    text = response.content.decode()
    lines = text.splitlines()
    assert lines[0] == f"Chat #{chat_id} · WhatsApp"
    assert lines[1] == "Contact: Jonas Müller (14155550123)"
    assert lines[2].startswith("Started: ") and lines[2].endswith(" UTC")
    body = [line.split("] ", 1)[1] for line in lines if line.startswith("[")]
    assert len(body) == 5, body
    assert body[:3] == [
        "Jonas Müller: Where is my parcel?",
        "* Alice Tester took the chat",
        "Alice Tester: It left the depot.",
    ]
    assert re.fullmatch(r"Alice Tester: \[file: label\.pdf, \d+(\.\d)? (B|KB)\]", body[3]), body[3]
    assert body[4] == "[Private note] Alice Tester: Courier is late again, check with the warehouse"
    # A reply's second line stays with it, indented.
    assert "    Tracking follows." in lines


def test_the_customers_transcript_never_holds_notes_or_event_lines(customer_writes, api, alice):
    chat_id = _chat(customer_writes, api, alice)
    conversation = Message.objects.get(body="Where is my parcel?").conversation
    text = transcript_render(conversation=conversation, audience=Audience.CUSTOMER)
    assert "Courier is late" not in text
    assert "Private note" not in text
    assert "took the chat" not in text
    assert "Contact:" not in text and "14155550123" not in text
    assert "Jonas Müller: Where is my parcel?" in text
    assert "Alice Tester: It left the depot." in text
    assert f"Chat #{chat_id}" in text


def test_only_who_may_see_the_chat_downloads_it(customer_writes, api, alice, bob, carol, oscar):
    message = customer_writes("Hello there")
    url = f"/api/v1/conversations/{message.conversation_id}/transcript/"
    # Offered to queue A: its members and the manager see it, oscar does not.
    for user in (alice, bob, carol):
        assert api(user).get(url).status_code == 200, user
    assert api(oscar).get(url).status_code == 404
    api(alice).post(f"/api/v1/conversations/{message.conversation_id}/take/")
    # Taken by alice: bob no longer sees it, so no transcript either.
    assert api(bob).get(url).status_code == 404
    assert api(carol).get(url).status_code == 200
    assert APIClient().get(url).status_code == 401
    assert api(alice).get("/api/v1/conversations/999999/transcript/").status_code == 404
