"""Sending through the emulated Messenger Send API."""

from __future__ import annotations

import httpx
import pytest

from channels_ingest.providers import DeliveryError, OutboundMessage
from channels_ingest.providers.graph_errors import delivery_error
from channels_ingest.providers.http import send_parts

from .support import MESSENGER_CREDENTIALS, OUR_MID, PAGE_ID, PSID


def send(messenger, client, message=None, credentials=MESSENGER_CREDENTIALS):
    message = message or OutboundMessage(to=PSID, body="Yes, size M in blue is in stock.")
    return messenger.send(credentials, PAGE_ID, message, client=client)


def test_text_is_sent_with_the_page_token_and_returns_the_mid(messenger, client, emulator):
    result = send(messenger, client)
    assert (result.provider_message_id, result.status) == (OUR_MID, "sent")
    (request,) = emulator.requests("messenger")
    assert request.path.endswith("/me/messages")
    assert request.query["access_token"] == ["test-page-token"]
    assert request.json() == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {"text": "Yes, size M in blue is in stock."},
    }


def test_text_and_file_go_as_two_messages_text_first(messenger, client, emulator):
    message = OutboundMessage(
        to=PSID,
        body="The label:",
        media_urls=("https://chatdesk.example.com/f/2/label.pdf",),
        media_types=("application/pdf",),
    )
    result = send(messenger, client, message)
    text, attachment = (r.json()["message"] for r in emulator.requests("messenger"))
    assert result.provider_message_id == OUR_MID  # the first part's id
    assert text == {"text": "The label:"}
    assert attachment == {
        "attachment": {
            "type": "file",
            "payload": {"url": "https://chatdesk.example.com/f/2/label.pdf", "is_reusable": True},
        }
    }


def test_outside_the_window_is_permanent(messenger, client, emulator):
    emulator.fail_next("messenger", "2018278")
    with pytest.raises(DeliveryError) as caught:
        send(messenger, client)
    assert caught.value.permanent is True
    assert caught.value.code == "10/2018278"
    assert "outside of allowed window" in caught.value.message


@pytest.mark.parametrize(("mode", "code"), [("500", "2"), ("timeout", "timeout")])
def test_server_errors_and_timeouts_are_transient(messenger, client, emulator, mode, code):
    emulator.fail_next("messenger", mode)
    with pytest.raises(DeliveryError) as caught:
        send(messenger, client)
    assert (caught.value.permanent, caught.value.code) == (False, code)


def test_a_wrong_page_token_is_permanent(messenger, client):
    credentials = {**MESSENGER_CREDENTIALS, "page_access_token": "revoked"}
    with pytest.raises(DeliveryError) as caught:
        send(messenger, client, credentials=credentials)
    assert (caught.value.permanent, caught.value.code) == (True, "190")


@pytest.mark.parametrize(
    ("code", "subcode", "permanent"),
    [
        (1200, None, False),
        (2, None, False),
        (4, None, False),
        (613, None, False),
        (10, 2018278, True),
        (551, None, True),
        (100, 2018001, True),
        (190, None, True),
        (230, None, True),
    ],
)
def test_error_table(code, subcode, permanent):
    error = {"message": "x", "code": code, "error_subcode": subcode}
    assert (
        delivery_error(httpx.Response(400, json={"error": error}), "Messenger").permanent
        is permanent
    )


def test_a_later_part_failing_is_final_so_nothing_is_sent_twice():
    calls = []

    def post_one(part):
        calls.append(part)
        if len(calls) == 2:
            raise DeliveryError("Service temporarily unavailable", permanent=False, code="2")
        return "m_first"

    with pytest.raises(DeliveryError) as caught:
        send_parts([{"n": 1}, {"n": 2}, {"n": 3}], post_one)
    assert caught.value.permanent is True
    assert caught.value.message.startswith("Sent 1 of 3 parts, then:")
    assert len(calls) == 2


def test_an_empty_message_is_refused_without_a_request(messenger, client, emulator):
    with pytest.raises(DeliveryError) as caught:
        send(messenger, client, OutboundMessage(to=PSID, body=""))
    assert (caught.value.permanent, caught.value.code) == (True, "empty")
    assert emulator.requests("messenger") == []
