"""Working faster in a real browser: "/" templates in the reply box, the views with
live counts and the tab title, the order of the list, and the keyboard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chatdesk.inbox.models import Conversation, Message, Status
from chatdesk.inbox.services import ownership
from templates_app.models import QuickTemplate
from tests.e2e.conftest import row
from tests.e2e.test_inbox_live import owned_chat

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _reply(page):
    return page.get_by_label("Reply", exact=True)


def _options(page):
    return page.locator("#slash-options [role=option]")


def _templates() -> None:
    QuickTemplate.objects.create(
        title="Greeting",
        body="Hi {{ contact.first_name }}, this is {{ agent.first_name }}.",
        shortcut="hi",
    )
    QuickTemplate.objects.create(
        title="Refund policy", body="Refunds take five days.", shortcut="refund"
    )
    QuickTemplate.objects.create(title="Shipping abroad", body="We ship to most countries.")


def test_slash_picks_a_template_and_inserts_its_rendered_text(sign_in, alice, queue_a):
    _templates()
    chat = owned_chat(alice, queue_a, name="Dana Customer")
    page = sign_in(alice)
    row(page, "Dana Customer").click()
    expect(page.locator("#conv-title")).to_have_text("Dana Customer")
    reply = _reply(page)
    sent_before = Message.objects.filter(conversation=chat, direction="out").count()

    reply.click()
    reply.type("Hello /")
    expect(page.locator("#slash-picker")).to_be_visible()
    expect(reply).to_have_attribute("aria-expanded", "true")
    # With nothing typed after the slash, templates with a code come first.
    expect(_options(page)).to_have_count(3)
    expect(_options(page).nth(2)).to_contain_text("Shipping abroad")

    reply.type("h")
    expect(_options(page).first).to_contain_text("Greeting")  # its code starts with "h"
    reply.type("i")
    expect(_options(page).first).to_contain_text("/hi")
    # Arrows move the choice and come back round; Enter inserts, it does not send.
    reply.press("ArrowDown")
    expect(_options(page).first).to_have_attribute("aria-selected", "false")
    reply.press("ArrowUp")
    expect(_options(page).first).to_have_attribute("aria-selected", "true")
    reply.press("Enter")
    expect(reply).to_have_value("Hello Hi Dana, this is Alice.")
    expect(page.locator("#slash-picker")).to_be_hidden()
    assert Message.objects.filter(conversation=chat, direction="out").count() == sent_before

    # A subsequence of the title finds a template without a code; Tab inserts too.
    reply.type(" /shpab")
    expect(_options(page)).to_have_count(1)
    expect(_options(page).first).to_contain_text("Shipping abroad")
    reply.press("Tab")
    expect(reply).to_have_value("Hello Hi Dana, this is Alice. We ship to most countries.")
    expect(reply).to_be_focused()

    # Esc closes the picker and keeps what was typed; a slash inside a word opens nothing.
    reply.type(" /ref")
    expect(_options(page).first).to_contain_text("Refund policy")
    reply.press("Escape")
    expect(page.locator("#slash-picker")).to_be_hidden()
    expect(reply).to_have_value("Hello Hi Dana, this is Alice. We ship to most countries. /ref")
    reply.fill("and/or")
    reply.press("End")
    expect(page.locator("#slash-picker")).to_be_hidden()
    # The rendered use was counted, as from the templates panel.
    assert QuickTemplate.objects.get(shortcut="hi").usage_count == 1


def test_fuzzy_ranking_in_the_page(sign_in, alice, queue_a):
    page = sign_in(alice)
    ranked = page.evaluate(
        """async () => {
          const { fuzzyScore, rankTemplates } = await import("/static/js/slash-templates.js");
          const templates = [
            { title: "Refund policy", body: "Refunds take five days.", shortcut: "" },
            { title: "Order delayed", body: "Sorry for the wait.", shortcut: "delay" },
            { title: "Delivery times", body: "Two to four days.", shortcut: "" },
            { title: "Goodbye", body: "Thanks, bye.", shortcut: "dl" },
          ];
          const titles = (q) => rankTemplates(q, templates).map((t) => t.title);
          return {
            exact: titles("dl"),
            prefix: titles("del"),
            subsequence: titles("rfnd"),
            body: titles("four"),
            none: titles("zzz"),
            empty: titles(""),
            gap: fuzzyScore("rp", "refund policy") > fuzzyScore("rp", "arpeggio"),
            run: fuzzyScore("ref", "refund") > fuzzyScore("ref", "r e f"),
            miss: fuzzyScore("abc", "cab"),
          };
        }"""
    )
    # An exact code first, then a code it begins, then titles.
    assert ranked["exact"][0] == "Goodbye"
    assert ranked["prefix"] == ["Order delayed", "Delivery times"]
    assert ranked["subsequence"] == ["Refund policy"]
    assert ranked["body"] == ["Delivery times"]
    assert ranked["none"] == []
    assert ranked["empty"][:2] == ["Order delayed", "Goodbye"]
    assert ranked["gap"] and ranked["run"]
    assert ranked["miss"] is None


def _count(page, view: str):
    return page.locator(f"#view-tabs [data-count={view}]")


def test_view_counts_and_the_tab_title_follow_new_and_taken_chats(
    sign_in, alice, bob, queue_a, customer_writes, off_loop
):
    owned_chat(alice, queue_a, name="Mine Already")
    page = sign_in(alice)
    expect(_count(page, "mine")).to_have_text("1")
    expect(_count(page, "unassigned")).to_have_text("0")
    expect(_count(page, "all")).to_have_text("1")
    expect(page).to_have_title("Inbox · Chatdesk")

    # A new chat arrives: Unassigned and All count it, and so does the tab's title.
    message = off_loop(customer_writes, "Do you ship to Oslo?", name="Ola Nordmann")
    expect(_count(page, "unassigned")).to_have_text("1")
    expect(_count(page, "all")).to_have_text("2")
    expect(page).to_have_title("(1) Inbox · Chatdesk")

    page.get_by_role("tab", name="Unassigned").click()
    expect(page.locator("#conversation-list .row")).to_have_count(1)
    expect(row(page, "Ola Nordmann")).to_be_visible()
    assert "tab=unassigned" in page.url

    # Bob takes it: it leaves alice's counts, the title and the list, with no reload.
    off_loop(ownership.conversation_take, conversation_id=message.conversation_id, agent=bob)
    expect(_count(page, "unassigned")).to_have_text("0")
    expect(_count(page, "all")).to_have_text("1")
    expect(page).to_have_title("Inbox · Chatdesk")
    expect(page.locator("#conversation-list .row")).to_have_count(0)

    page.get_by_role("tab", name="Mine").click()
    expect(page.locator("#conversation-list .row")).to_have_count(1)
    expect(row(page, "Mine Already")).to_be_visible()
    page.get_by_role("tab", name="All").click()
    expect(row(page, "Mine Already")).to_be_visible()


def test_the_waiting_order_puts_the_longest_wait_first(sign_in, alice, queue_a):
    now = timezone.now()
    early = owned_chat(alice, queue_a, name="Early Waiter")
    late = owned_chat(alice, queue_a, name="Late Waiter")
    Conversation.objects.filter(pk=early.pk).update(
        customer_waiting_since=now - timedelta(hours=2), last_message_at=now - timedelta(hours=1)
    )
    Conversation.objects.filter(pk=late.pk).update(
        customer_waiting_since=now - timedelta(minutes=5), last_message_at=now
    )
    page = sign_in(alice)
    rows = page.locator("#conversation-list .row .row-title")
    expect(rows).to_have_text(["Late Waiter", "Early Waiter"])
    page.get_by_label("Order", exact=True).select_option("waiting")
    expect(rows).to_have_text(["Early Waiter", "Late Waiter"])
    assert "sort=waiting" in page.url
    page.reload()
    expect(page.get_by_label("Order", exact=True)).to_have_value("waiting")
    expect(rows).to_have_text(["Early Waiter", "Late Waiter"])


def test_question_mark_lists_the_shortcuts_and_the_keys_work(
    sign_in, alice, queue_a, customer_writes, off_loop
):
    owned_chat(alice, queue_a, name="Older Chat")
    newer = owned_chat(alice, queue_a, name="Newer Chat")
    Conversation.objects.filter(pk=newer.pk).update(last_message_at=newer.created_at)
    page = sign_in(alice)
    expect(page.locator("#conversation-list .row")).to_have_count(2)

    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    for text in ("Next conversation", "Take the open conversation", "Toggle private note"):
        expect(dialog).to_contain_text(text)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # j and k walk the list, opening each conversation.
    titles = page.locator("#conversation-list .row .row-title").all_text_contents()
    page.keyboard.press("j")
    expect(page.locator("#conv-title")).to_have_text(titles[0])
    page.keyboard.press("j")
    expect(page.locator("#conv-title")).to_have_text(titles[1])
    page.keyboard.press("k")
    expect(page.locator("#conv-title")).to_have_text(titles[0])

    # Typed into a text field, "?" and "j" are only letters.
    _reply(page).click()
    _reply(page).type("j?")
    expect(dialog).to_be_hidden()
    expect(page.locator("#conv-title")).to_have_text(titles[0])
    _reply(page).fill("")

    # t takes an offered chat, d marks it dealt with.
    message = off_loop(customer_writes, "Where is my order?", name="Ola Nordmann")
    row(page, "Ola Nordmann").click()
    expect(page.locator("#conv-title")).to_have_text("Ola Nordmann")
    expect(page.get_by_role("toolbar").get_by_role("button", name="Take")).to_be_visible()
    page.locator("#conv-title").focus()
    page.keyboard.press("t")
    expect(page.get_by_role("toolbar").get_by_role("button", name="Take")).to_have_count(0)
    expect(page.locator("#conv-sub")).to_contain_text("Yours")
    conversation = Conversation.objects.get(pk=message.conversation_id)
    assert conversation.owner_id == alice.pk
    page.keyboard.press("d")
    expect(page.locator("#toasts")).to_contain_text("dealt with")
    conversation.refresh_from_db()
    assert conversation.status == Status.DEALT_WITH
