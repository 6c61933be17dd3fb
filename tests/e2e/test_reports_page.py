"""The Reports page in a real browser: the figures and charts of the summary API, filters
that change them, the CSV link, and an agent who sees only their own share."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from chatdesk.accounts.models import Role
from chatdesk.inbox.services.ownership import conversation_take, message_reply
from chatdesk.inbox.services.receive import message_receive
from tests.factories import (
    ChannelAccountFactory,
    QueueFactory,
    QueueMemberFactory,
    UserFactory,
    inbound_from,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Sum of a chart's first data set, and how many of its canvas pixels are painted.
CHART_SUM = (
    "id => Chart.getChart(document.getElementById(id))"
    ".data.datasets[0].data.reduce((a, b) => a + b, 0)"
)
PAINTED = """id => {
  const canvas = document.getElementById(id);
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) painted++;
  return painted;
}"""
CHARTS = [
    "chart-day",
    "chart-hour",
    "chart-agents",
    "chart-first-response",
    "chart-wait",
    "chart-quality",
]


def _desk(alice, bob):
    """Today: three WhatsApp chats in Sales (alice answers two, bob one), one SMS chat in
    Support that nobody answered."""
    sales = QueueFactory(name="Sales")
    QueueMemberFactory(queue=sales, agent=alice)
    QueueMemberFactory(queue=sales, agent=bob)
    support = QueueFactory(name="Support")
    QueueMemberFactory(queue=support, agent=bob)
    whatsapp = ChannelAccountFactory(kind="whatsapp", route_queue=sales)
    sms = ChannelAccountFactory(kind="sms", external_id="+15005550006", route_queue=support)
    for n, agent in enumerate([alice, alice, bob]):
        message, _ = message_receive(
            inbound=inbound_from(whatsapp, address=f"1415555010{n}", pmid=f"rp-{n}")
        )
        conversation_take(conversation_id=message.conversation_id, agent=agent)
        message_reply(conversation_id=message.conversation_id, agent=agent, body="Hello!")
    message_receive(inbound=inbound_from(sms, address="+14155550199", pmid="rp-sms"))
    return sales, support


def _card(page, metric: str):
    return page.locator(f'#report-totals [data-metric="{metric}"] dd')


def _ready(page):
    expect(page.locator("body[data-report-state=ready]")).to_be_attached()


def test_a_manager_sees_the_desk_and_filters_change_the_figures(sign_in, live_url, off_loop):
    alice = UserFactory(username="alice", first_name="Alice", last_name="Ames")
    bob = UserFactory(username="bob", first_name="Bob", last_name="Berg")
    carol = UserFactory(username="carol", first_name="Carol", role=Role.MANAGER)
    _sales, support = off_loop(_desk, alice, bob)

    page = sign_in(carol)
    page.get_by_role("link", name="Reports").click()
    expect(page).to_have_url(f"{live_url}/reports/")
    _ready(page)
    expect(_card(page, "received")).to_have_text("4")
    expect(_card(page, "taken")).to_have_text("3")
    expect(_card(page, "missed")).to_have_text("1")
    for chart in CHARTS:
        assert page.evaluate(PAINTED, chart) > 0, f"{chart} drew nothing"
    assert page.evaluate(CHART_SUM, "chart-day") == 4
    assert page.evaluate(CHART_SUM, "chart-hour") == 4
    expect(page.locator("#table-agents tbody tr")).to_have_count(2)
    expect(page.locator("#table-queues tbody th")).to_have_text(["Sales", "Support"])

    page.locator("#queue").select_option(label="Support")
    expect(_card(page, "received")).to_have_text("1")
    _ready(page)
    assert page.evaluate(CHART_SUM, "chart-day") == 1
    expect(page.locator("#table-queues tbody th")).to_have_text(["Support"])
    csv_link = page.locator("#csv-link")
    expected = f"/api/v1/reports/summary/?{_query(page, queue=support.pk)}&format=csv"
    expect(csv_link).to_have_attribute("href", expected)
    with page.expect_download() as download:
        csv_link.click()
    rows = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert rows[0] == "section,subject,metric,value"
    assert "totals,,received,1" in rows

    page.locator("#queue").select_option(label="All queues")
    page.locator("#agent").select_option(label="Alice Ames")
    # Alice: offered all three Sales chats (ring all), took two of them.
    expect(_card(page, "taken")).to_have_text("2")
    expect(_card(page, "received")).to_have_text("3")
    expect(page.locator("#table-agents tbody th")).to_have_text(["Alice Ames"])
    assert f"agent={alice.pk}" in page.url

    # A date range the API refuses: its reason is shown, the figures stay as they were.
    page.locator("#date_from").fill("2026-12-31")
    page.locator("#date_to").fill("2026-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#report-status")).to_contain_text("start date is after the end date")
    expect(_card(page, "taken")).to_have_text("2")


def _query(page, **params) -> str:
    date_from = page.locator("#date_from").input_value()
    date_to = page.locator("#date_to").input_value()
    parts = [f"date_from={date_from}", f"date_to={date_to}"]
    parts += [f"{key}={value}" for key, value in params.items()]
    return "&".join(parts)


def test_an_agent_sees_only_their_own_share(sign_in, live_url, off_loop):
    alice = UserFactory(username="alice", first_name="Alice", last_name="Ames")
    bob = UserFactory(username="bob", first_name="Bob", last_name="Berg")
    off_loop(_desk, alice, bob)

    page = sign_in(bob)
    page.goto(f"{live_url}/reports/")
    _ready(page)
    # Bob: reached by the three Sales chats (ring all) and the Support one; took one.
    expect(_card(page, "received")).to_have_text("4")
    expect(_card(page, "taken")).to_have_text("1")
    expect(page.locator("#table-agents tbody th")).to_have_text(["Bob Berg"])
    expect(page.locator("#agent")).to_have_count(0)
    assert page.evaluate(CHART_SUM, "chart-agents") == 1
