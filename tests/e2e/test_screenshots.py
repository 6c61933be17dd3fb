"""The README's screenshots, taken from the real app on the demo seed plus a
few realistic extras (files, delivery ticks, history, archive).

Runs only with CHATDESK_SCREENSHOTS=1, so CI never rewrites the PNGs:

    CHATDESK_SCREENSHOTS=1 .venv/bin/python -m pytest tests/e2e/test_screenshots.py
"""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from channels_ingest.livechat import limits
from channels_ingest.livechat.delivery import deliver_to_visitor
from channels_ingest.models import ChannelAccount
from chatdesk.accounts.models import User
from chatdesk.inbox import files
from chatdesk.inbox.models import (
    Attachment,
    Channel,
    Conversation,
    DeliveryStatus,
    Message,
    ReadMarker,
    Status,
)
from contacts.models import Contact, Identity
from queues.models import Offer, Queue
from tests.e2e.conftest import row, visitor_starts_chat
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("CHATDESK_SCREENSHOTS") != "1",
        reason="writes docs/screenshots/; set CHATDESK_SCREENSHOTS=1 to refresh them",
    ),
]

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SAMPLE_PDF = Path(__file__).resolve().parents[1] / "fixtures" / "providers" / "media" / "sample.pdf"


def _photo() -> bytes:
    """A customer's photo of a dented parcel, drawn rather than shipped as a binary."""
    picture = Image.new("RGB", (640, 480), (214, 222, 232))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 330, 640, 480), fill=(160, 140, 118))
    draw.polygon([(150, 170), (430, 140), (500, 200), (220, 235)], fill=(205, 160, 105))
    draw.polygon([(150, 170), (220, 235), (225, 400), (160, 350)], fill=(176, 128, 80))
    draw.polygon([(220, 235), (500, 200), (495, 360), (225, 400)], fill=(196, 148, 96))
    draw.polygon([(300, 250), (360, 238), (350, 300), (320, 290)], fill=(150, 104, 62))
    draw.rectangle((330, 215, 450, 255), fill=(245, 245, 240))
    draw.line((300, 150, 330, 225), fill=(120, 80, 50), width=6)
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _attach(message: Message, name: str, content_type: str, data: bytes) -> None:
    attachment = Attachment(message=message, name=name, content_type=content_type, size=len(data))
    attachment.file.save(name, ContentFile(data), save=False)
    if content_type.startswith("image/"):
        attachment.thumbnail.save(f"{name}.webp", ContentFile(files.thumbnail(data)), save=False)
    attachment.save()


def _line(conversation, direction, body, minutes, *, sender=None, status=None, error=""):
    message = Message.objects.create(
        conversation=conversation,
        direction=direction,
        body=body,
        sender=sender,
        channel_account=conversation.channel_account,
        delivery_status=status or DeliveryStatus.DELIVERED,
        delivery_error=error,
    )
    at = timezone.now() - timedelta(minutes=minutes)
    Message.objects.filter(pk=message.pk).update(created_at=at)
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=at)
    # A chat starts with its first message; waiting times and history dates read this.
    Conversation.objects.filter(pk=conversation.pk, created_at__gt=at).update(created_at=at)
    return message


def _demo_extras() -> None:
    """On top of seed_demo: a chat with files and every tick, history, more offers, an archive."""
    alice, bob = User.objects.get(username="alice"), User.objects.get(username="bob")
    for user in User.objects.all():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    sales, support = Queue.objects.get(name="Sales"), Queue.objects.get(name="Support")
    accounts = {a.kind: a for a in ChannelAccount.objects.all()}

    jonas = Conversation.objects.get(identity__display_name="Jonas Müller")
    started = timezone.now() - timedelta(minutes=45)
    Message.objects.filter(conversation=jonas).update(created_at=started)
    Conversation.objects.filter(pk=jonas.pk).update(created_at=started)
    for waiting in Conversation.objects.filter(status=Status.UNASSIGNED):
        first = waiting.messages.order_by("created_at").first()
        Conversation.objects.filter(pk=waiting.pk).update(created_at=first.created_at)
    photo = _line(jonas, "in", "This is how the box looked when it finally came 😕", 30)
    _attach(photo, "IMG_2041.jpg", "image/jpeg", _photo())
    _line(
        jonas,
        "out",
        "Oh no, that's not how it should arrive. I'm sorry!",
        26,
        sender=alice,
        status=DeliveryStatus.READ,
    )
    label = _line(
        jonas,
        "out",
        "Here is a free return label; we'll send a new one today.",
        25,
        sender=alice,
        status=DeliveryStatus.DELIVERED,
    )
    _attach(label, "Return-label-4821.pdf", "application/pdf", SAMPLE_PDF.read_bytes())
    _line(
        jonas,
        "out",
        "Tracking: NW-4821-77 (DHL)",
        24,
        sender=alice,
        status=DeliveryStatus.FAILED,
        # Messenger's own error text: Meta puts its error code in it as "(#10)".
        error="(#10) This message is sent outside of allowed window. (code 10)",
    )
    _line(jonas, "in", "Great, thanks! Will the new one come by Friday?", 2)

    # Jonas wrote before: history in the contact panel.
    for minutes, owner, text in (
        (60 * 24 * 9, bob, "Do you have the jacket in green?"),
        (60 * 24 * 30, alice, "Can I change my delivery address?"),
    ):
        old = Conversation.objects.create(
            channel=Channel.MESSENGER,
            channel_account=jonas.channel_account,
            identity=jonas.identity,
            queue=support,
            owner=owner,
            status=Status.DEALT_WITH,
            archived=True,
            closed_at=timezone.now() - timedelta(minutes=minutes - 20),
        )
        _line(old, "in", text, minutes)
        _line(
            old,
            "out",
            "Done! Anything else?",
            minutes - 5,
            sender=owner,
            status=DeliveryStatus.READ,
        )

    # More offers waiting, on every channel.
    offers = [
        (
            Channel.MESSENGER,
            "7788990011223344",
            "Sofia Rossi",
            support,
            "Hi, can I still return the boots I bought in March?",
            5,
        ),
        (
            Channel.SMS,
            "+14155550142",
            "Liam O'Brien",
            sales,
            "Do you have gift cards? Need one by tomorrow",
            1,
        ),
        (
            Channel.WHATSAPP,
            "4917612345678",
            "Mehmet Yilmaz",
            sales,
            "Merhaba! Is the 2-person tent in stock?",
            9,
        ),
    ]
    for channel, address, name, queue, text, minutes in offers:
        identity = Identity.objects.create(kind=channel, address=address, display_name=name)
        identity.contact = Contact.objects.create(name=name)
        identity.save(update_fields=["contact"])
        chat = Conversation.objects.create(
            channel=channel,
            channel_account=accounts[channel],
            identity=identity,
            queue=queue,
            status=Status.UNASSIGNED,
            routing_round=1,
        )
        _line(chat, "in", text, minutes)
        Offer.objects.create(
            conversation=chat,
            queue=queue,
            agent=alice,
            deadline=timezone.now() + timedelta(seconds=30),
        )

    # Alice's archive.
    for channel, address, name, text, days in (
        (Channel.WHATSAPP, "447700900123", "Emma Clarke", "Perfect, thank you so much!", 1),
        (Channel.LIVECHAT, "visitor-archived-1", "Website visitor", "Ok bye", 2),
        (Channel.SMS, "+14155550177", "Noah Kim", "Got it, thanks", 4),
    ):
        identity = Identity.objects.create(kind=channel, address=address, display_name=name)
        if name != "Website visitor":
            identity.contact = Contact.objects.create(
                name=name, email=f"{name.split()[0].lower()}@example.com"
            )
            identity.save(update_fields=["contact"])
        chat = Conversation.objects.create(
            channel=channel,
            channel_account=accounts[channel],
            identity=identity,
            queue=support,
            owner=alice,
            status=Status.DEALT_WITH,
            archived=True,
            closed_at=timezone.now() - timedelta(days=days),
        )
        _line(chat, "in", "Where can I find my invoice?", 60 * 24 * days + 10)
        _line(
            chat,
            "out",
            "It's under Orders → Invoices in your account.",
            60 * 24 * days + 8,
            sender=alice,
            status=DeliveryStatus.READ,
        )
        last = _line(chat, "in", text, 60 * 24 * days)
        ReadMarker.objects.create(conversation=chat, agent=alice, last_read_message_id=last.pk)


def _shot(page, name: str) -> None:
    page.wait_for_timeout(250)  # let the toasts' and drawer's entry animations finish
    page.screenshot(path=str(OUT / f"{name}.png"))


def test_take_the_readme_screenshots(sign_in, fresh_page, live_url, off_loop):
    call_command("seed_demo", stdout=io.StringIO())
    _demo_extras()
    cache.delete(limits.session_start_key("127.0.0.1"))
    OUT.mkdir(parents=True, exist_ok=True)
    alice = User.objects.get(username="alice")
    page = sign_in(alice)
    expect(page.locator("#conversation-list .row")).to_have_count(7)

    row(page, "do you ship to Canada").click()
    expect(page.locator("#contact-banner")).to_be_visible()
    expect(row(page, "do you ship to Canada").locator(".badge")).to_have_count(0)  # marked read
    _shot(page, "01-inbox-offers")
    page.get_by_role("button", name="Not now").click()  # the permission prompt was shown once

    row(page, "Jonas Müller").click()
    expect(page.locator(".msg .thumb img")).to_be_visible()
    expect(page.locator("#panel-contact .history li")).to_have_count(3)
    expect(row(page, "Jonas Müller").locator(".badge")).to_have_count(0)  # marked read
    _shot(page, "02-conversation-files-ticks-contact")

    page.get_by_role("toolbar").get_by_role("button", name="Transfer").click()
    page.get_by_label("Name or extension").fill("b")
    expect(page.locator(".agent-option")).to_have_count(1)
    _shot(page, "03-transfer-dialog")
    page.keyboard.press("Escape")

    page.get_by_role("tab", name="Templates").click()
    expect(page.locator("#template-list .template").first).to_be_visible()
    page.locator("#template-list .template", has_text="Order delayed").click()
    expect(page.get_by_label("Reply", exact=True)).not_to_have_value("")
    _shot(page, "04-templates-panel")
    page.get_by_label("Reply", exact=True).fill("")
    page.get_by_role("tab", name="Contact").click()

    page.get_by_role("button", name="Settings").click()
    expect(page.get_by_role("dialog", name="Notification settings")).to_be_visible()
    _shot(page, "05-settings")
    page.keyboard.press("Escape")

    page.get_by_label("View", exact=True).select_option("archived")
    expect(row(page, "Emma Clarke")).to_be_visible()
    row(page, "Emma Clarke").click()
    expect(page.get_by_role("toolbar").get_by_role("button", name="Transfer")).to_be_visible()
    _shot(page, "06-archived")

    page.get_by_label("Search contacts, conversations and messages").fill("invoice")
    expect(page.locator("#search-groups:not([aria-busy]) [role=option]").first).to_be_visible()
    _shot(page, "11-search")
    page.keyboard.press("Escape")

    visitor = fresh_page()
    visitor_starts_chat(visitor, live_url, "Hanna", 'Hi! Does the backpack fit a 15" laptop?')
    expect(visitor.locator(".msg.in:not(.sending)")).to_have_count(1)
    page.get_by_label("View", exact=True).select_option("recents")
    row(page, "Hanna").click()
    page.get_by_label("Reply", exact=True).fill(
        'Hi Hanna! Yes, the sleeve takes laptops up to 16".'
    )
    page.get_by_label("Reply", exact=True).press("Enter")
    expect(page.locator(".msg.out .ticks")).not_to_have_class("ticks ticks-sending")
    reply = Message.objects.filter(
        direction="out", kind="message", conversation__identity__display_name="Hanna"
    ).get()
    assert off_loop(deliver_to_visitor, reply.pk) == "delivered"
    expect(visitor.locator(".msg.out")).to_have_count(1)
    _shot(visitor, "07-visitor-widget")

    for close in page.locator("#toasts .toast-close").all():
        close.click()  # "New chat: Hanna" was the agent's cue above; it has done its job
    page.set_viewport_size({"width": 1024, "height": 768})
    row(page, "Jonas Müller").click()
    page.get_by_role("button", name="Contact & templates").click()
    expect(page.locator("#panel-contact .history li")).to_have_count(3)
    _shot(page, "08-narrow-drawer")
