"""The top bar's search box in a real browser: results as the agent types, only what
they may see, highlights as text, the keyboard, and each hit opening where it points."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from chatdesk.inbox.models import Conversation, Message
from tests.e2e.test_inbox_live import owned_chat

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

HOSTILE = "parcel <img src=x onerror=window.pwned=1> lost"


def _box(page):
    return page.get_by_label("Search contacts, conversations and messages")


def _hits(page, group: str):
    return page.locator(f"#search-results [role=group]:has(p:text-is('{group}')) [role=option]")


def test_results_as_you_type_open_where_they_point(sign_in, alice, bob, queue_a):
    long_chat = owned_chat(alice, queue_a, name="Dana Customer", body="my tracking code is kumquat")
    # Enough later lines that the match sits on an earlier page of the conversation.
    Message.objects.bulk_create(
        Message(conversation=long_chat, direction="in", body=f"line {n}") for n in range(80)
    )
    archived = owned_chat(alice, queue_a, name="Archie Archived", body=HOSTILE)
    Conversation.objects.filter(pk=archived.pk).update(archived=True, status="dealt_with")
    owned_chat(bob, queue_a, name="Bobs Customer", body="my parcel is with bob")
    page = sign_in(alice)

    _box(page).fill("par")
    messages = _hits(page, "Messages")
    expect(messages).to_have_count(1)  # bob's chat stays out of sight
    expect(messages.first).to_contain_text("Archie Archived")
    expect(messages.first.locator("mark")).to_have_text("par")
    expect(messages.first).to_contain_text(HOSTILE)  # as text, never markup
    assert page.locator("#search-results img").count() == 0
    assert page.evaluate("window.pwned") is None

    # The latest text wins, however quickly it changes.
    _box(page).fill("kumq")
    _box(page).fill("parcel los")
    expect(messages.first.locator("mark")).to_have_text(["parcel", "los"])
    expect(page.locator("#search-results")).not_to_contain_text("Dana Customer")

    # A contact found by name, then the keyboard: down to the message hit, Enter.
    _box(page).fill("archie")
    expect(_hits(page, "Contacts")).to_have_count(1)
    expect(_hits(page, "Contacts").first.locator("mark")).to_have_text("Archie")
    _box(page).fill("lost")
    expect(page.locator("#search-groups:not([aria-busy])")).to_be_attached()
    expect(messages).to_have_count(1)
    expect(_box(page)).to_have_attribute("aria-activedescendant", "search-hit-0")
    _box(page).press("Enter")

    # An archived chat opens in the archived view.
    expect(page.locator("#search-results")).to_be_hidden()
    expect(page.locator("#conv-title")).to_have_text("Archie Archived")
    expect(page.get_by_label("View", exact=True)).to_have_value("archived")

    # A message on an earlier page: its chat opens in recents, scrolled to it.
    _box(page).fill("kumquat")
    expect(page.locator("#search-groups:not([aria-busy])")).to_be_attached()
    expect(messages).to_have_count(1)
    expect(messages.first).to_contain_text("kumquat")
    _box(page).press("ArrowDown")  # the contact first, then the message
    _box(page).press("ArrowUp")
    _box(page).press("ArrowUp")
    expect(messages.first).to_have_attribute("aria-selected", "true")
    messages.first.click()
    expect(page.locator("#conv-title")).to_have_text("Dana Customer")
    expect(page.get_by_label("View", exact=True)).to_have_value("recents")
    found = page.locator(".msg.msg-found")
    expect(found).to_contain_text("my tracking code is kumquat")
    expect(found).to_be_in_viewport()

    # Esc closes the results; a second Esc clears the box.
    _box(page).fill("kumquat")
    expect(messages).to_have_count(1)
    _box(page).press("Escape")
    expect(page.locator("#search-results")).to_be_hidden()
    _box(page).press("Escape")
    expect(_box(page)).to_have_value("")
