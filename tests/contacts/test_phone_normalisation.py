"""Phone numbers are stored as E.164; channel addresses keep what providers need."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from contacts.phones import address_phone, normalize_sms_address
from contacts.services import normalize_phone


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+14155550123", None, "+14155550123"),
        ("(415) 555-0123", None, "+14155550123"),
        ("415.555.0123", "US", "+14155550123"),
        ("1 415 555 0123", "US", "+14155550123"),
        ("020 7946 0018", "GB", "+442079460018"),
        ("+44 20 7946 0018", None, "+442079460018"),
        ("030 1234567", "de", "+49301234567"),
        ("+55 11 98765-4321", None, "+5511987654321"),
    ],
)
def test_numbers_become_e164(raw, region, expected):
    assert normalize_phone(raw, region) == expected


def test_the_default_region_comes_from_settings(settings):
    settings.PHONE_DEFAULT_REGION = "GB"
    assert normalize_phone("020 7946 0018") == "+442079460018"


@pytest.mark.parametrize("junk", ["hello", "12345", "+1 555", "", "++--"])
def test_junk_is_refused_with_a_clear_message(junk):
    with pytest.raises(ValidationError) as caught:
        normalize_phone(junk)
    assert "phone number" in caught.value.messages[0]
    assert caught.value.code == "invalid_phone"


@pytest.mark.parametrize(
    ("address", "stored"),
    [
        ("+14155550123", "+14155550123"),
        ("14155550123", "+14155550123"),  # a long number without "+" is still a number
        ("12345", "12345"),  # short code, as given
        ("ACMEBANK", "ACMEBANK"),  # alphanumeric sender id, as given
        ("whatsapp:+14155550123", "whatsapp:+14155550123"),
    ],
)
def test_sms_addresses(address, stored):
    assert normalize_sms_address(address) == stored


def test_phone_behind_an_address():
    assert address_phone("sms", "+14155550123") == "+14155550123"
    assert address_phone("whatsapp", "14155550123") == "+14155550123"
    assert address_phone("sms", "12345") is None
    assert address_phone("sms", "ACMEBANK") is None
    assert address_phone("messenger", "14155550123") is None
