"""X-Twilio-Signature, checked with the twilio package's own validator (docs/providers.md)."""

from __future__ import annotations

from collections.abc import Mapping

from twilio.request_validator import RequestValidator

from ..base import header_value

SIGNATURE_HEADER = "X-Twilio-Signature"


def verify(
    params: Mapping[str, str], headers: Mapping[str, str], auth_token: str, url: str | None
) -> bool:
    """True when the signature matches `url` (the public URL Twilio called) and the params.

    The validator tries the URL with and without the default port and compares
    in constant time. Without the exact public URL nothing can be verified.
    """
    signature = header_value(headers, SIGNATURE_HEADER)
    if not auth_token or not url or not signature:
        return False
    return RequestValidator(auth_token).validate(url, params, signature)
