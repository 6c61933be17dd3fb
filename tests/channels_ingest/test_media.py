"""Downloading inbound media from the emulated providers: bytes and sha256 as in the fixtures."""

from __future__ import annotations

import hashlib

import pytest

from channels_ingest.providers import DeliveryError
from channels_ingest.providers.base import digest_matches
from channels_ingest.providers.http import download

from .support import (
    MESSENGER_CREDENTIALS,
    TWILIO_CREDENTIALS,
    WHATSAPP_CREDENTIALS,
    form,
    media,
    raw,
)

JPEG_SHA256 = "6276c6eb684a8a59882ba1d770f11037a7a15e71300344b0357444b69e58d2b2"


def test_whatsapp_image_is_looked_up_then_fetched_with_the_bearer(whatsapp, client, emulator):
    (message,), _ = whatsapp.parse(raw("whatsapp_image.json"))
    attachment = message.attachments[0]
    data, content_type, filename = whatsapp.fetch_media(
        WHATSAPP_CREDENTIALS, attachment.media_ref, client=client
    )
    assert data == media("sample.jpg")
    assert hashlib.sha256(data).hexdigest() == JPEG_SHA256
    assert digest_matches(data, attachment.sha256)  # hex in the webhook
    assert (content_type, filename) == ("image/jpeg", "1266798744318251.jpg")
    lookup, download = emulator.requests("whatsapp")
    assert lookup.path.endswith("/1266798744318251")
    assert download.path == "/lookaside/whatsapp_business/attachments/"
    assert download.headers["Authorization"] == "Bearer test-whatsapp-token"


def test_whatsapp_document_matches_its_base64_sha256(whatsapp, client):
    (message,), _ = whatsapp.parse(raw("whatsapp_document.json"))
    attachment = message.attachments[0]
    data, content_type, _ = whatsapp.fetch_media(
        WHATSAPP_CREDENTIALS, attachment.media_ref, client=client
    )
    assert data == media("sample.pdf")
    assert content_type == "application/pdf"
    assert digest_matches(data, attachment.sha256)
    assert not digest_matches(data + b"x", attachment.sha256)


def test_an_expired_whatsapp_url_is_looked_up_once_more(whatsapp, client, emulator):
    emulator.expire_media_urls(1)
    data, _, _ = whatsapp.fetch_media(WHATSAPP_CREDENTIALS, "1266798744318251", client=client)
    assert data == media("sample.jpg")
    lookups = [r for r in emulator.requests("whatsapp") if r.path.endswith("/1266798744318251")]
    assert len(lookups) == 2


def test_a_url_expired_twice_gives_up_permanently(whatsapp, client, emulator):
    emulator.expire_media_urls(2)
    with pytest.raises(DeliveryError) as caught:
        whatsapp.fetch_media(WHATSAPP_CREDENTIALS, "1266798744318251", client=client)
    assert (caught.value.permanent, caught.value.code) == (True, "http_404")


def test_a_failing_whatsapp_lookup_is_transient(whatsapp, client, emulator):
    emulator.fail_next("whatsapp", "500", endpoint="media")
    with pytest.raises(DeliveryError) as caught:
        whatsapp.fetch_media(WHATSAPP_CREDENTIALS, "1266798744318251", client=client)
    assert caught.value.permanent is False


def test_messenger_attachment_is_a_plain_get_without_token(messenger, client, emulator):
    (message,), _ = messenger.parse(raw("messenger_attachment_image.json"))
    url = emulator.rewrite(message.attachments[0].media_ref)
    data, content_type, filename = messenger.fetch_media(MESSENGER_CREDENTIALS, url, client=client)
    assert data == media("sample.jpg")
    assert hashlib.sha256(data).hexdigest() == JPEG_SHA256
    assert content_type == "image/jpeg"
    assert filename.endswith("_n.jpg")
    (request,) = emulator.requests("messenger")
    assert "Authorization" not in request.headers
    assert "access_token" not in request.query


def test_an_expired_messenger_link_is_transient_only_on_server_errors(messenger, client, emulator):
    emulator.fail_next("messenger", "500", endpoint="media")
    url = f"{emulator.base_url}/fbcdn/v/x/photo.jpg"
    with pytest.raises(DeliveryError) as caught:
        messenger.fetch_media(MESSENGER_CREDENTIALS, url, client=client)
    assert caught.value.permanent is False


def test_twilio_mms_media_use_basic_auth_and_follow_the_redirect(twilio, client, emulator):
    (message,), _ = twilio.parse(form("twilio_mms_inbound.txt"))
    fetched = [
        twilio.fetch_media(TWILIO_CREDENTIALS, emulator.rewrite(a.media_ref), client=client)
        for a in message.attachments
    ]
    assert [data for data, _, _ in fetched] == [media("sample.jpg"), media("sample.png")]
    assert [content_type for _, content_type, _ in fetched] == ["image/jpeg", "image/png"]
    assert fetched[0][2] == "ME2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b.jpg"
    assert all(r.headers["Authorization"].startswith("Basic ") for r in emulator.requests("twilio"))


def test_twilio_redirect_to_another_host_does_not_forward_basic_auth(twilio, client, emulator):
    (message,), _ = twilio.parse(form("twilio_mms_inbound.txt"))
    twilio.fetch_media(
        TWILIO_CREDENTIALS, emulator.rewrite(message.attachments[0].media_ref), client=client
    )
    (cdn_request,) = emulator.requests("cdn")
    assert cdn_request.headers["Host"].startswith("localhost:")  # another host than 127.0.0.1
    assert "Authorization" not in cdn_request.headers


def test_twilio_credentials_never_go_to_a_foreign_media_host(twilio, client, emulator):
    foreign = f"http://localhost:{emulator.port}/cdn/ME7d9f1b3c5e7a9d1f3b5c7e9a1d3f5b7c"
    data, _, _ = twilio.fetch_media(TWILIO_CREDENTIALS, foreign, client=client)
    assert data == media("sample.png")
    (cdn_request,) = emulator.requests("cdn")
    assert "Authorization" not in cdn_request.headers


def test_twilio_media_with_wrong_credentials_is_permanent(twilio, client, emulator):
    (message,), _ = twilio.parse(form("twilio_mms_inbound.txt"))
    url = emulator.rewrite(message.attachments[0].media_ref)
    credentials = {**TWILIO_CREDENTIALS, "auth_token": "wrong"}
    with pytest.raises(DeliveryError) as caught:
        twilio.fetch_media(credentials, url, client=client)
    assert (caught.value.permanent, caught.value.code) == (True, "http_401")


def test_a_download_over_the_size_cap_is_refused(client, emulator):
    emulator.add_media("big", b"x" * 2048, "application/octet-stream")
    with pytest.raises(DeliveryError) as caught:
        download(client, f"{emulator.base_url}/cdn/big", max_bytes=1024)
    assert (caught.value.permanent, caught.value.code) == (True, "too_large")
