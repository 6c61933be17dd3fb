"""The demo shop's global CSS is broad on purpose (serif type, uppercase square
buttons, stretched icons, content-box sizing): none of it may reach the widget."""

from __future__ import annotations

import pytest
from playwright import sync_api as playwright

from tests.live import daphne_server
from tests.livechat.test_widget_in_browser import CHROMIUM

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_the_shops_global_css_does_not_reach_the_widget(site):
    with daphne_server() as base, playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"{base}/livechat/demo/")
        shop_button = page.get_by_role("button", name="Add to basket").first
        # The page's rules are really there...
        playwright.expect(shop_button).to_have_css("text-transform", "uppercase")
        assert "Georgia" in shop_button.evaluate("(b) => getComputedStyle(b).fontFamily")
        page.get_by_role("button", name="Open chat").click()
        start = page.get_by_role("button", name="Start chat")
        # ...and none of them reaches the widget.
        playwright.expect(start).to_have_css("text-transform", "none")
        playwright.expect(start).to_have_css("letter-spacing", "normal")
        assert "Georgia" not in start.evaluate("(b) => getComputedStyle(b).fontFamily")
        playwright.expect(page.locator(".launcher svg")).to_have_css("width", "28px")
        name = page.get_by_label("Your name (optional)")
        playwright.expect(name).to_have_css("box-sizing", "border-box")
        playwright.expect(name).to_have_css("text-transform", "none")
        browser.close()
