"""Messenger webhooks are signed like WhatsApp's: X-Hub-Signature-256 with the app secret."""

from __future__ import annotations

from collections.abc import Mapping

from ..meta import verify_hub_signature


def verify(raw_body: bytes, headers: Mapping[str, str], app_secret: str) -> bool:
    """True when X-Hub-Signature-256 is the HMAC-SHA256 of the raw body with the app secret."""
    return verify_hub_signature(raw_body, headers, app_secret)
