"""The live monitor's screenshot for the README, taken from the real app on the demo
seed with a few waits and a colleague away.

Runs only with CHATDESK_SCREENSHOTS=1, so CI never rewrites the PNG:

    CHATDESK_SCREENSHOTS=1 .venv/bin/python -m pytest tests/e2e/test_screenshots_monitor.py
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from chatdesk.accounts.models import Presence, User
from chatdesk.inbox.models import Conversation, Message, Status

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("CHATDESK_SCREENSHOTS") != "1",
        reason="writes docs/screenshots/; set CHATDESK_SCREENSHOTS=1 to refresh them",
    ),
]

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _waits_as_seeded() -> None:
    """The seed writes its messages minutes in the past: the waits start there too."""
    for chat in Conversation.objects.filter(status=Status.UNASSIGNED):
        first_in = (
            Message.objects.filter(conversation=chat, direction=Message.Direction.IN)
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        Conversation.objects.filter(pk=chat.pk).update(customer_waiting_since=first_in)


def test_take_the_monitor_screenshot(sign_in, live_url):
    call_command("seed_demo", stdout=io.StringIO())
    _waits_as_seeded()
    # Mid-shift: Bob stepped away.
    User.objects.filter(username="bob").update(status=Presence.AWAY)
    OUT.mkdir(parents=True, exist_ok=True)

    page = sign_in(User.objects.get(username="manager"), path="/monitor/", viewport=(1366, 760))
    expect(page.locator("#monitor-waiting tbody tr")).to_have_count(3)
    expect(page.locator("#monitor-agents tbody tr")).to_have_count(3)
    expect(page.locator("#monitor-agents tr", has_text="Bob")).to_contain_text("Away")
    page.wait_for_timeout(1200)  # one tick of the waiting times
    page.screenshot(path=str(OUT / "13-monitor.png"))
