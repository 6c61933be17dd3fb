"""Labels and transcripts in a real browser: an agent labels a chat, a colleague's list
shows it at once, the list filters by label, and the transcript downloads."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from chatdesk.inbox.models import Label
from tests.e2e.conftest import row
from tests.e2e.test_inbox_live import owned_chat

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_an_agent_labels_a_chat_a_colleague_sees_it_and_the_list_filters(
    sign_in, alice, carol, queue_a
):
    Label.objects.create(name="VIP", color="#aa0000")
    Label.objects.create(name="Refund", color="#ffd700")
    dana = owned_chat(alice, queue_a, name="Dana Customer", body="Where is my parcel?")
    owned_chat(alice, queue_a, name="Eve Other", body="Just browsing")
    manager = sign_in(carol)
    page = sign_in(alice)

    row(page, "Dana Customer").click()
    expect(page.locator("#conv-title")).to_have_text("Dana Customer")
    page.get_by_role("button", name="Labels").click()
    dialog = page.get_by_role("dialog", name="Labels of this chat")
    expect(dialog).to_be_visible()
    dialog.get_by_role("checkbox", name="VIP").check()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()

    # The header and the row carry the chip; the colleague's list follows by the event.
    expect(page.locator("#conv-labels .label-chip")).to_have_text(["VIP"])
    expect(row(page, "Dana Customer").locator(".label-chip")).to_have_text(["VIP"])
    expect(row(manager, "Dana Customer").locator(".label-chip")).to_have_text(["VIP"])
    expect(row(manager, "Eve Other").locator(".label-chip")).to_have_count(0)
    assert list(dana.labels.values_list("name", flat=True)) == ["VIP"]

    # Filtering by the label keeps only the labelled chat, and survives a reload.
    page.get_by_label("Label", exact=True).select_option(label="VIP")
    expect(page.locator("#conversation-list .row")).to_have_count(1)
    expect(row(page, "Dana Customer")).to_be_visible()
    page.reload()
    expect(page.locator("#conversation-list .row")).to_have_count(1)
    expect(row(page, "Dana Customer").locator(".label-chip")).to_have_text(["VIP"])
    page.get_by_label("Label", exact=True).select_option(label="Refund")
    expect(page.locator("#conversation-list .row")).to_have_count(0)
    page.get_by_label("Label", exact=True).select_option(label="All labels")
    expect(page.locator("#conversation-list .row")).to_have_count(2)


def test_the_transcript_downloads_from_the_conversation_header(sign_in, alice, queue_a):
    owned_chat(alice, queue_a, name="Dana Customer", body="Where is my parcel?")
    page = sign_in(alice)
    row(page, "Dana Customer").click()
    expect(page.locator("#conv-title")).to_have_text("Dana Customer")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download transcript").click()
    chat_id = page.evaluate("window.chatdesk.store.openId")
    assert download.value.suggested_filename == f"chat-{chat_id}-transcript.txt"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Contact: Dana Customer" in text
    assert "Dana Customer: Where is my parcel?" in text
