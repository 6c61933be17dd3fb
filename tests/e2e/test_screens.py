"""The inbox says what happened in plain words: event lines, delivery failures, files
that could not be fetched, a lost connection; the list is one Tab stop."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from playwright.sync_api import expect

from chatdesk.inbox.models import DeliveryStatus, Message
from chatdesk.inbox.services.delivery import message_mark_failed
from tests.e2e.conftest import row
from tests.e2e.test_inbox_live import owned_chat

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

TECHNICAL = "Timed out: ReadTimeout('timed out') (code timeout)"


def _waiting_chats(customer_writes, off_loop, *names: str) -> list:
    """Chats offered to the queue (alice and bob), as a webhook brings them."""
    return [
        off_loop(customer_writes, "Hello", address=f"1415555{index:04d}", name=name).conversation
        for index, name in enumerate(names)
    ]


def _boxes_overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_event_lines_failed_replies_and_missing_files_say_what_happened(
    sign_in, alice, customer_writes, off_loop
):
    [conversation] = _waiting_chats(customer_writes, off_loop, "Dana Customer")
    Message.objects.filter(conversation=conversation).update(
        missing_files=[
            {"index": 0, "account": 1, "ref": "m1", "content_type": "image/jpeg",
             "name": "receipt.jpg", "filename": "receipt.jpg", "sha256": "",
             "error": "WhatsApp: HTTP 404", "retrying": False},
        ]
    )  # fmt: skip
    page = sign_in(alice)
    row(page, "Dana Customer").click()
    page.get_by_role("button", name="Take", exact=True).click()
    line = page.locator("#message-log .event-line")
    expect(line).to_contain_text("You took the chat")
    # A line in the middle, not a bubble on the agent's side.
    assert page.locator("#message-log .msg.out").count() == 0
    log_box, line_box = page.locator("#message-log").bounding_box(), line.bounding_box()
    centre = log_box["x"] + log_box["width"] / 2
    assert abs(line_box["x"] + line_box["width"] / 2 - centre) < 4

    missing = page.locator(".missing-file")
    expect(missing).to_contain_text("“receipt.jpg” from the customer could not be downloaded.")
    expect(page.get_by_role("button", name="Retry download")).to_be_visible()

    # A reply that failed, as the delivery worker records it, arrives live.
    reply = Message.objects.create(
        conversation=conversation, direction="out", sender=alice, body="Here you go",
        delivery_status=DeliveryStatus.PENDING,
    )  # fmt: skip
    page.reload()
    page.locator("#connection[data-state=online]").wait_for()
    expect(page.locator(f'[data-id="{reply.pk}"] .tick')).to_have_attribute("title", "Pending")
    _in_thread(message_mark_failed, message_id=reply.pk, reason=TECHNICAL)
    reason = page.locator(f'[data-id="{reply.pk}"] .failed-reason')
    expect(reason).to_have_text("Not delivered: WhatsApp could not be reached.")
    expect(reason).to_have_attribute("title", TECHNICAL)
    expect(
        page.locator(f'[data-id="{reply.pk}"]').get_by_role("button", name="Retry")
    ).to_be_visible()

    # A toast never lands on the composer or its Send button.
    page.evaluate("import('/static/js/toast.js').then((m) => m.toast('Saved, a long toast text'))")
    toast = page.locator("#toasts .toast").last
    expect(toast).to_be_visible()
    for covered in ("#send", "#reply"):
        assert not _boxes_overlap(toast.bounding_box(), page.locator(covered).bounding_box())


def _in_thread(func, **kwargs):
    """Publishing uses async_to_sync, refused in Playwright's thread (conftest.off_loop)."""

    def call():
        try:
            return func(**kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def test_a_banner_shows_while_the_socket_is_down_and_goes_when_it_is_back(sign_in, alice):
    page = sign_in(alice)
    banner = page.locator("#offline-banner")
    expect(banner).to_be_hidden()
    # Nothing in the list: its message stands at the top, not at the bottom of the pane.
    empty = page.locator("#list-empty")
    expect(empty).to_be_visible()
    above = page.locator("#conversation-list").bounding_box()
    pane = page.locator(".list-pane").bounding_box()
    assert empty.bounding_box()["y"] - (above["y"] + above["height"]) < 20
    assert above["height"] < 40
    # In the upper half: below the list's views and filters, far from the bottom.
    assert empty.bounding_box()["y"] < pane["y"] + pane["height"] / 2

    # The server stops answering: the socket drops and cannot come back for a while.
    page.route(re.compile(r".*/ws/agent/.*"), lambda route: route.abort())
    page.evaluate("window.chatdesk.socket.ws.close()")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Connection lost")
    page.unroute(re.compile(r".*/ws/agent/.*"))
    page.get_by_role("button", name="Reconnect now").click()
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    expect(banner).to_be_hidden()


def _contrast(page, selector: str) -> tuple[float, float]:
    """The WCAG contrast ratio of an element's text on its row's background, and its size."""
    color, background, size = page.evaluate(
        """(selector) => {
          const el = document.querySelector(selector);
          let bg = el, shade = 'rgba(0, 0, 0, 0)';
          while (bg && (shade === 'rgba(0, 0, 0, 0)' || shade === 'transparent')) {
            shade = getComputedStyle(bg).backgroundColor; bg = bg.parentElement;
          }
          const style = getComputedStyle(el);
          return [style.color, shade, parseFloat(style.fontSize)];
        }""",
        selector,
    )

    def luminance(css: str) -> float:
        r, g, b = (int(v) / 255 for v in re.findall(r"\d+", css)[:3])
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(color), luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05), size


def test_the_list_is_one_tab_stop_and_the_waiting_time_is_readable(
    sign_in, alice, customer_writes, off_loop
):
    _waiting_chats(customer_writes, off_loop, "Ann First", "Ben Second", "Cy Third")
    page = sign_in(alice)
    rows = page.locator("#conversation-list .row")
    expect(rows).to_have_count(3)
    expect(page.locator("#conversation-list .row[tabindex='0']")).to_have_count(1)

    # The list's neighbour after it is the side pane's first tab; coming back from it
    # lands on the list's one Tab stop.
    page.locator("#tab-contact").focus()
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.classList.contains('row')")
    first = page.evaluate("document.activeElement.dataset.id")
    page.keyboard.press("ArrowDown")
    second = page.evaluate("document.activeElement.dataset.id")
    assert second != first
    expect(page.locator("#conversation-list .row[tabindex='0']")).to_have_attribute(
        "data-id", second
    )
    page.keyboard.press("End")
    last = page.evaluate("document.activeElement.dataset.id")
    assert last not in (first, second)
    # One Tab leaves the list, one Shift+Tab comes back to the row last used.
    page.keyboard.press("Tab")
    assert not page.evaluate("!!document.activeElement.closest('#conversation-list')")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.dataset.id") == last

    ratio, size = _contrast(page, "#conversation-list .row.status-unassigned .row-meta")
    assert ratio >= 4.5, ratio
    assert size >= 12, size
    rows.first.click()  # the selected row's tint too
    ratio, _ = _contrast(page, "#conversation-list .row[aria-current='true'] .row-meta")
    assert ratio >= 4.5, ratio


def test_favicon_everywhere_and_the_admin_says_chatdesk(sign_in, carol, fresh_page, live_url):
    login = fresh_page()
    login.goto(f"{live_url}/login/")
    icon = login.locator("link[rel=icon]")
    assert icon.get_attribute("href").endswith("favicon.svg")
    assert login.request.get(f"{live_url}{icon.get_attribute('href')}").ok
    carol.is_superuser = True
    carol.save()
    admin = sign_in(carol, path="/")  # signed in through the inbox, then to the admin
    admin.goto(f"{live_url}/admin/")
    assert admin.locator("link[rel=icon]").get_attribute("href").endswith("favicon.svg")
    expect(admin.locator("#site-name")).to_have_text("Chatdesk administration")
    assert "Chatdesk" in admin.title()


def test_the_contact_history_follows_dealt_with_without_a_reload(sign_in, alice, queue_a):
    owned_chat(alice, queue_a, name="Hana History")
    page = sign_in(alice)
    row(page, "Hana History").click()
    history = page.locator("#panel-contact .history li.current")
    expect(history).to_contain_text("Open")
    page.get_by_role("button", name="Dealt with").click()
    expect(history).to_contain_text("Dealt with")
