"""Files in the live-chat widget, in a real browser against a real daphne: the visitor
attaches by button, drop and paste, the agent sees them; the agent's photo and PDF
reach the visitor as a thumbnail and a download; a refused file says why and loses
nothing."""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path

import pytest
from django.core.cache import cache
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from channels_ingest.livechat import limits
from channels_ingest.livechat.delivery import deliver_to_visitor
from chatdesk.inbox.models import Message
from tests.e2e.conftest import row
from tests.factories import ChannelAccountFactory
from tests.filemakers import PDF, image

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "09-widget-files.png"


@pytest.fixture
def shop_site(queue_a):
    cache.delete(limits.session_start_key("127.0.0.1"))
    yield ChannelAccountFactory(
        kind="livechat",
        name="Northwind support",
        external_id="shop-site",
        route_queue=queue_a,
        widget_color="#0a7d4f",
        widget_greeting="Hi! Questions about sizes or an order? Photos welcome.",
    )
    cache.delete(limits.session_start_key("127.0.0.1"))


def _photo() -> bytes:
    """A parcel with a dented corner, drawn here rather than shipped as a binary."""
    picture = Image.new("RGB", (640, 480), (214, 222, 232))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 330, 640, 480), fill=(160, 140, 118))
    draw.polygon([(150, 170), (430, 140), (500, 200), (220, 235)], fill=(205, 160, 105))
    draw.polygon([(150, 170), (220, 235), (225, 400), (160, 350)], fill=(176, 128, 80))
    draw.polygon([(220, 235), (500, 200), (495, 360), (225, 400)], fill=(196, 148, 96))
    draw.rectangle((330, 215, 450, 255), fill=(245, 245, 240))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _open_widget(visitor, live_url: str, name: str = "Vera") -> None:
    visitor.goto(f"{live_url}/livechat/demo/")
    visitor.get_by_role("button", name="Open chat").click()
    visitor.get_by_label("Your name (optional)").fill(name)
    visitor.get_by_role("button", name="Start chat").click()
    expect(visitor.get_by_label("Write a message")).to_be_visible()


def _attach_by_button(visitor, name: str, mime: str, data: bytes) -> None:
    with visitor.expect_file_chooser() as chooser:
        visitor.get_by_role("button", name="Attach a file").click()
    chooser.value.set_files(files=[{"name": name, "mimeType": mime, "buffer": data}])


def _files_event(visitor, kind: str, name: str, mime: str, data: bytes) -> None:
    """A desktop drag-and-drop onto the panel, or a paste into the text box."""
    visitor.evaluate(
        """([kind, name, mime, b64]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: mime }));
            const root = document.querySelector("#chatdesk-livechat").shadowRoot;
            if (kind === "paste") {
                root.querySelector("textarea").dispatchEvent(new ClipboardEvent("paste",
                    { clipboardData: transfer, bubbles: true, cancelable: true }));
                return;
            }
            const panel = root.querySelector(".panel");
            for (const type of ["dragenter", "dragover", "drop"]) {
                panel.dispatchEvent(new DragEvent(type,
                    { dataTransfer: transfer, bubbles: true, cancelable: true }));
            }
        }""",
        [kind, name, mime, base64.b64encode(data).decode()],
    )


def _loaded(locator) -> bool:
    return locator.evaluate("(img) => img.complete && img.naturalWidth > 0")


def test_a_visitor_sends_a_photo_a_pdf_and_a_pasted_picture_and_the_agent_sees_them(
    sign_in, fresh_page, live_url, alice, shop_site
):
    agent = sign_in(alice)
    visitor = fresh_page()
    _open_widget(visitor, live_url)
    # The site's colour and greeting, from its settings.
    launcher = visitor.get_by_role("button", name="Hide chat")
    expect(launcher).to_have_css("background-color", "rgb(10, 125, 79)")
    expect(visitor.locator(".hello")).to_have_text(shop_site.widget_greeting)

    _attach_by_button(visitor, "parcel.jpg", "image/jpeg", _photo())
    _files_event(visitor, "drop", "order.pdf", "application/pdf", PDF)
    _files_event(visitor, "paste", "image.png", "image/png", image("PNG"))
    expect(visitor.locator(".chip.done")).to_have_count(3)  # all three uploaded
    visitor.get_by_label("Write a message").fill("The box arrived like this.")
    visitor.get_by_label("Write a message").press("Enter")

    mine = visitor.locator(".msg.in:not(.sending)")
    expect(mine).to_have_count(1)
    expect(mine.locator(".thumb img")).to_have_count(2)
    expect(mine.locator("a.file")).to_contain_text("order.pdf")
    expect(visitor.locator(".chip")).to_have_count(0)

    message = Message.objects.get(direction="in")
    assert message.body == "The box arrived like this."
    assert sorted(a.name for a in message.attachments.all()) == [
        "image.png",
        "order.pdf",
        "parcel.jpg",
    ]
    row(agent, "Vera").click()
    incoming = agent.locator(".msg.in")
    expect(incoming.locator(".thumb img")).to_have_count(2)
    expect(incoming.locator("a.file")).to_contain_text("order.pdf")
    for index in range(2):
        thumb = incoming.locator(".thumb img").nth(index)
        expect(thumb).to_be_visible()
        assert _loaded(thumb)


def test_the_agents_photo_and_pdf_reach_the_visitor_as_a_thumbnail_and_a_download(
    sign_in, fresh_page, live_url, alice, shop_site, off_loop
):
    visitor = fresh_page()
    _open_widget(visitor, live_url)
    visitor.get_by_label("Write a message").fill("Can you send the return label?")
    visitor.get_by_label("Write a message").press("Enter")
    expect(visitor.locator(".msg.in:not(.sending)")).to_have_count(1)

    agent = sign_in(alice)
    row(agent, "Vera").click()
    # Opening a chat resets the composer's files: let it finish before attaching.
    expect(agent.locator("#conv-title")).to_have_text("Vera")
    agent.locator("#file-input").set_input_files(
        files=[
            {"name": "replacement.jpg", "mimeType": "image/jpeg", "buffer": _photo()},
            {"name": "return-label.pdf", "mimeType": "application/pdf", "buffer": PDF},
        ]
    )
    expect(agent.locator(".pending-file")).to_have_count(2)
    expect(agent.locator(".pending-file progress")).to_have_count(0)
    agent.get_by_label("Reply").fill("Here you are, and the replacement is on its way.")
    agent.get_by_label("Reply").press("Enter")
    expect(agent.locator('.msg.out:not([data-id=""])')).to_have_count(1)
    reply = Message.objects.get(direction="out", kind="message")
    assert reply.attachments.count() == 2
    assert off_loop(deliver_to_visitor, reply.pk) == "delivered"

    theirs = visitor.locator(".msg.out")
    expect(theirs).to_contain_text("replacement is on its way")
    expect(theirs).not_to_contain_text("[file:")
    thumb = theirs.locator(".thumb img")
    expect(thumb).to_be_visible()
    assert _loaded(thumb)
    theirs.locator(".thumb").click()
    full = visitor.get_by_role("dialog", name="replacement.jpg").locator("img")
    expect(full).to_be_visible()
    visitor.wait_for_function(
        """() => { const img = document.querySelector("#chatdesk-livechat").shadowRoot
                       .querySelector(".viewer img");
                   return img && img.complete && img.naturalWidth === 640; }"""
    )
    visitor.get_by_role("button", name="Close picture").click()

    link = theirs.locator("a.file")
    expect(link).to_contain_text("return-label.pdf")
    with visitor.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes() == PDF

    if os.environ.get("CHATDESK_SCREENSHOTS") == "1":
        _screenshot(visitor)


def _screenshot(visitor) -> None:
    """The widget with files both ways and one waiting in the tray."""
    _attach_by_button(visitor, "how-it-arrived.jpg", "image/jpeg", _photo())
    expect(visitor.locator(".chip.done")).to_have_count(1)
    visitor.get_by_label("Write a message").fill("Thanks! This is how the first one arrived.")
    visitor.get_by_label("Write a message").press("Enter")
    expect(visitor.locator(".msg.in:not(.sending) .thumb img")).to_have_count(1)
    _attach_by_button(visitor, "receipt.pdf", "application/pdf", PDF)
    expect(visitor.locator(".chip.done")).to_have_count(1)
    visitor.get_by_label("Write a message").fill("And the receipt, just in case.")
    visitor.evaluate("() => document.activeElement && document.activeElement.blur()")
    visitor.wait_for_function(
        """() => [...document.querySelector("#chatdesk-livechat").shadowRoot
                   .querySelectorAll(".thumb img")].every((img) => img.complete)"""
    )
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    visitor.screenshot(path=str(SCREENSHOT))


def test_a_refused_file_says_why_and_the_text_and_other_files_stay(fresh_page, live_url, shop_site):
    visitor = fresh_page()
    _open_widget(visitor, live_url)
    visitor.get_by_label("Write a message").fill("Here is my receipt")
    _attach_by_button(visitor, "receipt.png", "image/png", image("PNG"))
    expect(visitor.locator(".chip.done")).to_have_count(1)
    _attach_by_button(visitor, "setup.exe", "application/octet-stream", b"MZ" + bytes(200))

    status = visitor.get_by_role("status")
    expect(status).to_contain_text("“setup.exe” was not attached.")
    expect(status).to_contain_text("cannot be sent")
    expect(visitor.get_by_label("Write a message")).to_have_value("Here is my receipt")
    expect(visitor.locator(".chip")).to_have_count(1)
    expect(visitor.locator(".chip")).to_contain_text("receipt.png")

    visitor.get_by_label("Write a message").press("Enter")
    expect(visitor.locator(".msg.in:not(.sending) .thumb img")).to_have_count(1)
    message = Message.objects.get(direction="in")
    assert [a.name for a in message.attachments.all()] == ["receipt.png"]
