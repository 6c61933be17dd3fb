"""The widget on a customer's site, another origin than the desk's: its config, a
visitor's upload (a preflighted request with X-Visitor-Token) and the pictures all
cross origins in a real browser."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright import sync_api as playwright

from chatdesk.inbox.models import Message
from tests.filemakers import image
from tests.live import daphne_server
from tests.livechat.test_widget_in_browser import CHROMIUM, _off_the_loop

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@contextmanager
def customer_site(desk: str, site_key: str) -> Iterator[str]:
    """A bare page on its own origin that embeds the desk's widget."""
    page = (
        "<!doctype html><html><head><title>Customer site</title></head><body>"
        "<h1>A customer's own website</h1>"
        f'<script src="{desk}/livechat/widget.js" data-site-key="{site_key}" async></script>'
        "</body></html>"
    ).encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_widget_uploads_and_shows_files_from_another_origin(site):
    site.widget_color = "#7a3e9d"
    site.save()
    with (
        daphne_server() as desk,
        customer_site(desk, site.external_id) as shop,
        playwright.sync_playwright() as driver,
    ):
        assert shop.rsplit(":", 1)[1] != desk.rsplit(":", 1)[1]
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        refused = []
        page.on("console", lambda m: refused.append(m.text) if "CORS" in m.text else None)
        page.goto(shop)
        launcher = page.get_by_role("button", name="Open chat")
        playwright.expect(launcher).to_have_css("background-color", "rgb(122, 62, 157)")
        launcher.click()
        page.get_by_role("button", name="Start chat").click()
        with page.expect_file_chooser() as chooser:
            page.get_by_role("button", name="Attach a file").click()
        chooser.value.set_files(
            files=[{"name": "shelf.png", "mimeType": "image/png", "buffer": image("PNG")}]
        )
        playwright.expect(page.locator(".chip.done")).to_have_count(1)
        page.get_by_label("Write a message").press("Enter")
        thumb = page.locator(".msg.in:not(.sending) .thumb img")
        playwright.expect(thumb).to_be_visible()
        assert thumb.evaluate("(img) => img.complete && img.naturalWidth > 0")
        assert thumb.get_attribute("src").startswith(desk)
        stored = _off_the_loop(lambda: [a.name for a in Message.objects.get().attachments.all()])
        assert stored == ["shelf.png"]
        assert refused == []
        browser.close()
