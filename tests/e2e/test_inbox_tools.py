"""The tools around a reply, in a real browser: templates, files, settings and
a socket that drops and catches up."""

from __future__ import annotations

import base64

import pytest
from playwright.sync_api import expect

from chatdesk.accounts.models import AgentSettings
from chatdesk.inbox.models import Channel, Conversation, Message
from templates_app.services import template_create
from tests.e2e.conftest import row
from tests.e2e.test_inbox_live import owned_chat
from tests.filemakers import image

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_templates_filter_and_fill_the_reply_box(sign_in, alice, queue_a):
    owned_chat(alice, queue_a, name="Tom Template")
    template_create(
        created_by=None,
        title="Shipping times",
        body="Hi {{ contact.first_name }}, we ship within 2 days.",
        category="Shipping",
    )
    template_create(
        created_by=None, title="Refund policy", body="Refunds take a week.", category="Billing"
    )
    template_create(
        created_by=None, title="Livraison", body="Bonjour !", category="Shipping", language="fr"
    )
    page = sign_in(alice)
    row(page, "Tom Template").click()
    page.get_by_role("tab", name="Templates").click()
    templates = page.locator("#template-list .template")
    expect(templates).to_have_count(3)

    page.get_by_role("tab", name="Shipping").click()
    expect(templates).to_have_count(2)
    page.get_by_label("Language").select_option("en")
    expect(templates).to_have_count(1)
    page.get_by_label("Search templates").fill("refund")
    expect(page.locator("#template-list")).to_contain_text("No templates match.")
    page.get_by_label("Search templates").fill("ship")
    templates.filter(has_text="Shipping times").click()

    expect(page.get_by_label("Reply")).to_have_value("Hi Tom, we ship within 2 days.")
    expect(page.get_by_label("Reply")).to_be_focused()


def _drop(page, name: str, mime: str, data: bytes) -> None:
    """Drop a file on the conversation pane the way a desktop drag does."""
    page.evaluate(
        """([name, mime, b64]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: mime }));
            const pane = document.querySelector("#pane-body");
            for (const type of ["dragenter", "dragover", "drop"]) {
                const init = { dataTransfer: transfer, bubbles: true, cancelable: true };
                pane.dispatchEvent(new DragEvent(type, init));
            }
        }""",
        [name, mime, base64.b64encode(data).decode()],
    )


def test_files_dropped_or_attached_are_sent_or_refused_clearly(sign_in, alice, queue_a):
    chat = owned_chat(alice, queue_a, name="Fiona Files")
    page = sign_in(alice)
    row(page, "Fiona Files").click()
    # Opening resets the composer (files and errors belong to one chat): let it finish first.
    expect(page.locator("#conv-title")).to_have_text("Fiona Files")

    page.locator("#file-input").set_input_files(
        files=[
            {
                "name": "setup.exe",
                "mimeType": "application/octet-stream",
                "buffer": b"MZ" + bytes(200),
            }
        ]
    )
    expect(page.locator("#composer-error")).to_contain_text("“setup.exe” can't be sent")

    _drop(page, "photo.png", "image/png", image("PNG"))
    expect(page.locator(".pending-file")).to_contain_text("photo.png")
    expect(page.locator(".pending-file progress")).to_have_count(0)  # upload finished
    page.get_by_label("Reply").press("Enter")
    # The log shows our copy at once; only the server's answer gives it an id (seen in CI:
    # the thumbnail was up, the row not yet committed).
    expect(page.locator('.msg.out:not([data-id=""])')).to_have_count(1)

    thumb = page.locator(".msg.out .thumb img")
    expect(thumb).to_be_visible()
    page.locator(".msg.out .thumb").click()
    expect(page.get_by_role("dialog", name="photo.png")).to_be_visible()
    sent = Message.objects.get(conversation=chat, direction="out", kind="message")
    assert [a.name for a in sent.attachments.all()] == ["photo.png"]


def test_quick_settings_changes_are_saved_in_the_order_made(sign_in, alice):
    """Two changes a moment apart: the first save still in flight must not undo the second
    (seen in CI: both PATCHes in flight, the older applied last, the sound back to chime)."""
    page = sign_in(alice)
    held = []

    def hold_the_first_save(route):
        if route.request.method == "PATCH" and not held:
            held.append(route)  # answered below, after the agent's second change
        else:
            route.continue_()

    page.route("**/api/v1/me/settings/", hold_the_first_save)
    page.get_by_role("button", name="Settings").click()
    dialog = page.get_by_role("dialog", name="Notification settings")
    dialog.get_by_label("Show a toast").uncheck()
    dialog.get_by_label("Sound", exact=True).select_option("bell")
    page.wait_for_timeout(300)  # a client that does not wait would send the second save now
    assert len(held) == 1
    with page.expect_response(
        lambda r: "/api/v1/me/settings/" in r.url and "bell" in (r.request.post_data or "")
    ):
        held[0].continue_()
    expect(dialog.get_by_role("status")).to_have_text("Saved.")
    saved = AgentSettings.objects.get(user=alice)
    assert (saved.show_toaster, saved.sound) == (False, "bell")


def test_settings_persist_and_the_toaster_obeys_them(sign_in, alice, customer_writes, off_loop):
    page = sign_in(alice)
    page.get_by_role("button", name="Settings").click()
    dialog = page.get_by_role("dialog", name="Notification settings")
    dialog.get_by_label("Show a toast").uncheck()
    # Each change saves on its own; "Saved." may still be the first one's, so wait for
    # the second save's answer before reloading.
    with page.expect_response(
        lambda r: "/api/v1/me/settings/" in r.url and "bell" in (r.request.post_data or "")
    ):
        dialog.get_by_label("Sound", exact=True).select_option("bell")
    expect(dialog.get_by_role("status")).to_have_text("Saved.")
    dialog.get_by_role("button", name="Done").click()

    page.reload()
    page.get_by_role("button", name="Settings").click()
    expect(dialog.get_by_label("Show a toast")).not_to_be_checked()
    expect(dialog.get_by_label("Sound", exact=True)).to_have_value("bell")
    dialog.get_by_role("button", name="Done").click()
    saved = AgentSettings.objects.get(user=alice)
    assert (saved.show_toaster, saved.sound) == (False, "bell")

    off_loop(customer_writes, "Anyone there?", name="Quiet Quentin")
    expect(row(page, "Quiet Quentin")).to_be_visible()
    expect(page.locator("#toasts .toast")).to_have_count(0)


def test_a_dropped_socket_reconnects_and_catches_up(sign_in, alice, customer_writes, off_loop):
    page = sign_in(alice)
    off_loop(customer_writes, "First question", name="Rita Reconnect")
    expect(row(page, "Rita Reconnect")).to_contain_text("First question")
    replays = []
    page.on("request", lambda r: "/api/v1/events/?after=" in r.url and replays.append(r.url))

    # Hold the reconnect until the missed message is stored, then let it go.
    page.evaluate("""() => {
        const socket = window.chatdesk.socket;
        socket.realConnect = socket.connect;
        socket.connect = () => socket.onState("offline");
        socket.ws.close();
    }""")
    expect(page.locator("#connection")).to_have_attribute("data-state", "offline")
    off_loop(customer_writes, "Second question", name="Rita Reconnect")
    page.evaluate("""() => {
        const socket = window.chatdesk.socket;
        socket.connect = socket.realConnect;
        socket.reconnectNow();
    }""")

    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    expect(row(page, "Rita Reconnect")).to_contain_text("Second question")
    expect(row(page, "Rita Reconnect").locator(".badge")).to_have_text("2")
    assert replays, "the client should ask the events API for what it missed"


def test_live_chat_can_be_ended_and_the_visitor_blocked(sign_in, alice, queue_a):
    chat = owned_chat(alice, queue_a, channel=Channel.LIVECHAT, name="Vic Visitor")
    page = sign_in(alice)
    row(page, "Vic Visitor").click()
    toolbar = page.get_by_role("toolbar")

    toolbar.get_by_role("button", name="Block").click()
    block = page.get_by_role("dialog", name="Block this visitor")
    block.get_by_label("Reason").fill("Abusive language")
    block.get_by_role("button", name="Block").click()
    expect(page.locator("#toasts")).to_contain_text("Visitor blocked.")

    chat.refresh_from_db()
    assert chat.blocked
    if chat.status != "ended":  # blocking may already have ended it
        toolbar.get_by_role("button", name="End chat").click()
        page.get_by_role("dialog").get_by_role("button", name="End chat").click()
    expect(page.locator("#conv-sub")).to_contain_text("Ended")
    assert Conversation.objects.get(pk=chat.pk).status == "ended"
    expect(toolbar.get_by_role("button", name="End chat")).to_have_count(0)
