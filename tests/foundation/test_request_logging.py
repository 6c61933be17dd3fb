"""A real daphne logs each 4xx once (its access line), with no traceback: neither
Django's django.request line nor its DEBUG console copy repeats it."""

from __future__ import annotations

import time

import httpx
import pytest
from django.conf import settings
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.live import daphne_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _session_cookie(user) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def test_each_4xx_is_logged_once_without_a_traceback(tmp_path, alice, carol):
    token = Token.objects.create(user=alice).key
    log_path = tmp_path / "daphne.log"
    # A path of each kind, with what answers it.
    requests = [
        ("GET", "/api/v1/conversations/", {}, {}, 401),
        ("GET", "/no-such-page/", {}, {}, 404),
        # An agent may not write quick templates: DRF's permission denial.
        ("POST", "/api/v1/templates/", {"Authorization": f"Token {token}"}, {}, 403),
        # A manager may not add a conversation in the admin: Django's PermissionDenied,
        # which django.request logs with a traceback.
        ("GET", "/admin/inbox/conversation/add/", {}, _session_cookie(carol), 403),
    ]
    with open(log_path, "w+b") as log, daphne_server({"PYTHONUNBUFFERED": "1"}, log=log) as base:
        for method, path, headers, cookies, status in requests:
            with httpx.Client(base_url=base, cookies=cookies) as client:
                response = client.request(method, path, headers=headers, json={})
            assert response.status_code == status, (path, response.text[:300])
        # The access line of the last request is written after its response.
        deadline = time.monotonic() + 10
        while (
            "/admin/inbox/conversation/add/" not in log_path.read_text()
            and time.monotonic() < deadline
        ):
            time.sleep(0.1)
    text = log_path.read_text()
    for _, path, _, _, status in requests:
        lines = [line for line in text.splitlines() if path in line]
        assert len(lines) == 1, f"{path}: {lines}\n{text}"
        assert f'" {status} ' in lines[0]
    assert "Traceback" not in text, text
