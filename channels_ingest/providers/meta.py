"""What WhatsApp and Messenger share as Meta platforms: JSON webhooks signed with the app
secret, the GET subscription handshake, and readers for Meta's JSON. Their Graph API
errors are read in graph_errors.py."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping
from typing import ClassVar

from .base import (
    Answer,
    InboundMessage,
    MalformedPayload,
    Payload,
    ProviderAdapter,
    StatusUpdate,
    WebhookRefused,
    WebhookRequest,
    header_value,
    raw_bytes,
)

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


class MetaPlatformAdapter(ProviderAdapter):
    """The webhook side both Meta channels share; each subclass reads its own objects."""

    default_base_url = "https://graph.facebook.com/v25.0"
    secret_credential = "app_secret"
    handshake_credential = "verify_token"
    # The platform folder's readers of the JSON body (functions, set with staticmethod).
    account_ids_in: ClassVar[Callable[[bytes], list[str]]]
    messages_in: ClassVar[Callable[[bytes], tuple[list[InboundMessage], list[StatusUpdate]]]]

    def candidate_account_ids(self, payload: Payload) -> list[str]:
        return self.account_ids_in(raw_bytes(payload))

    def parse(self, payload: Payload) -> tuple[list[InboundMessage], list[StatusUpdate]]:
        return self.messages_in(raw_bytes(payload))

    def read(self, incoming: WebhookRequest) -> Payload:
        """The raw JSON bytes: Meta signs them, and always posts JSON."""
        if incoming.content_type != "application/json":
            raise WebhookRefused(415, "Expected application/json.")
        return raw_bytes(incoming.body)

    def verify_signature(self, raw_body: bytes, headers: Mapping[str, str], secret: str) -> bool:
        """X-Hub-Signature-256 with the app secret; the URL and fields are not signed."""
        return verify_hub_signature(raw_body, headers, secret)

    def handshake(self, query: Mapping[str, str], tokens: Iterable[str]) -> Answer:
        """Echo hub.challenge when hub.verify_token is one of the accounts' tokens."""
        challenge = subscription_challenge(query, tokens)
        if challenge is None:
            raise WebhookRefused(403, "Verification failed.")
        return Answer(challenge)
