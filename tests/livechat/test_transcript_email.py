"""A visitor has their chat's transcript e-mailed: the customer's version only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from channels_ingest.livechat import services
from channels_ingest.livechat.models import VisitorSession, token_digest
from channels_ingest.livechat.transcript import transcript_key
from chatdesk.inbox.models import Message

pytestmark = pytest.mark.django_db

URL = "/api/v1/livechat/transcript/"


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _ask(token: str, email: object = "visitor@example.com", **extra):
    body = {} if email is None else {"email": email}
    return APIClient().post(URL, body, format="json", HTTP_X_VISITOR_TOKEN=token, **extra)


@pytest.fixture
def visitor_chat(start_session, api, alice):
    """A visitor writes, alice takes and answers, leaves a private note, and ends it."""
    token = start_session(name="Vera Visitor").json()["session_token"]
    session = VisitorSession.objects.get(token_hash=token_digest(token))
    cache.delete(transcript_key(session.token_hash))
    chat_id = services.visitor_message_send(
        session_id=session.pk, body="My order is late"
    ).conversation_id
    assert api(alice).post(f"/api/v1/conversations/{chat_id}/take/").status_code == 200
    reply = api(alice).post(
        f"/api/v1/conversations/{chat_id}/messages/", {"body": "Sorry, checking now"}, format="json"
    )
    assert reply.status_code == 201
    Message.objects.create(
        conversation_id=chat_id,
        direction=Message.Direction.OUT,
        kind=Message.Kind.NOTE,
        sender=alice,
        body="Internal: refund approved by finance",
        delivery_status="sent",
    )
    yield token, chat_id
    cache.delete(transcript_key(session.token_hash))


def test_the_visitor_gets_their_transcript_without_notes_or_agents_events(visitor_chat, api, alice):
    token, chat_id = visitor_chat
    assert api(alice).post(f"/api/v1/conversations/{chat_id}/end/").status_code == 200
    # Ended: the session no longer writes, but may still ask for the transcript.
    response = _ask(token)
    assert response.status_code == 202, response.content
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["visitor@example.com"]
    assert sent.subject == "Your chat with Shop chat"
    assert sent.attachments[0][0] == f"chat-{chat_id}-transcript.txt"
    for text in (sent.body, sent.attachments[0][1]):
        assert "Vera Visitor: My order is late" in text
        assert "Alice Tester: Sorry, checking now" in text
        # What the visitor was told when the chat ended, as a line of its own.
        assert "* The agent has ended this chat. Thank you!" in text
        assert "refund approved" not in text and "Private note" not in text
        assert "took the chat" not in text and "ended the chat" not in text


def test_a_bad_address_is_400_and_nothing_is_sent(visitor_chat):
    token, _ = visitor_chat
    for bad in ("not-an-address", "", None, "a@b", ["x@example.com"]):
        response = _ask(token, bad)
        assert response.status_code == 400, (bad, response.content)
        assert "email" in response.json()
    assert mail.outbox == []


def test_an_unknown_token_is_refused(visitor_chat):
    assert _ask("not-a-session-token").status_code == 401
    assert _ask("").status_code == 401
    assert mail.outbox == []


def test_a_session_that_said_nothing_has_nothing_to_send(start_session):
    token = start_session(name="Quiet").json()["session_token"]
    response = _ask(token)
    assert response.status_code == 409
    assert "no chat" in response.json()["detail"].lower()
    assert mail.outbox == []


def test_asking_too_often_is_rate_limited(visitor_chat, settings):
    settings.LIVECHAT_TRANSCRIPTS_PER_HOUR = 2
    token, _ = visitor_chat
    assert [_ask(token).status_code for _ in range(3)] == [202, 202, 429]
    assert len(mail.outbox) == 2


def test_a_long_ended_session_may_no_longer_ask(visitor_chat, api, alice):
    token, chat_id = visitor_chat
    api(alice).post(f"/api/v1/conversations/{chat_id}/end/")
    VisitorSession.objects.filter(token_hash=token_digest(token)).update(
        ended_at=timezone.now() - timedelta(days=2)
    )
    assert _ask(token).status_code == 401
    assert mail.outbox == []


def test_the_widget_offers_the_transcript_at_the_end(client):
    script = client.get("/livechat/widget.js").content.decode()
    assert "E-mail me the transcript" in script
    assert "/api/v1/livechat/transcript/" in script
    assert '"X-Visitor-Token": state.token' in script
