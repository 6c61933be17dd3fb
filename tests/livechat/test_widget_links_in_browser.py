"""A visitor who keeps the chat open longer than a file link lives: the widget gets
fresh links (a new socket's replay) and the picture opens again; the chat goes on."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image
from playwright import sync_api as playwright
from rest_framework.authtoken.models import Token

from channels_ingest.livechat.delivery import deliver_to_visitor
from chatdesk.inbox.models import Message
from tests.live import daphne_server
from tests.livechat.test_widget_in_browser import CHROMIUM, _off_the_loop

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

LINK_SECONDS = 4


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 90)).save(out, format="JPEG")
    return out.getvalue()


def test_an_expired_picture_link_is_renewed_and_the_chat_goes_on(site, alice):
    token = Token.objects.create(user=alice).key
    headers = {"Authorization": f"Token {token}"}
    extra = {"LIVECHAT_LINK_SECONDS": str(LINK_SECONDS)}
    with daphne_server(extra) as base, playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"{base}/livechat/demo/")
        page.get_by_role("button", name="Open chat").click()
        page.get_by_role("button", name="Start chat").click()
        page.get_by_label("Write a message").fill("Is this the right colour?")
        page.get_by_label("Write a message").press("Enter")
        playwright.expect(page.locator(".msg.in:not(.sending)")).to_have_count(1)

        conversation_id = _off_the_loop(lambda: Message.objects.get().conversation_id)
        upload = httpx.post(
            f"{base}/api/v1/attachments/",
            files={"file": ("green.jpg", _photo(), "image/jpeg")},
            headers=headers,
        )
        assert upload.status_code == 201, upload.text
        reply = httpx.post(
            f"{base}/api/v1/conversations/{conversation_id}/messages/",
            json={"body": "This green one?", "attachments": [upload.json()["id"]]},
            headers=headers,
        )
        assert reply.status_code == 201, reply.text
        assert _off_the_loop(deliver_to_visitor, reply.json()["id"]) == "delivered"
        thumb = page.locator(".msg.out .thumb img")
        playwright.expect(thumb).to_be_visible()
        first_link = thumb.get_attribute("src")

        page.wait_for_timeout((LINK_SECONDS + 1) * 1000)  # every link shown is stale now
        page.locator(".msg.out .thumb").click()
        viewer = page.get_by_role("dialog", name="green.jpg")
        playwright.expect(viewer).to_contain_text("could not be loaded")
        # The replay of a new socket brought a fresh link for the same picture.
        playwright.expect(thumb).not_to_have_attribute("src", first_link)
        viewer.get_by_role("button", name="Close picture").click()
        page.locator(".msg.out .thumb").click()
        page.wait_for_function(
            """() => { const img = document.querySelector("#chatdesk-livechat").shadowRoot
                           .querySelector(".viewer img");
                       return !!img && img.complete && img.naturalWidth === 640; }"""
        )
        page.get_by_role("button", name="Close picture").click()

        # The renewed socket is the visitor's socket: replies still arrive, and count.
        again = httpx.post(
            f"{base}/api/v1/conversations/{conversation_id}/messages/",
            json={"body": "It also comes in blue."},
            headers=headers,
        )
        assert _off_the_loop(deliver_to_visitor, again.json()["id"]) == "delivered"
        playwright.expect(page.locator(".msg.out").last).to_contain_text("also comes in blue")
        playwright.expect(page.locator(".msg")).to_have_count(3)
        browser.close()
