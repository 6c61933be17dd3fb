"""Phone numbers: what we store (E.164) and how channel addresses map to it.

docs/providers.md: contacts keep E.164; SMS senders arrive as +E.164 but can
also be short codes or alphanumeric sender ids; a WhatsApp wa_id is the same
digits without the "+" and is kept as given because replies must go to it.
"""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError

from contacts.models import ChannelKind


def normalize_phone(raw: str, default_region: str | None = None) -> str:
    """`raw` as E.164 ("+14155550123"); ValidationError when it is not a phone number.

    `default_region` (ISO country code) applies to numbers typed without "+";
    it defaults to settings.PHONE_DEFAULT_REGION, read per call so tests and
    deployments can change it.
    """
    region = default_region or getattr(settings, "PHONE_DEFAULT_REGION", "") or "US"
    text = raw.strip()
    try:
        number = phonenumbers.parse(text, region.upper())
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(f"“{text}” is not a phone number.", code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            f"“{text}” is not a valid phone number; use the international form, "
            f"e.g. +14155550123 (numbers without + are read as {region.upper()}).",
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _lenient_e164(text: str) -> str | None:
    """E.164 of a number a provider sent, or None when it cannot be one.

    Providers have already routed the message, so "possible" is enough here:
    a brand-new number range must not split one sender into two identities.
    """
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_sms_address(address: str) -> str:
    """Twilio's From as stored: +E.164 for numbers; short codes and sender ids as given."""
    text = address.strip()
    digits = text.lstrip("+")
    if not digits.isdigit():
        return text  # alphanumeric sender id ("ACMEBANK") or a prefixed address
    if not text.startswith("+") and len(digits) <= 8:
        return text  # a short code: no country, no "+", never an E.164 number
    return _lenient_e164(f"+{digits}") or text


def address_phone(kind: str, address: str) -> str | None:
    """The E.164 number behind an identity address, if it is one."""
    if kind == ChannelKind.SMS:
        return address if address.startswith("+") and _lenient_e164(address) else None
    if kind == ChannelKind.WHATSAPP and address.isdigit():
        return _lenient_e164(f"+{address}")
    return None


def phone_addresses(phone: str) -> dict[str, str]:
    """The identity address each phone-like channel uses for an E.164 number."""
    return {ChannelKind.SMS: phone, ChannelKind.WHATSAPP: phone.lstrip("+")}
