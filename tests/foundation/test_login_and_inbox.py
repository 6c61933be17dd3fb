"""A newcomer signs in and sees the inbox, with only what they may see."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from chatdesk.inbox.models import Status
from tests.factories import ConversationFactory, MessageFactory


@pytest.mark.django_db
def test_login_page_renders(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


@pytest.mark.django_db
def test_inbox_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_demo_agent_signs_in_and_sees_the_demo_inbox(client):
    call_command("seed_demo")
    response = client.post("/login/", {"username": "alice", "password": "chatdesk-demo"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "Is the blue jacket still available" in page  # offered to alice in Sales
    assert "Thanks, I&#x27;ll wait." in page  # alice owns the Messenger chat
    assert "move my appointment" not in page  # routed to carol's extension only


@pytest.mark.django_db
def test_message_bodies_are_shown_as_text(client, alice):
    conversation = ConversationFactory(owner=alice, status=Status.TAKEN)
    MessageFactory(conversation=conversation, body="<script>alert(1)</script>")
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
