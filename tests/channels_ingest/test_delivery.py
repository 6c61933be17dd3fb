"""Outbound delivery through the Celery task to the loopback provider emulator."""

from __future__ import annotations

from datetime import timedelta

import pytest

from channels_ingest.tasks import (
    deliver_message,
    download_media,
    resend_pending,
)
from chatdesk.inbox.models import DeliveryStatus, Message
from chatdesk.inbox.services.ownership import message_reply
from tests.factories import ChannelAccountFactory

from .support import (
    OUR_NUMBER,
    OUR_WAMID,
    TWILIO_CREDENTIALS,
    media,
)

pytestmark = pytest.mark.django_db


def _reply(customer_writes, account, alice, body="Hello from Chatdesk"):
    conversation = customer_writes("hi", to=account, address="14155550123").conversation
    message, _ = message_reply(conversation_id=conversation.pk, agent=alice, body=body)
    return message


def test_reply_is_sent_and_records_the_provider_id(
    providers, eager, wa_account, alice, customer_writes
):
    message = _reply(customer_writes, wa_account, alice)
    assert deliver_message.apply(args=(message.pk,)).get() == "sent"
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.provider_message_id == OUR_WAMID
    sent = providers.requests("whatsapp")[-1]
    assert sent.json()["to"] == "14155550123"
    assert sent.json()["text"]["body"] == "Hello from Chatdesk"
    # Once accepted, a second run (a retry, the sweep) sends nothing more.
    assert deliver_message.apply(args=(message.pk,)).get() == "not pending"
    assert len(providers.requests("whatsapp")) == 1


def test_transient_errors_retry_then_succeed(providers, eager, wa_account, alice, customer_writes):
    message = _reply(customer_writes, wa_account, alice)
    providers.fail_next("whatsapp", "500", times=2)
    deliver_message.apply(args=(message.pk,))
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.delivery_attempts == 2


def test_outside_the_window_fails_with_the_reason(
    providers, eager, wa_account, alice, customer_writes
):
    message = _reply(customer_writes, wa_account, alice)
    providers.fail_next("whatsapp", "131047")
    assert deliver_message.apply(args=(message.pk,)).get() == "failed"
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED
    assert "131047" in message.delivery_error


def test_sms_stop_is_permanent(providers, eager, queue_a, alice, customer_writes):
    account = ChannelAccountFactory(
        kind="sms", external_id=OUR_NUMBER, credentials=TWILIO_CREDENTIALS, route_queue=queue_a
    )
    conversation = customer_writes("hi", to=account, address="+14155550123").conversation
    message, _ = message_reply(conversation_id=conversation.pk, agent=alice, body="hello")
    providers.fail_next("twilio", "21610")
    deliver_message.apply(args=(message.pk,))
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED
    assert "21610" in message.delivery_error


def test_the_sweep_resends_a_reply_whose_enqueue_was_lost(
    providers, eager, wa_account, alice, customer_writes
):
    message = _reply(customer_writes, wa_account, alice)
    Message.objects.filter(pk=message.pk).update(
        delivery_due_at=message.delivery_due_at.replace(year=2020)
    )
    assert resend_pending.apply().get() == 1
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT


def test_inbound_image_is_downloaded_once(providers, eager, wa_account, customer_writes):
    message = customer_writes("photo", to=wa_account)
    args = (message.pk, wa_account.pk, "1266798744318251", "image/jpeg", "", "", 0)
    assert download_media.apply(args=args).get() == "stored"
    assert download_media.apply(args=args).get() == "stored"
    attachment = message.attachments.get()
    assert attachment.file.read() == media("sample.jpg")
    assert attachment.thumbnail


def test_agent_retries_a_failed_reply(
    providers,
    eager,
    wa_account,
    alice,
    bob,
    customer_writes,
    api,
    django_capture_on_commit_callbacks,
):
    message = _reply(customer_writes, wa_account, alice)
    providers.fail_next("whatsapp", "131047")
    deliver_message.apply(args=(message.pk,))
    url = f"/api/v1/conversations/{message.conversation_id}/messages/{message.pk}/retry/"
    assert api(bob).post(url).status_code == 404  # not bob's chat
    with django_capture_on_commit_callbacks(execute=True):
        response = api(alice).post(url)
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT  # eager: sent again at once
    assert api(alice).post(url).status_code == 409  # only failed messages are retried


def test_reply_outside_the_24_hour_window_fails_before_calling_the_provider(
    providers, eager, wa_account, alice, customer_writes
):
    message = _reply(customer_writes, wa_account, alice)
    Message.objects.filter(direction="in").update(
        created_at=message.created_at - timedelta(hours=25)
    )
    assert deliver_message.apply(args=(message.pk,)).get() == "failed"
    message.refresh_from_db()
    assert "24-hour window" in message.delivery_error
    assert providers.requests("whatsapp") == []


def test_outbound_file_goes_as_a_signed_link_the_provider_can_fetch(
    providers, eager, wa_account, alice, customer_writes, settings, tmp_path
):
    from django.test import Client

    from chatdesk.inbox.services.attachments import attachment_upload
    from tests.filemakers import image

    settings.MEDIA_ROOT = tmp_path
    conversation = customer_writes("send a photo", to=wa_account).conversation
    upload = attachment_upload(agent=alice, name="photo.png", data=image("PNG"))
    message, _ = message_reply(
        conversation_id=conversation.pk, agent=alice, body="Here", attachment_ids=[upload.pk]
    )
    deliver_message.apply(args=(message.pk,))
    bodies = [request.json() for request in providers.requests("whatsapp")]
    links = [body["image"]["link"] for body in bodies if body.get("type") == "image"]
    assert len(links) == 1
    path = links[0].split("://", 1)[1].split("/", 1)[1]
    fetched = Client().get("/" + path)  # as the provider would: no login
    assert fetched.status_code == 200
    assert b"".join(fetched.streaming_content) == upload.file.open("rb").read()
    assert Client().get("/" + path.replace("/signed/", "/signed/x")).status_code == 404
