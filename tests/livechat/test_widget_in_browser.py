"""The widget in a real browser (Debian's chromium, headless) against a real daphne:
a visitor on the demo page writes, an agent replies, a reload resumes, the end shows."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.db import connection
from playwright import sync_api as playwright
from rest_framework.authtoken.models import Token

from channels_ingest.livechat.delivery import deliver_to_visitor
from chatdesk.inbox.models import Message
from tests.browser import CHROMIUM, require_chromium
from tests.live import daphne_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(autouse=True)
def _chromium_is_there():
    require_chromium()


HOSTILE = "Hello <img src=x onerror=alert(1)> <b>there</b>"


def _off_the_loop(func, *args):
    """Playwright's sync API runs an event loop in this thread, so the ORM must not."""

    def call():
        try:
            return func(*args)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def test_a_visitor_chats_with_an_agent_through_the_widget(site, alice):
    token = Token.objects.create(user=alice).key
    with daphne_server() as base, playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"{base}/livechat/demo/")
        page.get_by_role("button", name="Open chat").click()
        page.get_by_label("Your name (optional)").fill("Vera")
        page.get_by_role("button", name="Start chat").click()
        page.get_by_label("Write a message").fill(HOSTILE)
        page.get_by_label("Write a message").press("Enter")
        mine = page.locator(".msg.in:not(.sending)")
        playwright.expect(mine).to_have_count(1)
        # Shown as text: the markup is neither rendered nor executed.
        playwright.expect(mine).to_contain_text(HOSTILE)
        assert page.locator("img").count() == 0

        conversation_id = _off_the_loop(lambda: Message.objects.get().conversation_id)
        headers = {"Authorization": f"Token {token}"}
        reply = httpx.post(
            f"{base}/api/v1/conversations/{conversation_id}/messages/",
            json={"body": "Hi Vera!"},
            headers=headers,
        )
        assert reply.status_code == 201, reply.text
        assert _off_the_loop(deliver_to_visitor, reply.json()["id"]) == "delivered"
        playwright.expect(page.locator(".msg.out")).to_contain_text("Hi Vera!")

        page.reload()  # the stored token resumes the session and replays it
        playwright.expect(page.locator(".msg")).to_have_count(2)

        ended = httpx.post(f"{base}/api/v1/conversations/{conversation_id}/end/", headers=headers)
        assert ended.status_code == 200, ended.text
        page.get_by_role("button", name="Open chat").click()
        playwright.expect(page.locator(".notice")).to_contain_text("ended this chat")
        playwright.expect(page.get_by_label("Write a message")).to_be_disabled()
        page.get_by_role("button", name="Start a new chat").click()
        playwright.expect(page.get_by_label("Write a message")).to_be_enabled()
        browser.close()
