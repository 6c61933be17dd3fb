"""What WhatsApp and Messenger share as Meta platforms: signatures, handshake, JSON, errors."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping

from .base import MalformedPayload, header_value

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def verify_hub_signature(raw_body: bytes, headers: Mapping[str, str], app_secret: str) -> bool:
    """X-Hub-Signature-256 over the raw bytes, in constant time.

    Only the raw bytes verify: Meta escapes non-ASCII and "/" so any re-serialised
    JSON differs (docs/providers.md). The legacy sha1 X-Hub-Signature is ignored.
    """
    provided = header_value(headers, SIGNATURE_HEADER).strip()
    if not app_secret or not provided.startswith(_PREFIX) or not provided.isascii():
        return False
    expected = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, provided[len(_PREFIX) :].lower())


def subscription_challenge(params: Mapping[str, str], verify_tokens: Iterable[str]) -> str | None:
    """The GET handshake: the challenge to echo when hub.verify_token matches one account."""
    if params.get("hub.mode") != "subscribe":
        return None
    offered = params.get("hub.verify_token", "")
    if not offered.isascii():
        return None
    # Compare with every token (no early exit) so timing tells nothing.
    matched = False
    for token in verify_tokens:
        if token and token.isascii():
            matched |= hmac.compare_digest(token, offered)
    return params.get("hub.challenge", "") if matched else None


def load_object(raw_body: bytes, expected_object: str) -> dict:
    """The decoded webhook body, checked to be the platform's envelope."""
    try:
        body = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedPayload(f"Not JSON: {exc}") from exc
    except RecursionError as exc:  # e.g. 100k nested arrays: a hostile body, not our fault
        raise MalformedPayload("Not JSON: nested too deeply") from exc
    if not isinstance(body, dict) or body.get("object") != expected_object:
        raise MalformedPayload(f"Expected a JSON object with object={expected_object!r}")
    return body


def dicts(container: object, key: str) -> list[dict]:
    """container[key] as a list of dicts, skipping anything else: unknown shapes are ignored."""
    if not isinstance(container, dict):
        return []
    value = container.get(key)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def sub(container: object, key: str) -> dict:
    """container[key] when it is an object, else {}."""
    if not isinstance(container, dict):
        return {}
    value = container.get(key)
    return value if isinstance(value, dict) else {}


def text(container: object, key: str) -> str:
    """container[key] as a string ("" when absent); numbers, as ids sometimes are, become text."""
    if not isinstance(container, dict):
        return ""
    value = container.get(key)
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        return ""
    return str(value)


def graph_error(body: dict) -> tuple[int | None, int | None, str]:
    """(code, subcode, readable reason) of a Graph API error body."""
    error = sub(body, "error")
    code = _int(error.get("code"))
    subcode = _int(error.get("error_subcode"))
    reason = text(error, "message") or "Unknown error"
    details = text(sub(error, "error_data"), "details")
    if details and details not in reason:
        reason = f"{reason}: {details}"
    return code, subcode, reason


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
