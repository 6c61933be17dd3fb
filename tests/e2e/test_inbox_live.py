"""Agents work the inbox in a real browser: the list, live offers, taking,
replying, transferring and dealing with a chat, all without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from chatdesk.inbox.models import Channel, Conversation, Message, Status
from tests.e2e.conftest import row
from tests.factories import ConversationFactory, IdentityFactory, MessageFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

HOSTILE = '<img src=x onerror="window.pwned=1"><b>bold?</b>'


def owned_chat(agent, queue, *, channel=Channel.WHATSAPP, body="Hello", name="Dana Customer"):
    identity = IdentityFactory(kind=channel, contact__name=name)
    conversation = ConversationFactory(
        channel=channel,
        channel_account__kind=channel,
        identity=identity,
        owner=agent,
        queue=queue,
        status=Status.TAKEN,
    )
    MessageFactory(conversation=conversation, body=body)
    return conversation


def test_the_list_shows_each_channel_with_its_icon_and_bodies_as_text(sign_in, alice, queue_a):
    for channel in ("livechat", "whatsapp", "messenger", "sms"):
        owned_chat(alice, queue_a, channel=channel, name=f"{channel} person")
    owned_chat(alice, queue_a, name="Hostile Harry", body=HOSTILE)

    page = sign_in(alice)

    for channel in ("livechat", "whatsapp", "messenger", "sms"):
        expect(row(page, f"{channel} person").locator(f".channel-{channel} svg")).to_be_visible()
    expect(row(page, "Hostile Harry")).to_contain_text(HOSTILE)
    row(page, "Hostile Harry").click()
    expect(page.locator(".msg-body")).to_have_text(HOSTILE)
    assert page.locator("img[src=x]").count() == 0
    assert page.evaluate("window.pwned") is None


def test_an_offer_reaches_two_agents_and_leaves_the_other_when_one_takes_it(
    sign_in, alice, bob, customer_writes, off_loop
):
    alice_page, bob_page = sign_in(alice), sign_in(bob)

    off_loop(customer_writes, "Do you ship to Oslo?", name="Ola Nordmann")

    for page in (alice_page, bob_page):
        expect(row(page, "Ola Nordmann")).to_contain_text("Do you ship to Oslo?")
        expect(row(page, "Ola Nordmann").locator(".channel-whatsapp")).to_be_visible()
    bob_page.locator("#toasts").get_by_text("New chat").wait_for()

    row(bob_page, "Ola Nordmann").click()
    bob_page.get_by_role("toolbar").get_by_role("button", name="Take").click()

    expect(row(alice_page, "Ola Nordmann")).to_have_count(0)
    expect(bob_page.locator("#conv-sub")).to_contain_text("Yours")
    expect(row(bob_page, "Ola Nordmann")).to_contain_text("You")


def test_enter_sends_and_shift_enter_adds_a_line(sign_in, alice, queue_a):
    chat = owned_chat(alice, queue_a, name="Nils Newline")
    page = sign_in(alice)
    row(page, "Nils Newline").click()

    reply = page.get_by_label("Reply")
    reply.fill("First line")
    reply.press("Shift+Enter")
    reply.type("second line")
    expect(reply).to_have_value("First line\nsecond line")
    reply.press("Enter")

    expect(page.locator(".msg.out .msg-body")).to_have_text("First line\nsecond line")
    expect(reply).to_have_value("")
    expect(page.locator(".msg.out .ticks")).not_to_have_class("ticks ticks-sending")
    sent = Message.objects.filter(conversation=chat, direction="out", kind="message")
    assert [m.body for m in sent] == ["First line\nsecond line"]
    assert sent.get().client_id is not None


def test_transfer_finds_a_colleague_by_extension(sign_in, alice, bob, queue_a):
    chat = owned_chat(alice, queue_a, name="Tina Transfer")
    alice_page, bob_page = sign_in(alice), sign_in(bob)
    row(alice_page, "Tina Transfer").click()

    alice_page.get_by_role("toolbar").get_by_role("button", name="Transfer").click()
    dialog = alice_page.get_by_role("dialog", name="Transfer to a colleague")
    dialog.get_by_label("Name or extension").fill("202")
    expect(dialog.locator(".agent-option")).to_have_count(1)
    dialog.locator(".agent-option", has_text="Bob").click()

    expect(row(alice_page, "Tina Transfer")).to_have_count(0)
    expect(row(bob_page, "Tina Transfer")).to_be_visible()
    chat.refresh_from_db()
    assert chat.owner == bob


def test_dealt_with_moves_the_chat_to_archived(sign_in, alice, queue_a):
    owned_chat(alice, queue_a, name="Ada Archive")
    page = sign_in(alice)
    row(page, "Ada Archive").click()

    page.get_by_role("toolbar").get_by_role("button", name="Dealt with").click()

    expect(row(page, "Ada Archive")).to_have_count(0)
    expect(page.locator("#conv-sub")).to_contain_text("Dealt with")
    page.get_by_label("View").select_option("archived")
    expect(row(page, "Ada Archive")).to_be_visible()
    assert Conversation.objects.get().archived
