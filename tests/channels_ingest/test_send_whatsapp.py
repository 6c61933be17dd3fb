"""Sending through the emulated WhatsApp Cloud API; errors classified by error.code."""

from __future__ import annotations

import httpx
import pytest

from channels_ingest.providers import DeliveryError, OutboundMessage, get_adapter
from channels_ingest.providers.graph_errors import delivery_error
from channels_ingest.providers.whatsapp.send import build_payloads

from .support import ALICE_WA_ID, OUR_WAMID, PHONE_NUMBER_ID, WHATSAPP_CREDENTIALS


def send(whatsapp, client, message=None, credentials=WHATSAPP_CREDENTIALS):
    message = message or OutboundMessage(to=ALICE_WA_ID, body="Your order left today.")
    return whatsapp.send(credentials, PHONE_NUMBER_ID, message, client=client)


def test_text_is_sent_with_bearer_and_returns_the_wamid(whatsapp, client, emulator):
    result = send(whatsapp, client)
    assert (result.provider_message_id, result.status) == (OUR_WAMID, "sent")
    (request,) = emulator.requests("whatsapp")
    assert request.path.endswith(f"/{PHONE_NUMBER_ID}/messages")
    assert request.headers["Authorization"] == "Bearer test-whatsapp-token"
    assert request.json() == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": ALICE_WA_ID,
        "type": "text",
        "text": {"body": "Your order left today."},
    }
    assert send(whatsapp, client).provider_message_id != OUR_WAMID  # every send its own id


def test_image_carries_the_text_as_caption_and_the_reply_context(whatsapp, client, emulator):
    message = OutboundMessage(
        to=ALICE_WA_ID,
        body="Here it is",
        media_urls=("https://chatdesk.example.com/f/1/photo.jpg",),
        media_types=("image/jpeg",),
        reply_to="wamid.CUSTOMER",
    )
    send(whatsapp, client, message)
    (request,) = emulator.requests("whatsapp")
    assert request.json()["type"] == "image"
    assert request.json()["image"] == {
        "link": "https://chatdesk.example.com/f/1/photo.jpg",
        "caption": "Here it is",
    }
    assert request.json()["context"] == {"message_id": "wamid.CUSTOMER"}


def test_text_goes_first_when_the_file_takes_no_caption():
    message = OutboundMessage(
        to=ALICE_WA_ID,
        body="Listen",
        media_urls=("https://c.example/a.ogg", "https://c.example/terms"),
        media_types=("audio/ogg", "application/pdf"),
    )
    text, audio, document = build_payloads(message)
    assert text["text"] == {"body": "Listen"}
    assert audio["audio"] == {"link": "https://c.example/a.ogg"}
    assert document["document"] == {"link": "https://c.example/terms", "filename": "terms.pdf"}


@pytest.mark.parametrize(
    ("mode", "permanent", "code", "reason"),
    [
        ("130429", False, "130429", "Rate limit hit"),
        ("131047", True, "131047", "Re-engagement message"),
        ("500", False, "2", "Service temporarily unavailable"),
    ],
)
def test_failures_are_classified(whatsapp, client, emulator, mode, permanent, code, reason):
    emulator.fail_next("whatsapp", mode)
    with pytest.raises(DeliveryError) as caught:
        send(whatsapp, client)
    assert caught.value.permanent is permanent
    assert caught.value.code == code
    assert reason in caught.value.message
    assert send(whatsapp, client).status == "sent"  # only the next request failed


def test_a_timeout_is_transient(whatsapp, client, emulator):
    emulator.fail_next("whatsapp", "timeout")
    with pytest.raises(DeliveryError) as caught:
        send(whatsapp, client)
    assert (caught.value.permanent, caught.value.code) == (False, "timeout")


def test_a_wrong_token_is_permanent(whatsapp, client):
    with pytest.raises(DeliveryError) as caught:
        send(whatsapp, client, credentials={**WHATSAPP_CREDENTIALS, "access_token": "stale"})
    assert (caught.value.permanent, caught.value.code) == (True, "190")


def test_an_unreachable_api_is_transient(client):
    closed = get_adapter("whatsapp", base_url="http://127.0.0.1:9")
    with pytest.raises(DeliveryError) as caught:
        send(closed, client)
    assert (caught.value.permanent, caught.value.code) == (False, "network")


def graph_answer(status: int, code: int | None, headers: dict | None = None) -> httpx.Response:
    body = {"error": {"message": f"(#{code}) x", "code": code}} if code is not None else None
    return httpx.Response(status, json=body, headers=headers)


@pytest.mark.parametrize("code", [1, 2, 4, 80007, 130429, 131000, 131016, 131056])
def test_retry_codes_are_transient_even_as_http_400(code):
    assert delivery_error(graph_answer(400, code), "WhatsApp").permanent is False


@pytest.mark.parametrize(
    "code", [0, 10, 100, 190, 200, 299, 368, 131008, 131026, 131031, 131047, 131051, 132000]
)
def test_permanent_codes_are_permanent(code):
    error = delivery_error(graph_answer(400, code), "WhatsApp")
    assert (error.permanent, error.code) == (True, str(code))


def test_pair_rate_limit_waits_six_seconds_unless_told_otherwise():
    assert delivery_error(graph_answer(400, 131056), "WhatsApp").retry_after == 6.0
    assert (
        delivery_error(graph_answer(400, 131056, {"Retry-After": "9"}), "WhatsApp").retry_after
        == 9.0
    )


def test_a_5xx_without_a_graph_body_is_transient():
    error = delivery_error(httpx.Response(502, text="<html>Bad gateway</html>"), "WhatsApp")
    assert (error.permanent, error.code) == (False, "http_502")
