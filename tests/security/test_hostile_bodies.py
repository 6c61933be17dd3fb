"""Hostile message text: stored and returned byte for byte, rendered inert in the inbox page."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils.html import escape

from chatdesk.inbox.models import Message

pytestmark = pytest.mark.django_db

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "event handler": '<img src=x onerror="alert(2)">',
    "closing the JSON script": "</script><script>alert(3)</script>",
    "attribute break-out": '" autofocus onfocus="alert(4)',
    "template syntax": "{{ request.user.password }} {% csrf_token %}",
    "control characters": "bell\x07 escape\x1b[31m tab\t cr\r\n form\x0c",
    "bidi override": "invoice\u202efdp.exe",
    "javascript url": "[click](javascript:alert(5))",
}


class ScriptAudit(HTMLParser):
    """Every <script> and every on* attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.handlers: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(dict(attrs))
        self.handlers += [(tag, name) for name, _ in attrs if name.startswith("on")]


def audit(html: str) -> ScriptAudit:
    parser = ScriptAudit()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_text_is_stored_verbatim_and_rendered_inert(case, customer_writes, alice, api):
    text = HOSTILE[case]
    inbound = customer_writes(text, name=text[:60])
    conversation = inbound.conversation_id
    client = api(alice)
    reply = client.post(
        f"/api/v1/conversations/{conversation}/messages/", {"body": text}, format="json"
    )
    assert reply.status_code == 201
    assert reply.json()["body"] == text
    # The reply took the chat: its event line stands among the messages, without a body.
    bodies = [
        m["body"]
        for m in client.get(f"/api/v1/conversations/{conversation}/messages/").json()["results"]
        if m["kind"] == "message"
    ]
    assert bodies == [text, text]
    typed = Message.objects.filter(kind=Message.Kind.MESSAGE)
    assert set(typed.values_list("body", flat=True)) == {text}

    browser = Client()
    browser.force_login(alice)
    page = browser.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    found = audit(html)
    # Only our own scripts: the module file and inert JSON data, no handler attributes.
    assert found.handlers == []
    for script in found.scripts:
        assert script.get("src") or script.get("type") == "application/json", script
    assert escape(text) in html  # shown, as text
    for dangerous in ("<script>alert", "<img src=x", 'onfocus="alert'):
        assert dangerous not in html


def test_the_rows_feed_returns_text_verbatim_as_json(customer_writes, alice):
    text = HOSTILE["closing the JSON script"]
    customer_writes(text)
    browser = Client()
    browser.force_login(alice)
    rows = browser.get("/inbox/rows/").json()["results"]
    assert [row["last_message"] for row in rows] == [text]


def test_nul_in_a_customer_message_is_stored_not_refused(customer_writes):
    # PostgreSQL text cannot hold NUL; the message must still be stored.
    message = customer_writes("before\x00after", name="Nul\x00Name")
    message.refresh_from_db()
    assert message.body == "before\ufffdafter"


def test_nul_in_a_query_parameter_is_400(alice, api):
    response = api(alice).get("/api/v1/templates/", {"search": "a\x00b"})
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
