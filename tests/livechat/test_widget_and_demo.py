"""/livechat/widget.js and the visitor demo page."""

from __future__ import annotations

import re

import pytest

from channels_ingest.livechat.views import HERE

pytestmark = pytest.mark.django_db


def test_widget_js_is_served_as_javascript_with_a_short_cache(client):
    response = client.get("/livechat/widget.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "max-age=300" in response["Cache-Control"]
    source = response.content.decode()
    assert "data-site-key" in source and "/ws/livechat/" in source
    assert "attachShadow" in source and "localStorage" in source
    assert client.get("/livechat/widget.js", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_widget_js_never_writes_html_strings():
    """People's text goes through textContent only; no innerHTML, outerHTML or
    insertAdjacentHTML at all, so nothing a visitor or agent writes becomes markup."""
    source = (HERE / "static" / "livechat" / "widget.js").read_text()
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", source)
    assert "textContent" in source
    assert "aria-label" in source and 'role: "log"' in source


def test_demo_page_embeds_the_widget_with_the_first_active_site(client, site):
    response = client.get("/livechat/demo/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<script src="/livechat/widget.js" data-site-key="shop-site" async></script>' in html


def test_demo_page_without_a_site_is_404(client, db):
    assert client.get("/livechat/demo/").status_code == 404
