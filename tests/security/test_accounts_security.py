"""Tokens revocable, sessions expire, sign-in throttled, admin closed to agents."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from chatdesk.accounts.login import LOCKED_MESSAGE
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _token(username: str) -> str:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    return response.json()["token"]


def test_a_deleted_token_no_longer_opens_the_api(alice, clean_cache):
    token = _token("alice")
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/conversations/").status_code == 200
    alice.auth_token.delete()
    assert client.get("/api/v1/conversations/").status_code == 401


def test_a_deactivated_agent_token_is_refused(alice, clean_cache):
    client = APIClient(HTTP_AUTHORIZATION=f"Token {_token('alice')}")
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert client.get("/api/v1/conversations/").status_code == 401


def test_a_session_lives_session_cookie_age_then_ends(alice, settings):
    settings.SESSION_COOKIE_AGE = 600
    client = Client()
    assert client.post("/login/", {"username": "alice", "password": PASSWORD}).status_code == 302
    session = Session.objects.get(session_key=client.cookies["sessionid"].value)
    lifetime = session.expire_date - timezone.now()
    assert timedelta(seconds=590) < lifetime <= timedelta(seconds=600)
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/conversations/").status_code == 200
    # Time travel: the stored expiry passes, as it would 10 minutes later.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/").url.startswith("/login/")
    assert client.get("/api/v1/conversations/").status_code == 401


def test_sign_in_is_locked_after_ten_failures(alice, bob, clean_cache):
    client = Client()
    for _ in range(10):
        response = client.post("/login/", {"username": "alice", "password": "wrong"})
        assert response.status_code == 200
        assert "didn" in response.content.decode()
    # Now even the right password is refused, with a message that says why.
    locked = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert locked.status_code == 200
    assert "sessionid" not in locked.cookies
    assert LOCKED_MESSAGE.format(minutes=15) in locked.content.decode()
    # The count is per username and address: bob, and alice elsewhere, still sign in.
    assert client.post("/login/", {"username": "bob", "password": PASSWORD}).status_code == 302
    elsewhere = Client(REMOTE_ADDR="198.51.100.9")
    assert elsewhere.post("/login/", {"username": "alice", "password": PASSWORD}).status_code == 302


def test_nine_failures_then_the_right_password_signs_in(alice, clean_cache):
    client = Client()
    for _ in range(9):
        client.post("/login/", {"username": "alice", "password": "wrong"})
    assert client.post("/login/", {"username": "alice", "password": PASSWORD}).status_code == 302


def test_the_token_endpoint_is_throttled(alice, settings, clean_cache):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"auth": "3/minute"},
    }
    client = APIClient()
    answers = [
        client.post(
            "/api/v1/auth/token/", {"username": "alice", "password": "guess"}, format="json"
        ).status_code
        for _ in range(4)
    ]
    assert answers == [400, 400, 400, 429]


ADMIN_PAGES = [
    "/admin/",
    "/admin/accounts/user/",
    "/admin/channels_ingest/channelaccount/",
    "/admin/channels_ingest/channelaccount/{account}/change/",
    "/admin/authtoken/tokenproxy/",
]


def test_admin_is_closed_to_agents(alice, world):
    # Already covered for /admin/ itself (tests/accounts); here every page that holds secrets.
    client = Client()
    client.force_login(alice)
    for page in ADMIN_PAGES:
        response = client.get(page.format(account=world.account))
        assert response.status_code == 302, page
        assert response.url.startswith("/admin/login/"), page


def test_a_manager_cannot_open_channel_secrets_or_tokens_in_admin(carol, world):
    client = Client()
    client.force_login(carol)
    for page in ADMIN_PAGES[2:]:
        assert client.get(page.format(account=world.account)).status_code in (403, 404), page


def test_admin_is_open_to_the_system_owner(olga):
    client = Client()
    client.force_login(olga)
    assert client.get("/admin/").status_code == 200
