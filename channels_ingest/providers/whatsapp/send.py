"""Sending through the WhatsApp Cloud API; its errors are read by graph_errors.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from ..base import DeliveryError, OutboundMessage, SendResult
from ..graph_errors import delivery_error
from ..http import filename_for, json_body, request, send_parts

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
    if message.template is not None:
        return [{**envelope, "type": "template", "template": template_object(message.template)}]
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


def template_object(template: Mapping[str, Any]) -> dict:
    """The Cloud API's template object: name, language code, one body parameter per
    placeholder in order (a template without placeholders sends no components)."""
    obj: dict[str, Any] = {"name": template["name"], "language": {"code": template["language"]}}
    parameters = [{"type": "text", "text": str(p)} for p in template.get("parameters") or ()]
    if parameters:
        obj["components"] = [{"type": "body", "parameters": parameters}]
    return obj


def _type_at(message: OutboundMessage, index: int) -> str:
    return message.media_types[index] if index < len(message.media_types) else ""


def _post(client: httpx.Client, url: str, headers: dict[str, str], payload: dict) -> str:
    response = request(client, "POST", url, json=payload, headers=headers)
    if response.status_code != 200:
        raise delivery_error(response, "WhatsApp")
    messages = json_body(response).get("messages") or [{}]
    message_id = messages[0].get("id") if isinstance(messages[0], dict) else None
    if not message_id:
        # Accepted but unidentifiable: retrying could send twice, so stop here.
        raise DeliveryError("WhatsApp answered 200 without a message id", permanent=True)
    return str(message_id)
