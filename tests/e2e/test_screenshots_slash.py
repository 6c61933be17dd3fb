"""The screenshot of "/" templates in the reply box, with the list's views and
their counts, taken from the real app on the demo seed.

Runs only with CHATDESK_SCREENSHOTS=1, so CI never rewrites the PNG:

    CHATDESK_SCREENSHOTS=1 .venv/bin/python -m pytest tests/e2e/test_screenshots_slash.py
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from chatdesk.accounts.models import User
from templates_app.models import QuickTemplate
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


def test_take_the_slash_templates_screenshot(sign_in):
    call_command("seed_demo", stdout=io.StringIO())
    assert QuickTemplate.objects.get(title="Order delayed").shortcut == "delay"
    OUT.mkdir(parents=True, exist_ok=True)
    page = sign_in(User.objects.get(username="alice"))
    expect(page.locator("#view-tabs [data-count=all]")).not_to_have_text("")

    row(page, "Jonas Müller").click()
    expect(page.locator("#conv-title")).to_have_text("Jonas Müller")
    reply = page.get_by_label("Reply", exact=True)
    reply.click()
    reply.type("Thanks for your patience! /d")
    options = page.locator("#slash-options [role=option]")
    expect(options.first).to_contain_text("Order delayed")
    page.wait_for_timeout(250)  # let the toasts' entry animations finish
    page.screenshot(path=str(OUT / "15-slash-templates.png"))
