"""The satisfaction screenshot: the widget's rating card after the agent dealt with the
chat. Runs only with CHATDESK_SCREENSHOTS=1, so CI never rewrites the PNG:

    CHATDESK_SCREENSHOTS=1 .venv/bin/python -m pytest tests/e2e/test_screenshots_csat.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from channels_ingest.livechat import limits
from channels_ingest.livechat.delivery import deliver_to_visitor
from chatdesk.inbox.models import Message
from tests.e2e.conftest import row, visitor_starts_chat
from tests.factories import ChannelAccountFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("CHATDESK_SCREENSHOTS") != "1",
        reason="writes docs/screenshots/; set CHATDESK_SCREENSHOTS=1 to refresh it",
    ),
]

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_take_the_rating_card_screenshot(sign_in, fresh_page, live_url, alice, queue_a, off_loop):
    queue_a.csat_enabled = True
    queue_a.save(update_fields=["csat_enabled"])
    cache.delete(limits.session_start_key("127.0.0.1"))
    ChannelAccountFactory(
        kind="livechat", name="Shop chat", external_id="shop-site", route_queue=queue_a
    )
    page = sign_in(alice)
    visitor = fresh_page()
    visitor_starts_chat(visitor, live_url, "Hanna", "Can I still change my delivery address?")
    expect(visitor.locator(".msg.in:not(.sending)")).to_have_count(1)

    row(page, "Hanna").click()
    page.get_by_label("Reply", exact=True).fill("Done! It now goes to your office address.")
    page.get_by_label("Reply", exact=True).press("Enter")
    expect(page.locator(".msg.out .ticks")).not_to_have_class("ticks ticks-sending")
    reply = Message.objects.filter(direction="out", kind="message").get()
    assert off_loop(deliver_to_visitor, reply.pk) == "delivered"
    expect(visitor.locator(".msg.out")).to_have_count(1)
    page.get_by_role("toolbar").get_by_role("button", name="Dealt with").click()

    card = visitor.get_by_role("form", name="Rate this chat")
    card.get_by_role("button", name="5 stars").click()
    card.get_by_label("Comment (optional)").fill("Fast and friendly, thank you!")
    expect(card.locator(".star.on")).to_have_count(5)
    OUT.mkdir(parents=True, exist_ok=True)
    visitor.wait_for_timeout(250)
    visitor.screenshot(path=str(OUT / "17-widget-rating.png"))
