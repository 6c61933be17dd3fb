"""The private-notes screenshot, taken from the real app on the demo seed: alice's chat
with a yellow private note naming a colleague, and the @ completion list open in the
composer's note mode; bob, mentioned, got the toast.

Runs only with CHATDESK_SCREENSHOTS=1, so CI never rewrites the PNG:

    CHATDESK_SCREENSHOTS=1 .venv/bin/python -m pytest tests/e2e/test_screenshots_notes.py
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from chatdesk.accounts.models import User
from tests.e2e.conftest import row

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("CHATDESK_SCREENSHOTS") != "1",
        reason="writes docs/screenshots/; set CHATDESK_SCREENSHOTS=1 to refresh it",
    ),
]

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_take_the_note_and_mention_screenshot(sign_in):
    call_command("seed_demo", stdout=io.StringIO())
    OUT.mkdir(parents=True, exist_ok=True)
    alice = User.objects.get(username="alice")
    bob = User.objects.get(username="bob")
    bob_page = sign_in(bob)
    page = sign_in(alice)
    if page.get_by_role("button", name="Not now").is_visible():
        page.get_by_role("button", name="Not now").click()

    row(page, "Jonas Müller").click()
    reply = page.get_by_label("Reply", exact=True)
    page.locator("#mode-note").click()
    reply.type("@bo")
    expect(page.locator("#mention-list [role=option]")).to_have_count(1)
    reply.press("Enter")
    reply.type("the dented parcel: did the courier already open a claim?")
    reply.press("Enter")
    expect(page.locator("#message-log .msg.note")).to_have_count(1)
    expect(bob_page.locator("#toasts .toast", has_text="mentioned you")).to_be_visible()

    # The next note under way: "@" lists the colleagues to name.
    reply.type("Thanks! @")
    expect(page.get_by_role("listbox", name="Mention a colleague")).to_be_visible()
    page.wait_for_timeout(250)  # let the list's and toasts' entry settle
    page.screenshot(path=str(OUT / "16-note-mention.png"))
