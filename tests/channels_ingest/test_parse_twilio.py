"""Twilio inbound SMS/MMS and status callbacks."""

from __future__ import annotations

from datetime import UTC, datetime

from channels_ingest.providers import get_adapter
from channels_ingest.providers.twilio_sms.form import FormParams

from .support import ALICE_E164, FIXTURES, OUR_NUMBER, OUR_SID, form

twilio = get_adapter("sms", base_url="http://unused.invalid")


def test_sms_from_params_and_from_raw_bytes_agree():
    (from_params,), _ = twilio.parse(form("twilio_sms_inbound.txt"))
    (from_bytes,), _ = twilio.parse((FIXTURES / "twilio_sms_inbound.txt").read_bytes())
    assert from_params.body == from_bytes.body == "Hi, I'd like to change my delivery address 😊"
    assert from_params.provider_message_id == "SMa7c3e9f1b5d24680ace13579bdf02468"
    assert from_params.sender_address == ALICE_E164
    assert from_params.account_external_id == OUR_NUMBER
    assert from_params.attachments == ()
    assert from_params.kind == "text"
    assert abs((datetime.now(UTC) - from_params.sent_at).total_seconds()) < 60


def test_mms_media_become_attachments_in_order():
    (message,), _ = twilio.parse(form("twilio_mms_inbound.txt"))
    first, second = message.attachments
    assert message.kind == "image"
    assert message.body == "Photo of the damaged box and the label"
    assert first.content_type == "image/jpeg" and second.content_type == "image/png"
    assert first.media_ref.endswith("/Media/ME2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b")
    assert first.filename == "ME2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b.jpg"
    assert second.filename.endswith(".png")


def test_delivered_callback_is_a_status_for_our_sid():
    messages, (status,) = twilio.parse(form("twilio_status_delivered.txt"))
    assert messages == []
    assert (status.provider_message_id, status.status) == (OUR_SID, "delivered")
    assert status.account_external_id == OUR_NUMBER
    assert status.error_code == ""


def test_undelivered_callback_fails_with_the_carrier_reason():
    _, (status,) = twilio.parse(form("twilio_status_undelivered.txt"))
    assert status.status == "failed"
    assert status.error_code == "30003"
    assert status.error_message == "Unreachable destination handset"


def test_pending_callbacks_move_nothing():
    for pending in ("queued", "sending", "accepted"):
        params = {**form("twilio_status_delivered.txt"), "MessageStatus": pending}
        assert twilio.parse(params) == ([], [])


def test_candidate_account_is_our_number_for_both_directions():
    assert twilio.candidate_account_ids(form("twilio_sms_inbound.txt")) == [OUR_NUMBER]
    assert twilio.candidate_account_ids(form("twilio_status_undelivered.txt")) == [OUR_NUMBER]


def test_new_params_are_ignored_and_a_garbled_num_media_means_none():
    params = FormParams(
        [
            ("MessageSid", "SM1"),
            ("From", ALICE_E164),
            ("To", OUR_NUMBER),
            ("Body", "hi"),
            ("NumMedia", "lots"),
            ("BrandNewParam", "x"),
        ]
    )
    (message,), _ = twilio.parse(params)
    assert message.body == "hi" and message.attachments == ()
