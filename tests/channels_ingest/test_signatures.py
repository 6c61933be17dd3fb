"""Known-answer signatures (fixtures' signatures.json): the raw bytes verify, nothing else."""

from __future__ import annotations

import json

import pytest

from channels_ingest.providers import get_adapter
from channels_ingest.providers.meta import subscription_challenge
from channels_ingest.providers.twilio_sms.form import form_params

from .support import APP_SECRET, FIXTURES, SIGNATURES, TWILIO_TOKEN, form, meta_signature, raw

META_SIGNED = sorted(SIGNATURES["x_hub_signature_256"].items())
TWILIO_SIGNED = sorted(SIGNATURES["x_twilio_signature"].items())


def adapter_for(name: str):
    kind = "whatsapp" if name.startswith("whatsapp") else "messenger"
    return get_adapter(kind, base_url="http://unused.invalid")


def flip_one_hex_digit(signature: str) -> str:
    last = signature[-1]
    return signature[:-1] + ("0" if last != "0" else "1")


@pytest.mark.parametrize(("name", "signature"), META_SIGNED)
def test_every_meta_fixture_verifies_with_its_known_signature(name, signature):
    headers = {"X-Hub-Signature-256": signature}
    assert adapter_for(name).verify_signature(raw(name), headers, APP_SECRET)


@pytest.mark.parametrize(("name", "signature"), META_SIGNED)
def test_one_changed_hex_digit_fails(name, signature):
    headers = {"X-Hub-Signature-256": flip_one_hex_digit(signature)}
    assert not adapter_for(name).verify_signature(raw(name), headers, APP_SECRET)


@pytest.mark.parametrize(("name", "signature"), META_SIGNED)
def test_another_app_secret_fails(name, signature):
    headers = {"X-Hub-Signature-256": signature}
    assert not adapter_for(name).verify_signature(raw(name), headers, "another-app-secret")


@pytest.mark.parametrize("name", ["whatsapp_image.json", "messenger_attachment_image.json"])
def test_re_serialised_json_never_verifies(name):
    original = raw(name)
    # Same data, Python's serialisation: "\/" is no longer escaped.
    reserialised = json.dumps(json.loads(original), indent=2).encode() + b"\n"
    assert reserialised != original
    headers = {"X-Hub-Signature-256": SIGNATURES["x_hub_signature_256"][name]}
    assert not adapter_for(name).verify_signature(reserialised, headers, APP_SECRET)


def test_meta_header_lookup_ignores_case_as_http_does():
    name, signature = META_SIGNED[0]
    headers = {"x-hub-signature-256": signature}
    assert adapter_for(name).verify_signature(raw(name), headers, APP_SECRET)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Hub-Signature-256": ""},
        {"X-Hub-Signature": "sha1=0000"},  # the legacy header is not accepted
        {"X-Hub-Signature-256": SIGNATURES["x_hub_signature_256"]["whatsapp_text.json"][7:]},
        {"X-Hub-Signature-256": "sha256=ünïcode"},
    ],
)
def test_missing_or_malformed_meta_signature_fails(headers):
    adapter = adapter_for("whatsapp_text.json")
    assert not adapter.verify_signature(raw("whatsapp_text.json"), headers, APP_SECRET)


def test_an_empty_app_secret_never_verifies():
    body = raw("whatsapp_text.json")
    headers = meta_signature(body, secret="")
    assert not adapter_for("whatsapp_text.json").verify_signature(body, headers, "")


@pytest.mark.parametrize(("name", "known"), TWILIO_SIGNED)
def test_every_twilio_fixture_verifies_from_parsed_params(name, known):
    headers = {"X-Twilio-Signature": known["signature"]}
    twilio = get_adapter("sms", base_url="http://unused.invalid")
    assert twilio.verify_signature(b"", headers, TWILIO_TOKEN, url=known["url"], params=form(name))


@pytest.mark.parametrize(("name", "known"), TWILIO_SIGNED)
def test_every_twilio_fixture_verifies_from_the_raw_body(name, known):
    body = (FIXTURES / name).read_text().strip().encode()
    headers = {"X-Twilio-Signature": known["signature"]}
    twilio = get_adapter("sms", base_url="http://unused.invalid")
    assert twilio.verify_signature(body, headers, TWILIO_TOKEN, url=known["url"])


def _twilio_sms_case():
    known = SIGNATURES["x_twilio_signature"]["twilio_sms_inbound.txt"]
    return known["url"], known["signature"], form("twilio_sms_inbound.txt")


@pytest.mark.parametrize(
    "change",
    ["signature", "token", "url", "blank_dropped", "no_url", "no_header"],
)
def test_twilio_signature_fails_when_anything_differs(change):
    url, signature, params = _twilio_sms_case()
    token = TWILIO_TOKEN
    if change == "signature":
        signature = ("B" if signature[0] != "B" else "C") + signature[1:]
    elif change == "token":
        token = "another-auth-token"
    elif change == "url":
        url = "http://internal:8000/webhooks/twilio/sms/"  # the proxy pitfall
    elif change == "blank_dropped":
        params = {k: v for k, v in params.items() if v}
    elif change == "no_url":
        url = None
    headers = {} if change == "no_header" else {"X-Twilio-Signature": signature}
    twilio = get_adapter("sms", base_url="http://unused.invalid")
    assert not twilio.verify_signature(b"", headers, token, url=url, params=params)


def test_twilio_signature_holds_with_the_default_port_spelled_out():
    url, signature, params = _twilio_sms_case()
    url = url.replace("chatdesk.example.com", "chatdesk.example.com:443")
    twilio = get_adapter("sms", base_url="http://unused.invalid")
    headers = {"X-Twilio-Signature": signature}
    assert twilio.verify_signature(b"", headers, TWILIO_TOKEN, url=url, params=params)


def test_form_params_keep_repeated_values_for_the_validator():
    params = form_params(b"MediaUrl=b&MediaUrl=a&Empty=")
    assert params.getlist("MediaUrl") == ["b", "a"]
    assert params["MediaUrl"] == "a"
    assert params["Empty"] == ""


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"hub.mode": "subscribe", "hub.verify_token": "t2", "hub.challenge": "42"}, "42"),
        ({"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "42"}, None),
        ({"hub.mode": "unsubscribe", "hub.verify_token": "t2", "hub.challenge": "42"}, None),
        ({"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "42"}, None),
    ],
)
def test_meta_subscription_handshake(params, expected):
    assert subscription_challenge(params, ["t1", "t2", ""]) == expected
