"""Public endpoints answer errors as JSON even with DEBUG on: never Django's debug page.

Through the real ASGI application (the same as daphne serves), with DEBUG switched on.
"""

from __future__ import annotations

import json

import pytest
from asgiref.testing import ApplicationCommunicator

from channels_ingest import webhooks
from channels_ingest.livechat import services as livechat_services
from chatdesk.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def debug_on(settings):
    settings.DEBUG = True


async def _call(
    method: str, path: str, body: bytes = b"", headers: list[tuple[bytes, bytes]] | None = None
) -> dict:
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        # A browser's Accept: Django's debug page is HTML for those, plain text otherwise.
        "headers": [
            (b"host", b"testserver"),
            (b"accept", b"text/html"),
            (b"content-length", str(len(body)).encode()),
            *(headers or []),
        ],
        "client": ("203.0.113.9", 50000),
        "server": ("testserver", 80),
    }
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": body})
    start = await communicator.receive_output(timeout=10)
    content = b""
    while True:
        chunk = await communicator.receive_output(timeout=10)
        content += chunk.get("body", b"")
        if not chunk.get("more_body", False):
            break
    await communicator.wait(timeout=10)
    headers = {name.lower(): value for name, value in start["headers"]}
    return {"status": start["status"], "headers": headers, "body": content}


def _assert_json_error(response: dict, status: int) -> dict:
    assert response["status"] == status, response["body"][:300]
    assert response["headers"][b"content-type"].startswith(b"application/json")
    text = response["body"].decode()
    for leak in ("Traceback", "<html", "DEBUG", "urlpatterns", "SECRET_KEY", "site-packages"):
        assert leak not in text
    data = json.loads(text)
    assert data["detail"]
    return data


JSON = [(b"content-type", b"application/json")]
FORM = [(b"content-type", b"application/x-www-form-urlencoded")]

CASES = {
    "unknown webhook": ("GET", "/webhooks/nope/", b"", None, 404),
    "webhook wrong method": ("PUT", "/webhooks/whatsapp/", b"", None, 405),
    "twilio wrong method": ("GET", "/webhooks/twilio/sms/", b"", None, 405),
    "webhook broken json": ("POST", "/webhooks/whatsapp/", b"{not json", JSON, 400),
    "webhook not json": ("POST", "/webhooks/messenger/", b"a=b", FORM, 415),
    "twilio multipart without boundary": (
        "POST",
        "/webhooks/twilio/sms/",
        b"--x\r\n",
        [(b"content-type", b"multipart/form-data")],
        400,
    ),
    "meta verification refused": ("GET", "/webhooks/messenger/", b"", None, 403),
    "unknown widget file": ("GET", "/livechat/nope.js", b"", None, 404),
    # Refused by the CSRF check before the view: Django's page for it explains settings.
    "widget post without csrf": ("POST", "/livechat/widget.js", b"", None, 403),
    "unknown visitor endpoint": ("GET", "/api/v1/livechat/nope/", b"", None, 404),
    "visitor api wrong method": ("GET", "/api/v1/livechat/sessions/", b"", None, 405),
    "visitor api broken json": ("POST", "/api/v1/livechat/sessions/", b"{oops", JSON, 400),
    "visitor socket over http": ("GET", "/ws/livechat/", b"", None, 404),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
async def test_public_errors_are_json_with_debug_on(case):
    method, path, body, headers, status = case
    _assert_json_error(await _call(method, path, body, headers), status)


async def test_a_crash_in_a_webhook_is_a_plain_json_500(monkeypatch):
    def crash(kind):
        raise RuntimeError("the adapter blew up with secret details")

    monkeypatch.setattr(webhooks, "get_adapter", crash)
    response = await _call("POST", "/webhooks/whatsapp/", b"{}", JSON)
    data = _assert_json_error(response, 500)
    assert "secret details" not in response["body"].decode()
    assert data == {"detail": "Server error."}


async def test_a_crash_in_the_visitor_api_is_a_plain_json_500(monkeypatch):
    def crash(**kwargs):
        raise RuntimeError("the session store blew up with secret details")

    monkeypatch.setattr(livechat_services, "visitor_session_start", crash)
    body = json.dumps({"site_key": "any"}).encode()
    response = await _call("POST", "/api/v1/livechat/sessions/", body, JSON)
    _assert_json_error(response, 500)
    assert "secret details" not in response["body"].decode()


async def test_the_visitor_api_keeps_its_field_errors_for_a_browser():
    # A browser asking for HTML would get DRF's browsable page; the public API is JSON only.
    response = await _call("POST", "/api/v1/livechat/sessions/", b"{}", JSON)
    assert response["status"] == 400
    assert response["headers"][b"content-type"].startswith(b"application/json")
    assert "site_key" in json.loads(response["body"])


async def test_the_agent_app_keeps_its_own_pages():
    # Only public paths are rewritten: the signed-in app's 404 is Django's as before.
    response = await _call("GET", "/no-such-page/")
    assert response["status"] == 404
    assert not response["headers"][b"content-type"].startswith(b"application/json")


async def test_json_errors_keep_the_security_headers():
    response = await _call("GET", "/webhooks/nope/")
    assert b"content-security-policy" in response["headers"]
    assert response["headers"][b"x-content-type-options"] == b"nosniff"
