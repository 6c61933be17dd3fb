"""The widget in a real browser: once the agent ends the chat, the visitor has the
transcript e-mailed to them (daphne writes the mail to files the test reads)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.db import connection
from playwright import sync_api as playwright
from rest_framework.authtoken.models import Token

from chatdesk.inbox.models import Message
from tests.browser import CHROMIUM, require_chromium
from tests.live import daphne_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(autouse=True)
def _chromium_is_there():
    require_chromium()


def _off_the_loop(func, *args):
    """Playwright's sync API runs an event loop in this thread, so the ORM must not."""

    def call():
        try:
            return func(*args)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def test_after_the_end_the_visitor_emails_themselves_the_transcript(site, alice, tmp_path):
    token = Token.objects.create(user=alice).key
    mail_dir = tmp_path / "mail"
    mail = {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    with daphne_server(mail) as base, playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"{base}/livechat/demo/")
        page.get_by_role("button", name="Open chat").click()
        page.get_by_label("Your name (optional)").fill("Vera")
        page.get_by_label("E-mail (optional)").fill("vera@example.com")
        page.get_by_role("button", name="Start chat").click()
        page.get_by_label("Write a message").fill("Is my order on its way?")
        page.get_by_label("Write a message").press("Enter")
        playwright.expect(page.locator(".msg.in:not(.sending)")).to_have_count(1)
        offer = page.get_by_role("button", name="E-mail me the transcript")
        playwright.expect(offer).to_be_hidden()  # only once the chat is over

        conversation_id = _off_the_loop(lambda: Message.objects.get().conversation_id)
        headers = {"Authorization": f"Token {token}"}
        ended = httpx.post(f"{base}/api/v1/conversations/{conversation_id}/end/", headers=headers)
        assert ended.status_code == 200, ended.text
        playwright.expect(page.locator(".notice")).to_contain_text("ended this chat")

        offer.click()
        address = page.get_by_label("E-mail for the transcript")
        playwright.expect(address).to_have_value("vera@example.com")  # the one given at start
        address.fill("not an address")
        send = page.locator(".transcript button[type=submit]")
        send.click()
        playwright.expect(page.locator(".transcript .said")).to_have_text(
            "Enter a valid e-mail address."
        )
        address.fill("vera.copy@example.com")
        send.click()
        playwright.expect(page.locator(".transcript .said")).to_have_text(
            "Sent to vera.copy@example.com."
        )
        browser.close()

    sent = "".join(path.read_text() for path in mail_dir.iterdir())
    assert "To: vera.copy@example.com" in sent
    assert "Vera: Is my order on its way?" in sent
    assert "The agent has ended this chat" in sent
