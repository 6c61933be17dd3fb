"""The rest of an agent's day in a real browser: the unknown-contact banner,
internal chat, a failed reply retried, SMS from the contact panel, and a
transfer out of the archive."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from channels_ingest.tasks import deliver_message
from chatdesk.inbox.models import Channel, Conversation, DeliveryStatus, Message, Status
from contacts.models import Contact
from devtools.emulator import ProviderEmulator
from tests.channels_ingest.support import PHONE_NUMBER_ID, WHATSAPP_CREDENTIALS
from tests.e2e.conftest import row
from tests.e2e.test_inbox_live import owned_chat
from tests.factories import (
    ChannelAccountFactory,
    ConversationFactory,
    IdentityFactory,
    MessageFactory,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def unknown_sender_chat(agent, queue, *, name: str, address: str) -> Conversation:
    identity = IdentityFactory(
        kind=Channel.WHATSAPP, address=address, display_name=name, contact=None
    )
    conversation = ConversationFactory(
        identity=identity,
        owner=agent,
        queue=queue,
        status=Status.TAKEN,
        contact_prompt_open=True,
    )
    MessageFactory(conversation=conversation, body=f"Hi, it's {name}")
    return conversation


def test_the_unknown_contact_banner_adds_replies_or_ignores(sign_in, alice, queue_a):
    added = unknown_sender_chat(alice, queue_a, name="Una Known", address="4791100001")
    replied = unknown_sender_chat(alice, queue_a, name="Rasmus Rask", address="4791100002")
    ignored = unknown_sender_chat(alice, queue_a, name="Ivo Ignore", address="4791100003")
    page = sign_in(alice)
    banner = page.locator("#contact-banner")

    row(page, "Una Known").click()
    expect(banner).to_contain_text("4791100001 is not in your contacts")
    banner.get_by_role("button", name="Add contact").click()
    dialog = page.get_by_role("dialog", name="Add contact")
    expect(dialog.get_by_label("Name")).to_have_value("Una Known")
    dialog.get_by_label("Name").fill("Una Known-Contact")
    dialog.get_by_label("E-mail").fill("una@example.com")
    dialog.get_by_label("Phone").fill("")
    dialog.get_by_role("button", name="Save contact").click()
    expect(banner).to_be_hidden()
    expect(page.locator("#panel-contact")).to_contain_text("una@example.com")
    contact = Contact.objects.get(name="Una Known-Contact")
    assert contact.identities.get().address == "4791100001"
    added.refresh_from_db()
    assert not added.contact_prompt_open

    row(page, "Rasmus Rask").click()
    banner.get_by_role("button", name="Reply").click()
    expect(banner).to_be_hidden()
    expect(page.get_by_label("Reply")).to_be_focused()
    page.get_by_label("Reply").fill("Hello Rasmus")
    page.get_by_label("Reply").press("Enter")
    expect(page.locator(".msg.out .msg-body")).to_have_text("Hello Rasmus")
    expect(page.locator(".msg.out .ticks")).to_have_class("ticks ticks-pending")  # stored
    assert (
        Message.objects.filter(conversation=replied, direction="out", kind="message").count() == 1
    )

    row(page, "Ivo Ignore").click()
    banner.get_by_role("button", name="Ignore").click()
    expect(row(page, "Ivo Ignore")).to_have_count(0)
    ignored.refresh_from_db()
    assert ignored.archived and ignored.owner == alice and not ignored.contact_prompt_open
    page.get_by_label("View").select_option("archived")
    expect(row(page, "Ivo Ignore")).to_be_visible()


def test_colleagues_chat_internally_both_ways(sign_in, alice, bob):
    alice_page, bob_page = sign_in(alice), sign_in(bob)

    alice_page.get_by_role("button", name="+ Colleague").click()
    dialog = alice_page.get_by_role("dialog", name="Chat with a colleague")
    dialog.get_by_label("Name or extension").fill("bob")
    dialog.locator(".agent-option", has_text="Bob").click()
    expect(alice_page.locator("#conv-sub")).to_contain_text("Internal")
    alice_page.get_by_label("Reply").fill("Can you cover the Oslo chats?")
    alice_page.get_by_label("Reply").press("Enter")

    internal = bob_page.locator("#conversation-list .row", has_text="Can you cover the Oslo chats?")
    expect(internal).to_contain_text("Internal chat")
    expect(internal.locator(".badge")).to_have_text("1")
    internal.click()
    expect(bob_page.locator(".msg.in .msg-body")).to_have_text("Can you cover the Oslo chats?")
    expect(bob_page.locator(".msg.in .msg-sender")).to_have_text("Alice Tester")
    bob_page.get_by_label("Reply").fill("Sure, on it.")
    bob_page.get_by_label("Reply").press("Enter")

    expect(alice_page.locator(".msg.in .msg-body")).to_have_text("Sure, on it.")
    expect(alice_page.locator(".msg.out .msg-body")).to_have_text("Can you cover the Oslo chats?")
    chat = Conversation.objects.get(channel=Channel.INTERNAL)
    assert set(chat.participants.all()) == {alice, bob}
    assert chat.messages.count() == 2


@pytest.fixture
def provider(settings) -> Iterator[ProviderEmulator]:
    """The loopback WhatsApp API; the test runs the delivery task itself (no worker here)."""
    with ProviderEmulator() as emulator:
        settings.WHATSAPP_GRAPH_URL = emulator.whatsapp_graph_url
        yield emulator


def test_a_failed_reply_shows_why_and_retry_sends_it(sign_in, alice, queue_a, provider, off_loop):
    account = ChannelAccountFactory(
        kind="whatsapp", external_id=PHONE_NUMBER_ID, credentials=WHATSAPP_CREDENTIALS
    )
    chat = owned_chat(alice, queue_a, name="Frida Failed")
    # On the emulator's number, the customer's message included (the 24-hour window counts it).
    Conversation.objects.filter(pk=chat.pk).update(channel_account=account)
    Message.objects.filter(conversation=chat).update(channel_account=account)
    page = sign_in(alice)
    row(page, "Frida Failed").click()
    page.get_by_label("Reply").fill("Your order left today.")
    page.get_by_label("Reply").press("Enter")
    expect(page.locator(".msg.out .ticks")).to_have_class("ticks ticks-pending")
    reply = Message.objects.get(conversation=chat, direction="out", kind="message")

    provider.fail_next("whatsapp", "131047")
    assert off_loop(lambda: deliver_message.apply(args=(reply.pk,)).get()) == "failed"
    ticks = page.locator(".msg.out .ticks")
    expect(ticks).to_have_class("ticks ticks-failed")
    expect(ticks.locator(".failed-reason")).to_have_attribute("title", re.compile("131047"))

    ticks.get_by_role("button", name="Retry").click()
    expect(ticks).to_have_class("ticks ticks-pending")
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.PENDING
    assert off_loop(lambda: deliver_message.apply(args=(reply.pk,)).get()) == "sent"
    expect(ticks).to_have_class("ticks ticks-sent")
    expect(ticks.locator(".failed-reason")).to_have_count(0)
    sent = provider.requests("whatsapp")
    assert [r.json()["text"]["body"] for r in sent if r.method == "POST"] == [
        "Your order left today.",
        "Your order left today.",
    ]


def test_the_contact_panels_sms_button_opens_then_reuses_a_chat(sign_in, alice, queue_a):
    ChannelAccountFactory(kind="sms", name="SMS line", external_id="+15005550006")
    chat = owned_chat(alice, queue_a, name="Selma Sms")
    contact = chat.identity.contact
    Contact.objects.filter(pk=contact.pk).update(phone="+4791234567")
    page = sign_in(alice)
    row(page, "Selma Sms").click()

    panel = page.locator("#panel-contact")
    expect(panel).to_contain_text("+4791234567")
    panel.get_by_role("button", name="SMS").click()
    expect(page.locator("#conv-sub")).to_contain_text("SMS")
    expect(page.locator("#conv-title")).to_have_text("Selma Sms")
    sms = Conversation.objects.get(channel=Channel.SMS)
    assert (sms.owner, sms.identity.address) == (alice, "+4791234567")
    expect(row(page, "Selma Sms").locator(".channel-sms")).to_be_visible()

    row(page, "Selma Sms").locator(".channel-whatsapp").click()
    expect(page.locator("#conv-sub")).to_contain_text("WhatsApp")
    panel.get_by_role("button", name="SMS").click()
    expect(page.locator("#conv-sub")).to_contain_text("SMS")
    assert Conversation.objects.filter(channel=Channel.SMS).count() == 1
    assert page.evaluate("window.chatdesk.store.openId") == sms.pk


def test_an_archived_chat_can_be_transferred_and_reopens_for_the_colleague(
    sign_in, alice, bob, queue_a
):
    chat = owned_chat(alice, queue_a, name="Arne Archived")
    Conversation.objects.filter(pk=chat.pk).update(status=Status.DEALT_WITH, archived=True)
    alice_page, bob_page = sign_in(alice, path="/?view=archived"), sign_in(bob)
    row(alice_page, "Arne Archived").click()

    transfers = []
    alice_page.on("request", lambda r: r.url.endswith("/transfer/") and transfers.append(r))
    alice_page.get_by_role("toolbar").get_by_role("button", name="Transfer").click()
    dialog = alice_page.get_by_role("dialog", name="Transfer to a colleague")
    dialog.get_by_label("Name or extension").fill("Bob")
    dialog.locator(".agent-option", has_text="Bob").click()

    expect(alice_page.locator("#toasts")).to_contain_text("Reopened for Bob")
    expect(row(alice_page, "Arne Archived")).to_have_count(0)
    expect(row(bob_page, "Arne Archived")).to_contain_text("You")
    assert len(transfers) == 1
    chat.refresh_from_db()
    assert (chat.owner, chat.status, chat.archived) == (bob, Status.TAKEN, False)


def test_read_is_told_apart_from_delivered_by_a_word_not_colour_alone(sign_in, alice, queue_a):
    chat = owned_chat(alice, queue_a, name="Tick Tester")
    MessageFactory(
        conversation=chat,
        direction="out",
        body="delivered one",
        delivery_status=DeliveryStatus.DELIVERED,
    )
    MessageFactory(
        conversation=chat, direction="out", body="read one", delivery_status=DeliveryStatus.READ
    )
    page = sign_in(alice)
    row(page, "Tick Tester").click()
    delivered = page.locator(".msg.out", has_text="delivered one").locator(".ticks")
    read = page.locator(".msg.out", has_text="read one").locator(".ticks")
    expect(read.locator(".tick-word")).to_have_text("Read")
    expect(read.locator(".tick")).to_have_attribute("aria-label", "Read")
    expect(delivered.locator(".tick-word")).to_have_count(0)
    expect(delivered.locator(".tick")).to_have_attribute("aria-label", "Delivered")
