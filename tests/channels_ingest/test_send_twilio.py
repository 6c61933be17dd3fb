"""Sending SMS/MMS through the emulated Twilio Messages API."""

from __future__ import annotations

import pytest

from channels_ingest.providers import DeliveryError, OutboundMessage
from channels_ingest.providers.twilio_sms import TwilioSmsAdapter

from .support import ALICE_E164, OUR_NUMBER, OUR_SID, TWILIO_CREDENTIALS


def send(twilio, client, message=None, credentials=TWILIO_CREDENTIALS):
    message = message or OutboundMessage(to=ALICE_E164, body="Sure, what is the new address?")
    return twilio.send(credentials, OUR_NUMBER, message, client=client)


def test_sms_is_sent_with_basic_auth_and_returns_the_queued_sid(twilio, client, emulator):
    result = send(twilio, client)
    assert (result.provider_message_id, result.status) == (OUR_SID, "pending")
    (request,) = emulator.requests("twilio")
    assert (
        request.path
        == f"/twilio/2010-04-01/Accounts/{TWILIO_CREDENTIALS['account_sid']}/Messages.json"
    )
    assert request.headers["Authorization"].startswith("Basic ")
    assert request.form() == {
        "To": [ALICE_E164],
        "From": [OUR_NUMBER],
        "Body": ["Sure, what is the new address?"],
    }


def test_mms_repeats_media_url_and_asks_for_status_callbacks(emulator, client):
    callback = "https://chatdesk.example.com/webhooks/twilio/status/"
    twilio = TwilioSmsAdapter(emulator.twilio_api_url, status_callback_url=callback)
    urls = ("https://chatdesk.example.com/f/1/a.jpg", "https://chatdesk.example.com/f/2/b.png")
    send(twilio, client, OutboundMessage(to=ALICE_E164, body="", media_urls=urls))
    (request,) = emulator.requests("twilio")
    assert request.form()["MediaUrl"] == list(urls)
    assert request.form()["StatusCallback"] == [callback]
    assert "Body" not in request.form()


def test_a_messaging_service_replaces_from(twilio, client, emulator):
    credentials = {
        **TWILIO_CREDENTIALS,
        "messaging_service_sid": "MG0123456789abcdef0123456789abcdef",
    }
    send(twilio, client, credentials=credentials)
    form = emulator.requests("twilio")[0].form()
    assert "From" not in form
    assert form["MessagingServiceSid"] == ["MG0123456789abcdef0123456789abcdef"]


def test_recipient_who_sent_stop_is_permanent(twilio, client, emulator):
    emulator.fail_next("twilio", "21610")
    with pytest.raises(DeliveryError) as caught:
        send(twilio, client)
    assert (caught.value.permanent, caught.value.code) == (True, "21610")
    assert "unsubscribed recipient" in caught.value.message


def test_rate_limit_is_transient_and_honours_retry_after(twilio, client, emulator):
    emulator.fail_next("twilio", "429", retry_after=2)
    with pytest.raises(DeliveryError) as caught:
        send(twilio, client)
    assert (caught.value.permanent, caught.value.code) == (False, "20429")
    assert caught.value.retry_after == 2.0


@pytest.mark.parametrize(("mode", "code"), [("500", "20500"), ("timeout", "timeout")])
def test_server_errors_and_timeouts_are_transient(twilio, client, emulator, mode, code):
    emulator.fail_next("twilio", mode)
    with pytest.raises(DeliveryError) as caught:
        send(twilio, client)
    assert (caught.value.permanent, caught.value.code) == (False, code)


def test_wrong_credentials_are_permanent(twilio, client):
    credentials = {**TWILIO_CREDENTIALS, "auth_token": "wrong"}
    with pytest.raises(DeliveryError) as caught:
        send(twilio, client, credentials=credentials)
    assert (caught.value.permanent, caught.value.code) == (True, "20003")
