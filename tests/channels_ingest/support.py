"""Fixture files and test credentials shared by the adapter tests."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from pathlib import Path
from urllib.parse import parse_qsl

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "providers"
SIGNATURES = json.loads((FIXTURES / "signatures.json").read_text())
APP_SECRET = SIGNATURES["meta_app_secret"]
TWILIO_TOKEN = SIGNATURES["twilio_auth_token"]

# The emulator's defaults; the test secrets of the fixtures' README.
WHATSAPP_CREDENTIALS = {
    "access_token": "test-whatsapp-token",
    "app_secret": APP_SECRET,
    "verify_token": "test-verify-token",
}
MESSENGER_CREDENTIALS = {
    "page_access_token": "test-page-token",
    "app_secret": APP_SECRET,
    "verify_token": "test-verify-token",
}
TWILIO_CREDENTIALS = {
    "account_sid": "AC3f2b8c9d0e1a4b5c6d7e8f9a0b1c2d3e",
    "auth_token": TWILIO_TOKEN,
}

PHONE_NUMBER_ID = "113355779900246"
PAGE_ID = "104857600123456"
PSID = "6543210987654321"
OUR_NUMBER = "+15005550006"
ALICE_WA_ID = "14155550123"
ALICE_E164 = "+14155550123"
OUR_WAMID = "wamid.HBgLMTQxNTU1NTAxMjMVAgARGBI5RjE0QzA3QjI2RDM4QTVFNDcA"
OUR_MID = json.loads((FIXTURES / "messenger_send_response.json").read_text())["message_id"]
OUR_SID = "SM9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"


def raw(name: str) -> bytes:
    """A fixture's exact bytes, final newline included: what the provider signed."""
    return (FIXTURES / name).read_bytes()


def form(name: str) -> dict[str, str]:
    """A Twilio fixture's parameters, blanks kept (they are signed too)."""
    return dict(parse_qsl((FIXTURES / name).read_text().strip(), keep_blank_values=True))


def media(name: str) -> bytes:
    return (FIXTURES / "media" / name).read_bytes()


def meta_signature(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}"}


def restamped(name: str, at: float | None = None) -> bytes:
    """A Meta fixture with its message timestamps moved to `at` (default: now), bytes
    otherwise as stored. Replies check the provider's timestamp against the reply window,
    and the fixtures were stamped long ago; changed bytes must be signed anew."""
    seconds = int(time.time() if at is None else at)
    return re.sub(rb'"timestamp": "\d+"', f'"timestamp": "{seconds}"'.encode(), raw(name))
