"""The composer and the providers' reply windows, in a real browser: the time left,
then approved WhatsApp templates once free text can no longer go."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from channels_ingest.whatsapp_templates import WhatsAppTemplate
from chatdesk.inbox.models import Channel, Conversation, Message
from chatdesk.inbox.services.receive import Inbound, message_receive
from tests.e2e.conftest import row
from tests.e2e.test_inbox_live import owned_chat

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _windowed_chat(agent, queue, *, channel, name, closes_in: timedelta) -> Conversation:
    conversation = owned_chat(agent, queue, channel=channel, name=name)
    Conversation.objects.filter(pk=conversation.pk).update(
        reply_window_closes_at=timezone.now() + closes_in
    )
    return Conversation.objects.get(pk=conversation.pk)


def test_the_composer_switches_to_templates_when_the_window_closes(sign_in, alice, queue_a):
    conversation = _windowed_chat(
        alice,
        queue_a,
        channel=Channel.WHATSAPP,
        name="Wendy Window",
        closes_in=timedelta(seconds=6),
    )
    WhatsAppTemplate.objects.create(
        account_id=conversation.channel_account_id,
        name="order_update",
        language="en_US",
        body="Hello {{1}}, your order {{2}} has shipped.",
        variables=["customer_name", "order_id"],
    )
    WhatsAppTemplate.objects.create(
        account_id=conversation.channel_account_id,
        name="still_in_review",
        language="en_US",
        body="Not yet approved",
        status="PENDING",
    )
    page = sign_in(alice)
    row(page, "Wendy Window").click()

    window = page.locator("#reply-window")
    expect(window).to_contain_text("Reply window: 1 min left")
    expect(page.get_by_label("Reply")).to_be_enabled()
    expect(page.locator("#template-picker")).to_be_hidden()

    # The window closes while the chat is open: free text is shut, with the reason.
    expect(window).to_contain_text("24-hour reply window has closed", timeout=15_000)
    expect(page.get_by_label("Reply")).to_be_disabled()
    expect(page.get_by_label("Reply")).to_have_attribute(
        "placeholder",
        "The 24-hour reply window has closed: WhatsApp accepts only an approved "
        "template until the customer writes again.",
    )
    picker = page.locator("#template-picker")
    expect(picker).to_be_visible()
    # Only approved templates are offered.
    expect(page.locator("#template-select option")).to_have_count(1)
    expect(page.locator("#template-select option")).to_have_text("order_update (en_US)")

    send = page.get_by_role("button", name="Send template")
    preview = page.locator("#template-preview")
    expect(preview).to_have_text("Hello [customer_name], your order [order_id] has shipped.")
    expect(send).to_be_disabled()
    page.get_by_label("customer name").fill("Wendy")
    expect(send).to_be_disabled()  # a variable is still empty
    page.get_by_label("order id").fill("A-77")
    expect(preview).to_have_text("Hello Wendy, your order A-77 has shipped.")
    send.click()

    expect(page.locator(".msg.out .msg-body").last).to_have_text(
        "Hello Wendy, your order A-77 has shipped."
    )
    sent = Message.objects.filter(conversation=conversation, direction="out").get()
    assert sent.template["name"] == "order_update"
    assert sent.template["parameters"] == ["Wendy", "A-77"]
    expect(page.get_by_label("customer name")).to_have_value("")


def test_a_new_customer_message_reopens_the_composer(sign_in, alice, queue_a, off_loop):
    conversation = _windowed_chat(
        alice,
        queue_a,
        channel=Channel.WHATSAPP,
        name="Rita Reopen",
        closes_in=-timedelta(hours=2),
    )
    page = sign_in(alice)
    row(page, "Rita Reopen").click()
    expect(page.get_by_label("Reply")).to_be_disabled()
    expect(page.locator("#template-picker")).to_be_visible()

    account = conversation.channel_account
    off_loop(
        message_receive,
        inbound=Inbound.to_account(
            account,
            sender_address=conversation.identity.address,
            sender_name="",
            body="Are you still there?",
            provider_message_id="wamid.REOPEN",
            sent_at=timezone.now(),
            reply_window=timedelta(hours=24),
        ),
    )
    expect(page.locator(".msg.in .msg-body").last).to_have_text("Are you still there?")
    expect(page.get_by_label("Reply")).to_be_enabled()
    expect(page.locator("#template-picker")).to_be_hidden()
    # Minutes are rounded up: a full day, or a minute less when the clock just ticked over.
    expect(page.locator("#reply-window")).to_contain_text(
        re.compile(r"Reply window: (24 h 0|23 h 59) min left")
    )


def test_messenger_after_the_window_says_why_the_box_is_shut(sign_in, alice, queue_a):
    _windowed_chat(
        alice,
        queue_a,
        channel=Channel.MESSENGER,
        name="Max Messenger",
        closes_in=-timedelta(hours=1),
    )
    page = sign_in(alice)
    row(page, "Max Messenger").click()
    expect(page.locator("#reply-window")).to_have_text(
        "The reply window has closed: Messenger accepts no reply until the customer writes again."
    )
    expect(page.get_by_label("Reply")).to_be_disabled()
    expect(page.locator("#template-picker")).to_be_hidden()


def test_a_chat_without_a_window_shows_no_countdown(sign_in, alice, queue_a):
    owned_chat(alice, queue_a, channel=Channel.SMS, name="Sam Sms")
    page = sign_in(alice)
    row(page, "Sam Sms").click()
    expect(page.get_by_label("Reply")).to_be_enabled()
    expect(page.locator("#reply-window")).to_be_hidden()
