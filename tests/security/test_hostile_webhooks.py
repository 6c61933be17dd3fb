"""Hostile webhook requests are refused cleanly (never 5xx) and store nothing.

Every case is tried on every surface it applies to; TRIED counts them per
surface and the last test prints the tally.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from channels_ingest.models import ChannelAccount
from chatdesk.inbox.models import Conversation, Message
from tests.channels_ingest.support import (
    MESSENGER_CREDENTIALS,
    OUR_NUMBER,
    PAGE_ID,
    PHONE_NUMBER_ID,
    TWILIO_CREDENTIALS,
    TWILIO_TOKEN,
    WHATSAPP_CREDENTIALS,
    form,
    meta_signature,
    raw,
)
from tests.factories import ChannelAccountFactory

pytestmark = pytest.mark.django_db

TRIED: Counter[str] = Counter()
MIB = 1024 * 1024


@pytest.fixture
def accounts(queue_a) -> list[ChannelAccount]:
    return [
        ChannelAccountFactory(
            kind="whatsapp",
            external_id=PHONE_NUMBER_ID,
            credentials=WHATSAPP_CREDENTIALS,
            route_queue=queue_a,
        ),
        ChannelAccountFactory(
            kind="messenger",
            external_id=PAGE_ID,
            credentials=MESSENGER_CREDENTIALS,
            route_queue=queue_a,
        ),
        ChannelAccountFactory(
            kind="sms", external_id=OUR_NUMBER, credentials=TWILIO_CREDENTIALS, route_queue=queue_a
        ),
    ]


# --- Meta (WhatsApp, Messenger): raw JSON signed with X-Hub-Signature-256 -------------

META = {"whatsapp": "whatsapp_text.json", "messenger": "messenger_text.json"}


def _padded(body: bytes, size: int) -> bytes:
    """The genuine event grown past `size` bytes with an ignored field: still valid JSON."""
    event = json.loads(body)
    event["padding"] = "x" * size
    return json.dumps(event).encode()


def _deep(depth: int = 100_000) -> bytes:
    return b"[" * depth + b"]" * depth


# name -> (body from the genuine fixture, headers from the body, content type, status)
MetaCase = tuple[Callable[[bytes], bytes], Callable[[bytes], dict], str, int]
META_CASES: dict[str, MetaCase] = {
    "missing signature": (lambda b: b, lambda b: {}, "application/json", 403),
    "zero signature": (
        lambda b: b,
        lambda b: {"X-Hub-Signature-256": "sha256=" + "0" * 64},
        "application/json",
        403,
    ),
    "another app's secret": (
        lambda b: b,
        lambda b: meta_signature(b, "someone-elses-secret"),
        "application/json",
        403,
    ),
    "sha1 header instead": (
        lambda b: b,
        lambda b: {"X-Hub-Signature": "sha1=" + "0" * 40},
        "application/json",
        403,
    ),
    "signature not hex": (
        lambda b: b,
        lambda b: {"X-Hub-Signature-256": "sha256=zz" + "0" * 62},
        "application/json",
        403,
    ),
    "signature of another body": (
        lambda b: json.dumps(json.loads(b)).encode(),
        lambda b: meta_signature(b + b" "),
        "application/json",
        403,
    ),
    "oversized, signed": (lambda b: _padded(b, MIB), meta_signature, "application/json", 413),
    "oversized 3 MiB, unsigned": (lambda b: _padded(b, 3 * MIB), lambda b: {}, "text/plain", 413),
    "text/plain, signed": (lambda b: b, meta_signature, "text/plain", 415),
    "form content type, signed": (
        lambda b: b,
        meta_signature,
        "application/x-www-form-urlencoded",
        415,
    ),
    "invalid UTF-8, signed": (
        lambda b: b"\xff\xfe\xfa" + b,
        meta_signature,
        "application/json",
        400,
    ),
    "100k nested arrays, signed": (lambda b: _deep(), meta_signature, "application/json", 400),
    "100k nested objects, signed": (
        lambda b: b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        meta_signature,
        "application/json",
        400,
    ),
    "JSON list, signed": (lambda b: b"[1, 2]", meta_signature, "application/json", 400),
    "truncated JSON, signed": (lambda b: b[: len(b) // 2], meta_signature, "application/json", 400),
    # With no body there is no content type either: refused before anything else.
    "empty body, signed": (lambda b: b"", meta_signature, "application/json", 415),
    "NaN and huge numbers, signed": (
        lambda b: b'{"object": NaN, "entry": [1e999999]}',
        meta_signature,
        "application/json",
        400,
    ),
}


def _stored() -> tuple[int, int]:
    return Message.objects.count(), Conversation.objects.count()


@pytest.mark.parametrize("surface", sorted(META))
@pytest.mark.parametrize("case", sorted(META_CASES))
def test_hostile_meta_webhook_is_refused_and_stores_nothing(surface, case, accounts):
    make_body, make_headers, content_type, status = META_CASES[case]
    body = make_body(raw(META[surface]))
    response = Client().post(
        f"/webhooks/{surface}/", body, content_type=content_type, headers=make_headers(body)
    )
    assert response.status_code == status
    assert _stored() == (0, 0)
    TRIED[surface] += 1


@pytest.mark.parametrize("surface", sorted(META))
def test_a_replayed_meta_delivery_stores_nothing_new(surface, accounts):
    body = raw(META[surface])
    client = Client()
    for _ in range(3):
        response = client.post(
            f"/webhooks/{surface}/",
            body,
            content_type="application/json",
            headers=meta_signature(body),
        )
        assert response.status_code == 200
    assert _stored() == (1, 1)
    TRIED[surface] += 1


# --- Twilio (SMS, status): form posts signed with X-Twilio-Signature over URL + params --

TWILIO = {"twilio/sms": "twilio_sms_inbound.txt", "twilio/status": "twilio_status_delivered.txt"}


def _twilio_signature(path: str, params: dict) -> str:
    return RequestValidator(TWILIO_TOKEN).compute_signature(f"http://testserver/{path}", params)


# name -> (body from params and path, headers, content type, status)
TwilioCase = tuple[Callable[[dict, str], bytes], Callable[[dict, str], dict], str, int]
FORM = "application/x-www-form-urlencoded"
TWILIO_CASES: dict[str, TwilioCase] = {
    "missing signature": (lambda p, path: urlencode(p).encode(), lambda p, path: {}, FORM, 403),
    "wrong signature": (
        lambda p, path: urlencode(p).encode(),
        lambda p, path: {"X-Twilio-Signature": "AAAAAAAAAAAAAAAAAAAAAAAAAAA="},
        FORM,
        403,
    ),
    "signed for another URL": (
        lambda p, path: urlencode(p).encode(),
        lambda p, path: {
            "X-Twilio-Signature": RequestValidator(TWILIO_TOKEN).compute_signature(
                f"https://evil.example/{path}", p
            )
        },
        FORM,
        403,
    ),
    "a parameter changed after signing": (
        lambda p, path: urlencode({**p, "Body": "changed"}).encode(),
        lambda p, path: {"X-Twilio-Signature": _twilio_signature(path, p)},
        FORM,
        403,
    ),
    "JSON instead of a form": (
        lambda p, path: json.dumps(p).encode(),
        lambda p, path: {"X-Twilio-Signature": _twilio_signature(path, p)},
        "application/json",
        400,
    ),
    "oversized": (
        lambda p, path: urlencode({**p, "Body": "x" * (2 * MIB)}).encode(),
        lambda p, path: {"X-Twilio-Signature": _twilio_signature(path, p)},
        FORM,
        413,
    ),
    "invalid UTF-8": (
        lambda p, path: urlencode(p).encode() + b"&Body=%FF%FE%FA",
        lambda p, path: {"X-Twilio-Signature": _twilio_signature(path, p)},
        FORM,
        403,
    ),
    "5000 fields": (
        lambda p, path: urlencode({**p, **{f"f{n}": "1" for n in range(5000)}}).encode(),
        lambda p, path: {"X-Twilio-Signature": _twilio_signature(path, p)},
        FORM,
        400,
    ),
    "empty body": (lambda p, path: b"", lambda p, path: {}, FORM, 400),
}


@pytest.mark.parametrize("surface", sorted(TWILIO))
@pytest.mark.parametrize("case", sorted(TWILIO_CASES))
def test_hostile_twilio_webhook_is_refused_and_stores_nothing(surface, case, accounts):
    make_body, make_headers, content_type, status = TWILIO_CASES[case]
    params = form(TWILIO[surface])
    path = f"webhooks/{surface}/"
    response = Client().post(
        f"/{path}",
        make_body(params, path),
        content_type=content_type,
        headers=make_headers(params, path),
    )
    assert response.status_code == status
    assert _stored() == (0, 0)
    TRIED[surface] += 1


def test_a_replayed_twilio_sms_stores_nothing_new(accounts):
    params = form(TWILIO["twilio/sms"])
    path = "webhooks/twilio/sms/"
    client = Client()
    for _ in range(3):
        response = client.post(
            f"/{path}",
            urlencode(params),
            content_type=FORM,
            headers={"X-Twilio-Signature": _twilio_signature(path, params)},
        )
        assert response.status_code == 200
    assert _stored() == (1, 1)
    TRIED["twilio/sms"] += 1


# Cases per surface: every table row plus the replay test(s).
CASES_PER_SURFACE = {
    **{surface: len(META_CASES) + 1 for surface in META},
    "twilio/sms": len(TWILIO_CASES) + 1,
    "twilio/status": len(TWILIO_CASES),
}


@pytest.fixture(autouse=True, scope="module")
def _tally():
    """Prints what this run actually tried per surface."""
    yield
    print("\nhostile webhook cases tried per surface:", dict(sorted(TRIED.items())))


def test_every_surface_gets_the_whole_hostile_set():
    print("\nhostile webhook cases per surface:", CASES_PER_SURFACE)
    assert set(CASES_PER_SURFACE) == {*META, *TWILIO}
    assert min(CASES_PER_SURFACE.values()) >= 9
