"""POST /api/v1/livechat/sessions/: start, resume, and every way a visitor is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from channels_ingest.livechat.models import VisitorSession, token_digest
from channels_ingest.livechat.services import visitor_message_send
from chatdesk.inbox.models import VisitorBlock
from contacts.services import identity_resolve
from tests.factories import ChannelAccountFactory
from tests.livechat.conftest import ORIGIN

pytestmark = pytest.mark.django_db


def test_a_visitor_starts_a_session_and_the_chat_opens_with_the_first_message(start_session):
    response = start_session(name="Vera Visitor", email="vera@example.com")
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["session_token"]) == 43
    assert body["conversation"] is None
    assert body["visitor"].startswith("visitor-")
    session = VisitorSession.objects.get()
    # Only the digest is stored, never the token itself.
    assert session.token_hash == token_digest(body["session_token"])
    assert body["session_token"] not in session.token_hash
    assert (session.name, session.email, session.ip) == (
        "Vera Visitor",
        "vera@example.com",
        "127.0.0.1",
    )
    assert response["Access-Control-Allow-Origin"] == ORIGIN


def test_a_reload_resumes_the_same_session_and_chat(start_session):
    token = start_session(name="Vera").json()["session_token"]
    session = VisitorSession.objects.get()
    message = visitor_message_send(session_id=session.pk, body="Hello?", ip="127.0.0.1")

    resumed = start_session(session_token=token)
    assert resumed.status_code == 200
    assert resumed.json()["session_token"] == token
    assert resumed.json()["conversation"] == message.conversation_id
    assert VisitorSession.objects.count() == 1


def test_an_ended_session_resumes_as_a_new_session_of_the_same_visitor(start_session):
    first = start_session(name="Vera").json()
    VisitorSession.objects.update(ended_at=timezone.now())
    again = start_session(session_token=first["session_token"])
    assert again.status_code == 201
    assert again.json()["session_token"] != first["session_token"]
    assert again.json()["visitor"] == first["visitor"]
    assert VisitorSession.objects.filter(ended_at__isnull=True).get().name == "Vera"


def test_an_unknown_token_starts_a_fresh_visitor(start_session):
    response = start_session(session_token="not-a-token")
    assert response.status_code == 201
    assert response.json()["session_token"] != "not-a-token"


def test_unknown_or_inactive_site_key_is_404(start_session, site):
    response = APIClient().post(
        "/api/v1/livechat/sessions/", {"site_key": "nope"}, format="json", HTTP_ORIGIN=ORIGIN
    )
    assert response.status_code == 404
    assert "site key" in response.json()["detail"]
    site.active = False
    site.save()
    assert start_session().status_code == 404


def test_a_whatsapp_account_is_not_a_live_chat_site(queue_a):
    whatsapp = ChannelAccountFactory(kind="whatsapp", route_queue=queue_a)
    response = APIClient().post(
        "/api/v1/livechat/sessions/", {"site_key": whatsapp.external_id}, format="json"
    )
    assert response.status_code == 404


def test_origins_outside_the_site_list_are_refused(start_session, site):
    site.allowed_origins = ["https://shop.example.com"]
    site.save()
    assert start_session(origin="https://shop.example.com").status_code == 201
    assert start_session(origin="https://shop.example.com/").status_code == 201
    refused = start_session(origin="https://evil.example")
    assert refused.status_code == 403
    assert "not allowed" in refused.json()["detail"]
    assert start_session(origin=None).status_code == 403
    # The desk's own pages (the demo) may always use it.
    assert start_session(origin="http://testserver").status_code == 201


def _block(**fields) -> VisitorBlock:
    return VisitorBlock.objects.create(reason="abuse", **fields)


def test_a_blocked_visitor_cannot_resume_or_start_again(start_session):
    first = start_session(name="Troll").json()
    identity = identity_resolve(kind="livechat", address=first["visitor"])
    VisitorSession.objects.update(ended_at=timezone.now())
    _block(identity=identity)
    response = start_session(session_token=first["session_token"])
    assert response.status_code == 403
    assert response.json()["detail"]
    assert VisitorSession.objects.count() == 1


def test_a_blocked_ip_address_cannot_start_a_session(start_session):
    _block(ip_address="203.0.113.7")
    assert start_session(ip="203.0.113.7").status_code == 403
    assert start_session(ip="198.51.100.20").status_code == 201


def test_an_expired_block_lets_the_visitor_in_again(start_session):
    block = _block(ip_address="203.0.113.7", expires_at=timezone.now() + timedelta(minutes=5))
    assert start_session(ip="203.0.113.7").status_code == 403
    block.expires_at = timezone.now() - timedelta(seconds=1)
    block.save()
    assert start_session(ip="203.0.113.7").status_code == 201


def test_session_starts_are_rate_limited_per_ip(start_session):
    for _ in range(20):
        assert start_session().status_code == 201
    limited = start_session()
    assert limited.status_code == 429
    assert limited.json()["detail"]
    # Another address is not affected.
    assert start_session(ip="198.51.100.20").status_code == 201


def test_invalid_email_is_a_field_error(start_session):
    response = start_session(email="not-an-email")
    assert response.status_code == 400
    assert "email" in response.json()


def test_cors_preflight_is_answered(site):
    response = APIClient().options(
        "/api/v1/livechat/sessions/",
        HTTP_ORIGIN="https://shop.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert "Content-Type" in response["Access-Control-Allow-Headers"]
