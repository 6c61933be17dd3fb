"""The widget when the desk is closed (the offline form) and while a visitor waits in
line (their place, moving up as chats ahead are taken)."""

from __future__ import annotations

import os
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from channels_ingest.livechat import limits
from channels_ingest.livechat.offline import offline_key
from chatdesk.inbox.models import Conversation, Message
from chatdesk.inbox.services.ownership import conversation_take
from queues.models import BusinessHours, Holiday, OpeningWindow
from tests.e2e.conftest import visitor_starts_chat
from tests.factories import ChannelAccountFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs/screenshots/12-widget-offline-form.png"


@pytest.fixture
def shop_site(queue_a):
    keys = [limits.session_start_key("127.0.0.1"), offline_key("127.0.0.1")]
    cache.delete_many(keys)
    yield ChannelAccountFactory(
        kind="livechat", name="Shop chat", external_id="shop-site", route_queue=queue_a
    )
    cache.delete_many(keys)


@pytest.fixture
def closed_site(shop_site, queue_a):
    # A schedule without opening windows: closed whenever the test runs.
    queue_a.business_hours = BusinessHours.objects.create(name="Closed", time_zone="UTC")
    queue_a.save()
    return shop_site


def test_a_closed_desk_shows_the_offline_form_which_becomes_a_waiting_chat(
    fresh_page, live_url, shop_site, queue_a
):
    # Open every day around the clock, but today and tomorrow are holidays: closed now,
    # open again the day after tomorrow, whenever the test runs.
    today = timezone.now().date()
    schedule = BusinessHours.objects.create(name="Shop", time_zone="UTC")
    for day in range(7):
        OpeningWindow.objects.create(schedule=schedule, day=day, start=time(0), end=time(0))
    for offset in (0, 1):
        Holiday.objects.create(schedule=schedule, date=today + timedelta(days=offset))
    queue_a.business_hours = schedule
    queue_a.save()
    visitor = fresh_page(viewport=(1280, 860))
    visitor.goto(f"{live_url}/livechat/demo/")
    visitor.get_by_role("button", name="Open chat").click()
    form = visitor.get_by_role("form", name="Leave us a message")
    expect(form).to_be_visible()
    expect(form).to_contain_text("We are closed right now and open again")
    expect(visitor.get_by_role("button", name="Start chat")).to_be_hidden()

    # Checked before anything is sent; each field says what is wrong with it.
    visitor.get_by_label("Your e-mail").fill("olga@")
    visitor.get_by_role("button", name="Send message").click()
    expect(visitor.locator("#cd-off-name-error")).to_have_text("Please tell us your name.")
    expect(visitor.locator("#cd-off-email-error")).to_have_text(
        "This e-mail address does not look right."
    )
    expect(visitor.locator("#cd-off-message-error")).to_have_text("Please write your message.")
    expect(visitor.get_by_label("Your name", exact=True)).to_be_focused()
    assert not Conversation.objects.exists()

    visitor.get_by_label("Your name", exact=True).fill("Olga Offline")
    visitor.get_by_label("Your e-mail").fill("olga@example.com")
    visitor.get_by_label("Your message").fill("My parcel never came.\nOrder 42.")
    expect(visitor.locator("#cd-off-name-error")).to_be_hidden()
    if os.environ.get("CHATDESK_SCREENSHOTS") == "1":
        visitor.screenshot(path=str(SCREENSHOT))

    # A reload keeps what was typed: nothing is lost before it is sent.
    visitor.reload()
    visitor.get_by_role("button", name="Open chat").click()
    expect(visitor.get_by_label("Your message")).to_have_value("My parcel never came.\nOrder 42.")

    visitor.get_by_role("button", name="Send message").click()
    expect(visitor.get_by_role("heading", name="Thank you, Olga Offline!")).to_be_visible()
    expect(visitor.get_by_text("will answer you at olga@example.com")).to_be_visible()
    conversation = Conversation.objects.get()
    assert (conversation.offline, conversation.status, conversation.queue_id) == (
        True,
        "unassigned",
        queue_a.pk,
    )
    assert Message.objects.get().body == "My parcel never came.\nOrder 42."
    assert conversation.visitor["email"] == "olga@example.com"


def test_a_server_refusal_keeps_the_form_and_shows_why(fresh_page, live_url, closed_site):
    closed_site.allowed_origins = ["https://shop.example"]  # the demo page is not one
    closed_site.save()
    visitor = fresh_page()
    visitor.goto(f"{live_url}/livechat/demo/")
    visitor.get_by_role("button", name="Open chat").click()
    visitor.get_by_label("Your name", exact=True).fill("Olga")
    visitor.get_by_label("Your e-mail").fill("olga@example.com")
    visitor.get_by_label("Your message").fill("Hello")
    # The demo is served by the desk itself, whose own host is always allowed: refuse it
    # at the API instead, by taking the site away.
    closed_site.active = False
    closed_site.save()
    visitor.get_by_role("button", name="Send message").click()
    expect(visitor.locator(".status.error")).to_have_text(
        "No active live-chat site has this site key."
    )
    expect(visitor.get_by_label("Your message")).to_have_value("Hello")
    assert not Conversation.objects.exists()


def test_the_visitor_sees_their_place_move_up_as_chats_ahead_are_taken(
    fresh_page, live_url, shop_site, alice, customer_writes, off_loop
):
    first_chat = off_loop(lambda: customer_writes("First in line").conversation_id)
    second_chat = off_loop(lambda: customer_writes("Second", address="14155550999").conversation_id)
    visitor = fresh_page()
    visitor_starts_chat(visitor, live_url, "Vera Visitor", "Do you ship to Norway?")
    line = visitor.locator(".line")
    expect(line).to_contain_text("You are number 3 in line.")

    off_loop(conversation_take, conversation_id=first_chat, agent=alice)
    expect(line).to_contain_text("You are number 2 in line.")
    off_loop(conversation_take, conversation_id=second_chat, agent=alice)
    expect(line).to_contain_text("You are next in line.")
    expect(line).to_contain_text("Estimated wait")

    # A reload shows the place at once.
    visitor.reload()
    visitor.get_by_role("button", name="Open chat").click()
    expect(visitor.locator(".line")).to_contain_text("You are next in line.")

    mine = Conversation.objects.get(channel="livechat")
    off_loop(conversation_take, conversation_id=mine.pk, agent=alice)
    expect(visitor.locator(".line")).to_be_hidden()
