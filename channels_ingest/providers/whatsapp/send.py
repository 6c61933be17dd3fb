"""Sending through the WhatsApp Cloud API, with the error table of docs/providers.md."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from ..base import DeliveryError, OutboundMessage, SendResult
from ..http import filename_for, is_transient_status, json_body, request, retry_after, send_parts
from ..meta import graph_error

# Temporary conditions: waiting helps. 130429 arrives as HTTP 400, hence by code.
RETRYABLE_CODES = frozenset({1, 2, 4, 80007, 130429, 131000, 131016, 131056})
# Pair rate limit: about one message per 6 s to the same user.
PAIR_RATE_CODE = 131056
PAIR_RATE_WAIT_SECONDS = 6.0
CAPTIONED_TYPES = frozenset({"image", "video", "document"})
CAPTION_LIMIT = 1024
_MEDIA_TYPES = {
    "image/jpeg": "image",
    "image/png": "image",
    "video/mp4": "video",
    "video/3gpp": "video",
    "audio/aac": "audio",
    "audio/amr": "audio",
    "audio/mpeg": "audio",
    "audio/mp4": "audio",
    "audio/ogg": "audio",
}


def send(
    credentials: Mapping[str, str],
    phone_number_id: str,
    message: OutboundMessage,
    *,
    client: httpx.Client,
    base_url: str,
) -> SendResult:
    url = f"{base_url.rstrip('/')}/{phone_number_id}/messages"
    headers = {"Authorization": f"Bearer {credentials.get('access_token', '')}"}

    def post_one(payload: dict) -> str:
        return _post(client, url, headers, payload)

    return SendResult(send_parts(build_payloads(message), post_one), "sent")


def media_type(content_type: str) -> str:
    """The WhatsApp message type for a file; what WhatsApp cannot show inline goes as a document."""
    return _MEDIA_TYPES.get(content_type.split(";")[0].strip().lower(), "document")


def build_payloads(message: OutboundMessage) -> list[dict]:
    """One request body per part: the text rides as the first file's caption when it can."""
    envelope = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": message.to}
    media = [(url, _type_at(message, i)) for i, url in enumerate(message.media_urls)]
    caption = message.body
    parts: list[dict] = []
    if caption and (
        not media or media_type(media[0][1]) not in CAPTIONED_TYPES or len(caption) > CAPTION_LIMIT
    ):
        parts.append({**envelope, "type": "text", "text": {"body": caption}})
        caption = ""
    for url, content_type in media:
        kind = media_type(content_type)
        obj: dict[str, str] = {"link": url}
        if caption and kind in CAPTIONED_TYPES:
            obj["caption"], caption = caption, ""
        if kind == "document":
            obj["filename"] = filename_for(url, content_type)
        parts.append({**envelope, "type": kind, kind: obj})
    if parts and message.reply_to:
        parts[0]["context"] = {"message_id": message.reply_to}
    return parts


def _type_at(message: OutboundMessage, index: int) -> str:
    return message.media_types[index] if index < len(message.media_types) else ""


def _post(client: httpx.Client, url: str, headers: dict[str, str], payload: dict) -> str:
    response = request(client, "POST", url, json=payload, headers=headers)
    if response.status_code != 200:
        raise classify(response)
    messages = json_body(response).get("messages") or [{}]
    message_id = messages[0].get("id") if isinstance(messages[0], dict) else None
    if not message_id:
        # Accepted but unidentifiable: retrying could send twice, so stop here.
        raise DeliveryError("WhatsApp answered 200 without a message id", permanent=True)
    return str(message_id)


def classify(response: httpx.Response) -> DeliveryError:
    """A Graph error answer as a DeliveryError, decided by error.code first."""
    code, _, reason = graph_error(json_body(response))
    transient = code in RETRYABLE_CODES or is_transient_status(response.status_code)
    wait = retry_after(response)
    if wait is None and code == PAIR_RATE_CODE:
        wait = PAIR_RATE_WAIT_SECONDS
    return DeliveryError(
        f"WhatsApp: {reason}" if code is not None else f"WhatsApp: HTTP {response.status_code}",
        permanent=not transient,
        code=str(code) if code is not None else f"http_{response.status_code}",
        retry_after=wait,
    )
