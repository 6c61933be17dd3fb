"""The signed webhooks end to end: fixture bodies posted with real signatures."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from chatdesk.inbox.models import Conversation, DeliveryStatus, Message
from tests.factories import ChannelAccountFactory, MessageFactory

from .support import (
    MESSENGER_CREDENTIALS,
    OUR_MID,
    OUR_NUMBER,
    OUR_WAMID,
    PAGE_ID,
    PHONE_NUMBER_ID,
    SIGNATURES,
    TWILIO_CREDENTIALS,
    TWILIO_TOKEN,
    WHATSAPP_CREDENTIALS,
    form,
    meta_signature,
    raw,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def web():
    """Django's test client (this folder's `client` fixture is an httpx client)."""
    return Client()


@pytest.fixture
def whatsapp_account(queue_a):
    return ChannelAccountFactory(
        kind="whatsapp",
        external_id=PHONE_NUMBER_ID,
        credentials=WHATSAPP_CREDENTIALS,
        route_queue=queue_a,
    )


@pytest.fixture
def messenger_account(queue_a):
    return ChannelAccountFactory(
        kind="messenger",
        external_id=PAGE_ID,
        credentials=MESSENGER_CREDENTIALS,
        route_queue=queue_a,
    )


@pytest.fixture
def sms_account(queue_a):
    return ChannelAccountFactory(
        kind="sms", external_id=OUR_NUMBER, credentials=TWILIO_CREDENTIALS, route_queue=queue_a
    )


def _post_meta(web, path, body: bytes, headers=None):
    return web.post(
        path,
        data=body,
        content_type="application/json",
        headers=headers if headers is not None else meta_signature(body),
    )


def test_whatsapp_text_is_stored_once_and_offered(web, whatsapp_account, alice, bob):
    body = raw("whatsapp_text.json")
    assert _post_meta(web, "/webhooks/whatsapp/", body).status_code == 200
    assert _post_meta(web, "/webhooks/whatsapp/", body).status_code == 200  # Meta retried
    message = Message.objects.get()
    assert message.direction == "in"
    assert message.conversation.identity.address == "14155550123"
    assert "🙂" in message.body or message.body  # the accent and emoji survive parsing
    assert set(message.conversation.offers.values_list("agent__username", flat=True)) == {
        "alice",
        "bob",
    }


@pytest.mark.parametrize("headers", [{}, {"X-Hub-Signature-256": "sha256=" + "0" * 64}])
def test_unsigned_or_wrongly_signed_is_403_and_stores_nothing(web, whatsapp_account, headers):
    response = _post_meta(web, "/webhooks/whatsapp/", raw("whatsapp_text.json"), headers)
    assert response.status_code == 403
    assert Message.objects.count() == 0


def test_re_serialised_body_does_not_verify(web, whatsapp_account):
    original = raw("whatsapp_text.json")
    reserialised = json.dumps(json.loads(original)).encode()
    response = _post_meta(web, "/webhooks/whatsapp/", reserialised, meta_signature(original))
    assert response.status_code == 403


def test_malformed_body_is_400(web, whatsapp_account):
    body = b'{"object": "whatsapp_business_account", "entry": '
    assert _post_meta(web, "/webhooks/whatsapp/", body).status_code == 400
    assert Message.objects.count() == 0


def test_entry_for_an_unknown_number_is_skipped(web, whatsapp_account):
    response = _post_meta(web, "/webhooks/whatsapp/", raw("whatsapp_two_messages_two_entries.json"))
    assert response.status_code == 200
    assert Message.objects.count() == 2
    assert Conversation.objects.count() == 2


def test_status_moves_our_reply_forward_never_back(web, whatsapp_account):
    conversation = Conversation.objects.create(channel="whatsapp", channel_account=whatsapp_account)
    ours = MessageFactory(
        conversation=conversation,
        direction="out",
        channel_account=whatsapp_account,
        provider_message_id=OUR_WAMID,
        delivery_status=DeliveryStatus.READ,
    )
    assert (
        _post_meta(web, "/webhooks/whatsapp/", raw("whatsapp_status_delivered.json")).status_code
        == 200
    )
    ours.refresh_from_db()
    assert ours.delivery_status == DeliveryStatus.READ  # delivered arrived late: ignored
    ours.delivery_status = DeliveryStatus.SENT
    ours.save()
    _post_meta(web, "/webhooks/whatsapp/", raw("whatsapp_status_delivered.json"))
    ours.refresh_from_db()
    assert ours.delivery_status == DeliveryStatus.DELIVERED


def test_meta_verification_handshake(web, whatsapp_account):
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": "test-verify-token",
        "hub.challenge": "1158201444",
    }
    ok = web.get("/webhooks/whatsapp/", params)
    assert (ok.status_code, ok.content, ok["Content-Type"]) == (200, b"1158201444", "text/plain")
    params["hub.verify_token"] = "wrong"
    assert web.get("/webhooks/whatsapp/", params).status_code == 403


def test_messenger_echo_is_not_a_customer_message(web, messenger_account):
    conversation = Conversation.objects.create(
        channel="messenger", channel_account=messenger_account
    )
    ours = MessageFactory(
        conversation=conversation,
        direction="out",
        channel_account=messenger_account,
        provider_message_id=OUR_MID,
        delivery_status=DeliveryStatus.PENDING,
    )
    assert _post_meta(web, "/webhooks/messenger/", raw("messenger_echo.json")).status_code == 200
    assert Message.objects.filter(direction="in").count() == 0
    ours.refresh_from_db()
    assert ours.delivery_status == DeliveryStatus.SENT
    assert _post_meta(web, "/webhooks/messenger/", raw("messenger_text.json")).status_code == 200
    assert Message.objects.filter(direction="in").count() == 1


def _post_form(web, path, params, signature):
    return web.post(
        path,
        data=urlencode(params),
        headers={"X-Twilio-Signature": signature},
        content_type="application/x-www-form-urlencoded",
    )


def test_twilio_inbound_sms_with_the_public_url(web, sms_account, settings):
    settings.PUBLIC_BASE_URL = "https://chatdesk.example.com"
    body = (raw("twilio_sms_inbound.txt")).decode().strip()
    signature = SIGNATURES["x_twilio_signature"]["twilio_sms_inbound.txt"]["signature"]
    response = web.post(
        "/webhooks/twilio/sms/",
        data=body,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert Message.objects.get().conversation.identity.address == "+14155550123"


def test_twilio_signature_for_another_url_is_403(web, sms_account):
    params = form("twilio_sms_inbound.txt")
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(
        "https://elsewhere.example.com/webhooks/twilio/sms/", params
    )
    response = _post_form(web, "/webhooks/twilio/sms/", params, signature)
    assert response.status_code == 403
    assert Message.objects.count() == 0


def test_twilio_status_callback_marks_failed_with_the_code(web, sms_account):
    conversation = Conversation.objects.create(channel="sms", channel_account=sms_account)
    params = form("twilio_status_undelivered.txt")
    ours = MessageFactory(
        conversation=conversation,
        direction="out",
        channel_account=sms_account,
        provider_message_id=params["MessageSid"],
        delivery_status=DeliveryStatus.SENT,
    )
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(
        "http://testserver/webhooks/twilio/status/", params
    )
    response = _post_form(web, "/webhooks/twilio/status/", params, signature)
    assert response.status_code == 200
    ours.refresh_from_db()
    assert ours.delivery_status == DeliveryStatus.FAILED
    assert "30003" in ours.delivery_error


META_FIXTURES = sorted(SIGNATURES["x_hub_signature_256"])


@pytest.mark.parametrize("name", META_FIXTURES)
def test_every_meta_fixture_with_its_known_signature_is_stored_once(
    web, whatsapp_account, messenger_account, name
):
    from channels_ingest.providers.registry import get_adapter

    kind = "whatsapp" if name.startswith("whatsapp") else "messenger"
    body = raw(name)
    headers = {"X-Hub-Signature-256": SIGNATURES["x_hub_signature_256"][name]}
    messages, _ = get_adapter(kind).parse(body)
    expected = sum(1 for m in messages if m.account_external_id in (PHONE_NUMBER_ID, PAGE_ID))
    for _ in range(2):  # the provider retried: stored once
        assert _post_meta(web, f"/webhooks/{kind}/", body, headers).status_code == 200
    assert Message.objects.filter(direction="in").count() == expected
    # Every message says something a person can read, or carries a file to show.
    assert all(m.body.strip() or m.attachments for m in messages)


TWILIO_FIXTURES = sorted(SIGNATURES["x_twilio_signature"])


@pytest.mark.parametrize("name", TWILIO_FIXTURES)
def test_every_twilio_fixture_with_its_known_signature_is_accepted(
    web, sms_account, settings, name
):
    settings.PUBLIC_BASE_URL = "https://chatdesk.example.com"
    known = SIGNATURES["x_twilio_signature"][name]
    path = known["url"].removeprefix("https://chatdesk.example.com")
    body = raw(name).decode().strip()
    for _ in range(2):
        response = web.post(
            path,
            data=body,
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": known["signature"]},
        )
        assert response.status_code == 200
    inbound = 1 if "inbound" in name else 0
    assert Message.objects.filter(direction="in").count() == inbound
