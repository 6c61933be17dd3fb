"""The live monitor page in a real browser: supervisors only, and it follows the desk
without a reload (waiting chats with ticking waits, who they ring for, agents' load)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from chatdesk.inbox.services.ownership import conversation_take

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_the_monitor_follows_the_desk_live(
    sign_in, alice, bob, carol, queue_a, customer_writes, off_loop
):
    page = sign_in(carol, path="/monitor/")
    expect(page.get_by_role("heading", name="Live monitor")).to_be_visible()
    agents = page.locator("#monitor-agents tbody tr")
    expect(agents).to_have_count(2)
    expect(page.locator("#monitor-agents tr", has_text="Alice")).to_contain_text("0 / 5")
    expect(page.locator("#waiting-empty")).to_be_visible()
    expect(page.locator(f'#monitor-queues [data-queue="{queue_a.pk}"]')).to_contain_text("0")

    message = off_loop(customer_writes, "Where is my parcel?", name="Petra Parcel")
    waiting = page.locator("#monitor-waiting tbody tr", has_text="Petra Parcel")
    expect(waiting).to_be_visible()
    expect(waiting.locator(".ringing")).to_have_text("Alice Tester, Bob Tester")
    expect(
        page.locator(f'#monitor-queues [data-queue="{queue_a.pk}"] .queue-waiting')
    ).to_have_text("1")
    # The wait ticks in the page between the server's updates.
    first = waiting.locator(".waited").inner_text()
    expect(waiting.locator(".waited")).not_to_have_text(first, timeout=4000)
    assert re.fullmatch(r"\d+s", waiting.locator(".waited").inner_text())

    off_loop(conversation_take, conversation_id=message.conversation_id, agent=alice)
    expect(waiting).to_have_count(0)
    expect(page.locator("#waiting-empty")).to_be_visible()
    expect(page.locator("#monitor-agents tr", has_text="Alice")).to_contain_text("1 / 5")


def test_agents_have_no_monitor(sign_in, alice, live_url):
    page = sign_in(alice)
    expect(page.locator(".topbar-nav")).to_be_visible()
    expect(page.get_by_role("link", name="Monitor")).to_have_count(0)
    response = page.goto(f"{live_url}/monitor/")
    assert response.status == 403


def test_supervisors_find_it_in_the_top_bar(sign_in, carol):
    page = sign_in(carol)
    page.get_by_role("link", name="Monitor").click()
    expect(page).to_have_url(re.compile(r"/monitor/$"))
    expect(page.locator("#monitor-agents")).to_be_visible()
