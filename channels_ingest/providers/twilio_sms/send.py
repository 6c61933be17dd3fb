"""Sending SMS/MMS through Twilio's Messages API, with the error table of docs/providers.md."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from ..base import DeliveryError, OutboundMessage, SendResult
from ..http import is_transient_status, json_body, request, retry_after

RATE_LIMIT_CODE = 20429
# What Twilio answers on creation; only "sent" means it has left Twilio already.
PENDING_STATUSES = frozenset({"accepted", "scheduled", "queued", "sending"})


def send(
    credentials: Mapping[str, str],
    from_number: str,
    message: OutboundMessage,
    *,
    client: httpx.Client,
    base_url: str,
    status_callback_url: str = "",
) -> SendResult:
    """One request carries the text and up to 10 MediaUrl: no partial sends here."""
    account_sid = credentials.get("account_sid", "")
    url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
    response = request(
        client,
        "POST",
        url,
        data=build_form(credentials, from_number, message, status_callback_url),
        auth=(account_sid, credentials.get("auth_token", "")),
    )
    if response.status_code not in (200, 201):
        raise classify(response)
    body = json_body(response)
    if not body.get("sid"):
        # Accepted but unidentifiable: retrying could send twice, so stop here.
        raise DeliveryError("Twilio answered without a message sid", permanent=True)
    status = "pending" if body.get("status") in PENDING_STATUSES else "sent"
    return SendResult(str(body["sid"]), status)


def build_form(
    credentials: Mapping[str, str],
    from_number: str,
    message: OutboundMessage,
    status_callback_url: str = "",
) -> dict[str, str | list[str]]:
    form: dict[str, str | list[str]] = {"To": message.to}
    # A Messaging Service picks the sender itself (and pools numbers) when configured.
    if credentials.get("messaging_service_sid"):
        form["MessagingServiceSid"] = credentials["messaging_service_sid"]
    else:
        form["From"] = from_number
    if message.body:
        form["Body"] = message.body
    if message.media_urls:
        form["MediaUrl"] = list(message.media_urls)
    if not message.body and not message.media_urls:
        raise DeliveryError("Nothing to send: no text and no file", permanent=True, code="empty")
    if status_callback_url:
        form["StatusCallback"] = status_callback_url
    return form


def classify(response: httpx.Response) -> DeliveryError:
    """20429/HTTP 429 and 5xx are worth retrying; every other Twilio error is final."""
    body = json_body(response)
    code = str(body.get("code") or "")
    reason = str(body.get("message") or f"HTTP {response.status_code}")
    transient = code == str(RATE_LIMIT_CODE) or is_transient_status(response.status_code)
    return DeliveryError(
        f"Twilio: {reason}",
        permanent=not transient,
        code=code or f"http_{response.status_code}",
        retry_after=retry_after(response),
    )
