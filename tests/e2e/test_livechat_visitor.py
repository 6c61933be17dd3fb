"""Live chat in the browser: who the visitor is, typing both ways, and stopping an
untaken chat (End, Block) without claiming it."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from channels_ingest.livechat import limits
from chatdesk.inbox.models import Conversation, VisitorBlock
from chatdesk.inbox.services.visitor import TYPING_EVERY_SECONDS
from tests.e2e.conftest import row, visitor_starts_chat
from tests.factories import (
    ChannelAccountFactory,
    ConversationFactory,
    IdentityFactory,
    MessageFactory,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs/screenshots/10-visitor-context.png"
DEMO_TITLE = "Northwind Outfitters — gear for every trail"


@pytest.fixture
def shop_site(queue_a):
    cache.delete(limits.session_start_key("127.0.0.1"))
    yield ChannelAccountFactory(
        kind="livechat", name="Shop chat", external_id="shop-site", route_queue=queue_a
    )
    cache.delete(limits.session_start_key("127.0.0.1"))


def _visitor_with_email(visitor, live_url: str) -> None:
    visitor.goto(f"{live_url}/livechat/demo/?from=ad", referer="https://search.example/?q=tents")
    visitor.get_by_role("button", name="Open chat").click()
    visitor.get_by_label("Your name (optional)").fill("Vera Visitor")
    visitor.get_by_label("E-mail (optional)").fill("vera@example.com")
    visitor.get_by_role("button", name="Start chat").click()
    visitor.get_by_label("Write a message").fill("Do you ship to Norway?")
    visitor.get_by_label("Write a message").press("Enter")


def test_the_contact_panel_shows_the_visitors_email_and_page(
    sign_in, fresh_page, live_url, alice, shop_site
):
    page = sign_in(alice)
    visitor = fresh_page()
    _visitor_with_email(visitor, live_url)

    row(page, "Vera Visitor").click()
    panel = page.locator("#panel-contact")
    expect(panel.locator(".visitor-details")).to_contain_text("vera@example.com")
    page_link = panel.get_by_role("link", name=DEMO_TITLE)
    expect(page_link).to_have_attribute("href", f"{live_url}/livechat/demo/?from=ad")
    expect(panel.get_by_role("link", name="E-mail")).to_have_attribute(
        "href", "mailto:vera@example.com"
    )
    expect(panel.locator(".visitor-details")).to_contain_text("HeadlessChrome")
    expect(panel.locator(".visitor-details")).to_contain_text("https://search.example/?q=tents")
    expect(page.locator("#conv-sub")).to_contain_text(DEMO_TITLE)
    # The visitor's internal id is in no place an agent reads.
    for place in ("#conversation-list", "#conv-title", "#conv-sub", "#panel-contact"):
        expect(page.locator(place)).not_to_contain_text("visitor-")
    if os.environ.get("CHATDESK_SCREENSHOTS") == "1":
        page.screenshot(path=str(SCREENSHOT))

    # The visitor moves on: the widget reports the new page and the panel follows.
    visitor.goto(f"{live_url}/livechat/demo/?from=returns")
    expect(page_link).to_have_attribute("href", f"{live_url}/livechat/demo/?from=returns")
    expect(panel.locator(".visitor-details")).to_contain_text("https://search.example/?q=tents")

    panel.get_by_role("button", name="Add contact").click()
    expect(page.locator("#contact-name")).to_have_value("Vera Visitor")
    expect(page.locator("#contact-email")).to_have_value("vera@example.com")


def test_an_anonymous_visitor_reads_as_a_website_visitor(
    sign_in, fresh_page, live_url, alice, shop_site
):
    page = sign_in(alice)
    visitor = fresh_page()
    visitor_starts_chat(visitor, live_url, "", "Hello?")
    offer = row(page, "Website visitor")
    expect(offer).to_contain_text("Hello?")
    offer.click()
    expect(page.locator("#conv-title")).to_contain_text("Website visitor")
    for place in ("#conversation-list", "#conv-title", "#conv-sub", "#panel-contact"):
        expect(page.locator(place)).not_to_contain_text("visitor-")
    page.locator("#panel-contact").get_by_role("button", name="Add contact").click()
    expect(page.locator("#contact-name")).to_have_value("")


def test_typing_shows_both_ways_and_goes_when_the_message_lands(
    sign_in, fresh_page, live_url, alice, shop_site
):
    page = sign_in(alice)
    visitor = fresh_page()
    visitor_starts_chat(visitor, live_url, "Tia Typist", "First question")
    row(page, "Tia Typist").click()
    expect(page.locator("#message-log")).to_contain_text("First question")

    # Typing the first question sent a notice; the next one may go once the
    # throttle's window (one per chat and side) has passed.
    time.sleep(TYPING_EVERY_SECONDS + 0.2)
    visitor.get_by_label("Write a message").fill("And another thing")
    line = page.locator("#typing-line")
    expect(line).to_be_visible()
    expect(line).to_have_text("Tia Typist is typing…")
    visitor.get_by_label("Write a message").press("Enter")
    expect(page.locator("#message-log")).to_contain_text("And another thing")
    expect(line).to_be_hidden()

    page.get_by_label("Reply").fill("Let me check")
    expect(visitor.locator(".typing")).to_be_visible()
    expect(visitor.locator(".typing")).to_have_text("Agent is typing…")
    # Nobody types on: it disappears by itself.
    expect(visitor.locator(".typing")).to_be_hidden(timeout=8000)


def test_end_and_block_stop_an_untaken_chat_without_taking_it(
    sign_in, fresh_page, live_url, alice, shop_site
):
    page = sign_in(alice)
    spammer = fresh_page()
    visitor_starts_chat(spammer, live_url, "Sam Spam", "CHEAP WATCHES")
    row(page, "Sam Spam").click()
    toolbar = page.locator("#conv-actions")
    expect(toolbar.get_by_role("button", name="Take")).to_be_visible()
    toolbar.get_by_role("button", name="End chat").click()
    page.locator("#confirm-ok").click()
    expect(spammer.locator(".notice")).to_contain_text("The agent has ended this chat")
    # It was only offered to alice: it leaves her inbox, and her pane closes.
    expect(row(page, "Sam Spam")).to_have_count(0)
    expect(page.locator("#pane-empty")).to_be_visible()
    ended = Conversation.objects.get(identity__display_name="Sam Spam")
    assert (ended.status, ended.owner_id) == ("ended", None)

    other = fresh_page()
    visitor_starts_chat(other, live_url, "Bea Bot", "CLICK HERE")
    row(page, "Bea Bot").click()
    toolbar.get_by_role("button", name="Block").click()
    page.locator("#block-reason").fill("spam")
    page.locator("#block-form").get_by_role("button", name="Block").click()
    expect(other.locator(".notice")).to_contain_text("closed by the agent")
    expect(row(page, "Bea Bot")).to_have_count(0)
    blocked = Conversation.objects.get(identity__display_name="Bea Bot")
    assert blocked.blocked and blocked.owner_id is None
    assert VisitorBlock.objects.filter(identity=blocked.identity, reason="spam").exists()


def test_an_unknown_sender_can_be_called_or_texted_before_being_a_contact(sign_in, alice, queue_a):
    whatsapp = ConversationFactory(
        channel="whatsapp",
        channel_account__kind="whatsapp",
        identity=IdentityFactory(kind="whatsapp", address="4915112345678", contact=None),
        owner=alice,
        queue=queue_a,
        status="taken",
    )
    sms = ConversationFactory(
        channel="sms",
        channel_account__kind="sms",
        identity=IdentityFactory(kind="sms", address="+4915187654321", contact=None),
        owner=alice,
        queue=queue_a,
        status="taken",
    )
    for chat in (whatsapp, sms):
        MessageFactory(conversation=chat, body=f"Hi from {chat.channel}")
    page = sign_in(alice)
    panel = page.locator("#panel-contact")

    row(page, "Hi from whatsapp").click()
    expect(panel).to_contain_text("Not in your contacts yet.")
    expect(panel.get_by_role("link", name="Call")).to_have_attribute("href", "tel:+4915112345678")
    expect(panel.get_by_role("button", name="SMS")).to_have_count(0)

    row(page, "Hi from sms").click()
    expect(panel.get_by_role("link", name="Call")).to_have_attribute("href", "tel:+4915187654321")
    panel.get_by_role("button", name="SMS").click()
    expect(page.get_by_label("Reply")).to_be_focused()
