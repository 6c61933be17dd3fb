"""A live-chat visitor and two agents in three browser contexts; the inbox by
keyboard alone; the side pane as a drawer on a laptop-sized screen."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from channels_ingest.livechat import limits
from channels_ingest.livechat.delivery import deliver_to_visitor
from chatdesk.inbox.models import Channel, Conversation, Message
from templates_app.services import template_create
from tests.e2e.conftest import login_with_form_password, row, visitor_starts_chat
from tests.e2e.test_inbox_live import owned_chat
from tests.factories import PASSWORD, ChannelAccountFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def shop_site(queue_a):
    # The session-start limit lives in the shared Redis cache: start from zero.
    cache.delete(limits.session_start_key("127.0.0.1"))
    yield ChannelAccountFactory(
        kind="livechat", name="Shop chat", external_id="shop-site", route_queue=queue_a
    )
    cache.delete(limits.session_start_key("127.0.0.1"))


def test_a_visitor_is_offered_to_both_agents_and_answered_by_one(
    sign_in, fresh_page, live_url, alice, bob, shop_site, off_loop
):
    alice_page, bob_page = sign_in(alice), sign_in(bob)
    visitor = fresh_page()
    visitor_starts_chat(visitor, live_url, "Vera Visitor", "Is the tent waterproof?")

    for page in (alice_page, bob_page):
        offer = row(page, "Vera Visitor")
        expect(offer).to_contain_text("Is the tent waterproof?")
        expect(offer.locator(".channel-livechat")).to_be_visible()
        expect(offer.locator(".row-meta")).to_contain_text("Waiting")

    row(bob_page, "Vera Visitor").click()
    bob_page.get_by_label("Reply").fill("Yes, 3000 mm hydrostatic head.")
    bob_page.get_by_label("Reply").press("Enter")

    expect(row(alice_page, "Vera Visitor")).to_have_count(0)
    expect(bob_page.locator("#conv-sub")).to_contain_text("Yours")
    reply = Message.objects.get(direction="out", kind="message")
    assert reply.conversation.owner == bob
    # No Celery worker in this suite: run the delivery to the visitor's socket here.
    assert off_loop(deliver_to_visitor, reply.pk) == "delivered"
    expect(visitor.locator(".msg.out")).to_contain_text("Yes, 3000 mm hydrostatic head.")


def _focused(page) -> str:
    """A short description of the focused element: id, or tag.class."""
    return page.evaluate(
        """() => { const el = document.activeElement;
                   return el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}.${el.className}`; }"""
    )


def _tab_until(page, selector: str, *, limit: int = 40, key: str = "Tab") -> list[str]:
    """Press Tab until `selector` has the focus; the stops passed on the way."""
    stops = []
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return stops
        stops.append(_focused(page))
    raise AssertionError(f"Tab never reached {selector}; stops: {stops}")


def test_the_inbox_works_by_keyboard_alone(fresh_page, live_url, alice, bob, queue_a):
    chat = owned_chat(alice, queue_a, name="Kari Keys", body="Can I pay by invoice?")
    login_with_form_password(alice)
    page = fresh_page(viewport=(1366, 800))

    # The login form, typed: the username field has the focus on arrival.
    page.goto(f"{live_url}/login/?next=/")
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    page.locator("body").focus()

    before_list = _tab_until(page, "#conversation-list .row")
    assert "#presence" in before_list and "#view" in before_list  # the top bar and filters first
    page.keyboard.press("Enter")
    expect(page.locator("#conv-title")).to_have_text("Kari Keys")

    _tab_until(page, "#conv-actions button")
    expect(page.locator("#conv-actions button").first).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("toolbar").get_by_role("button", name="Dealt with")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    transfer = page.get_by_role("toolbar").get_by_role("button", name="Transfer")
    expect(transfer).to_be_focused()

    # A dialog keeps the focus inside until Escape, which gives it back.
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Transfer to a colleague")
    expect(dialog.get_by_label("Name or extension")).to_be_focused()
    expect(dialog.locator(".agent-option")).to_have_count(1)
    for _ in range(6):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('#agent-dialog') !== null")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(transfer).to_be_focused()

    _tab_until(page, "#reply")
    page.keyboard.type("We do, net 30.")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.out .msg-body")).to_have_text("We do, net 30.")
    expect(page.locator(".msg.out .ticks")).to_have_class("ticks ticks-pending")
    assert (
        Message.objects.get(conversation=chat, direction="out", kind="message").body
        == "We do, net 30."
    )

    page.get_by_role("button", name="Settings").focus()
    page.keyboard.press("Enter")
    settings = page.get_by_role("dialog", name="Notification settings")
    expect(settings.get_by_label("Show a toast")).to_be_focused()
    for _ in range(8):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('#settings-dialog') !== null")
    page.keyboard.press("Escape")
    expect(settings).to_be_hidden()


def test_the_side_pane_is_a_drawer_on_a_laptop_screen(sign_in, alice, queue_a):
    owned_chat(alice, queue_a, name="Nora Narrow")
    template_create(created_by=None, title="Greeting", body="Hello {{ contact.first_name }}!")
    page = sign_in(alice, viewport=(1280, 800))
    row(page, "Nora Narrow").click()
    side = page.get_by_role("complementary", name="Contact and templates")
    toggle = page.get_by_role("button", name="Contact & templates")
    expect(side).to_be_visible()
    expect(toggle).to_be_hidden()

    page.set_viewport_size({"width": 1024, "height": 768})
    expect(side).to_be_hidden()
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_attribute("aria-controls", "side-pane")

    toggle.click()
    expect(side).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("tab", name="Contact")).to_be_focused()
    expect(side).to_contain_text("Nora Narrow")
    page.keyboard.press("Escape")
    expect(side).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()

    # Keyboard again; a template fills the reply box and the drawer gets out of the way.
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Templates")).to_be_focused()
    side.locator(".template", has_text="Greeting").click()
    expect(page.get_by_label("Reply", exact=True)).to_have_value("Hello Nora!")
    expect(side).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")

    toggle.click()
    # A toast arriving while the drawer is open stands beside it, not over it.
    page.evaluate("import('/static/js/toast.js').then((m) => m.toast('Beside the drawer'))")
    toast = page.locator(".toast", has_text="Beside the drawer")
    expect(toast).to_be_visible()
    toast_box, side_box = toast.bounding_box(), side.bounding_box()
    assert toast_box["x"] + toast_box["width"] <= side_box["x"], (toast_box, side_box)
    page.get_by_role("button", name="Close contact and templates").click()
    expect(side).to_be_hidden()
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(side).to_be_visible()
    expect(toggle).to_be_hidden()
    assert Conversation.objects.filter(channel=Channel.WHATSAPP).count() == 1
