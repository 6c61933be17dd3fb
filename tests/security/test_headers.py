"""Security headers on every page, no inline script anywhere, production settings deploy-clean."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import ChannelAccountFactory
from tests.security.test_hostile_bodies import audit

pytestmark = pytest.mark.django_db

TEMPLATE_DIRS = [
    settings.BASE_DIR / "templates",
    settings.BASE_DIR / "chatdesk",
    settings.BASE_DIR / "channels_ingest",
]


def _policy(response) -> dict[str, str]:
    directives = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] if " " in d else "" for d in directives}


def _assert_hardened(response) -> None:
    policy = _policy(response)
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_and_api_answers_carry_the_headers(alice, queue_a):
    ChannelAccountFactory(kind="livechat", external_id="demo-site", route_queue=queue_a)
    anonymous = Client()
    for url in ["/login/", "/healthz", "/livechat/demo/", "/api/v1/conversations/"]:
        _assert_hardened(anonymous.get(url))
    agent = Client()
    agent.force_login(alice)
    for url in ["/", "/inbox/rows/", "/api/v1/conversations/", "/api/docs/"]:
        response = agent.get(url)
        assert response.status_code == 200, url
        _assert_hardened(response)


def test_rendered_pages_have_no_inline_script(alice, queue_a):
    ChannelAccountFactory(kind="livechat", external_id="demo-site", route_queue=queue_a)
    agent = Client()
    agent.force_login(alice)
    for url in ["/", "/login/", "/api/docs/", "/livechat/demo/"]:
        client = agent if url != "/login/" else Client()
        found = audit(client.get(url).content.decode())
        assert found.handlers == [], url
        for script in found.scripts:
            assert script.get("src") or script.get("type") == "application/json", (url, script)
    # Swagger UI's init script comes from our origin, so script-src 'self' lets it run.
    init = agent.get("/api/docs/?script=")
    assert init.status_code == 200
    assert "SwaggerUIBundle" in init.content.decode()


def test_no_template_holds_inline_script_or_handlers():
    templates = [
        path
        for root in TEMPLATE_DIRS
        for path in Path(root).rglob("*.html")
        if "templates" in path.parts
    ]
    assert len(templates) >= 5
    for path in templates:
        found = audit(path.read_text())
        assert found.handlers == [], path
        for script in found.scripts:
            assert script.get("src") or script.get("type") == "application/json", (path, script)


def _production(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "chatdesk.settings",
            "SECRET_KEY": "k3y-" + "9f8e7d6c5b4a" * 5,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "chat.example.com,testserver",
        }
    )
    command = [sys.executable, *([code] if code.endswith(".py") else ["-c", code]), *args]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, cwd=settings.BASE_DIR
    )


SHOW_HEADERS = (
    "import django, json; django.setup(); from django.test import Client; "
    "r = Client().get('/healthz', secure=True); print(json.dumps(dict(r.headers)))"
)


def test_hsts_and_the_policy_are_sent_with_debug_off():
    result = _production(SHOW_HEADERS)
    assert result.returncode == 0, result.stderr
    headers = json.loads(result.stdout.strip().splitlines()[-1])
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_settings():
    result = _production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
