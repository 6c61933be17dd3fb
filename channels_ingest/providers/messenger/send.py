"""Sending through the Messenger Send API; its errors are read by graph_errors.py."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from ..base import DeliveryError, OutboundMessage, SendResult
from ..graph_errors import delivery_error
from ..http import json_body, request, send_parts


def send(
    credentials: Mapping[str, str],
    page_id: str,
    message: OutboundMessage,
    *,
    client: httpx.Client,
    base_url: str,
) -> SendResult:
    # /me/ is the page the token belongs to; page_id only picked the credentials.
    url = f"{base_url.rstrip('/')}/me/messages"
    params = {"access_token": credentials.get("page_access_token", "")}

    def post_one(payload: dict) -> str:
        return _post(client, url, params, payload)

    return SendResult(send_parts(build_payloads(message), post_one), "sent")


def attachment_type(content_type: str) -> str:
    major = content_type.split("/")[0].strip().lower()
    return major if major in ("image", "video", "audio") else "file"


def build_payloads(message: OutboundMessage) -> list[dict]:
    """Text and every file go as separate messages, text first, as Messenger requires."""
    envelope: dict = {"recipient": {"id": message.to}, "messaging_type": "RESPONSE"}
    if message.tag:
        # Past the standard 24 hours: only a tagged message may go (HUMAN_AGENT, 7 days).
        envelope = {**envelope, "messaging_type": "MESSAGE_TAG", "tag": message.tag}
    parts = [{**envelope, "message": {"text": message.body}}] if message.body else []
    for index, url in enumerate(message.media_urls):
        content_type = message.media_types[index] if index < len(message.media_types) else ""
        attachment = {
            "type": attachment_type(content_type),
            "payload": {"url": url, "is_reusable": True},
        }
        parts.append({**envelope, "message": {"attachment": attachment}})
    return parts


def _post(client: httpx.Client, url: str, params: dict[str, str], payload: dict) -> str:
    response = request(client, "POST", url, params=params, json=payload)
    if response.status_code != 200:
        raise delivery_error(response, "Messenger")
    message_id = json_body(response).get("message_id")
    if not message_id:
        # Accepted but unidentifiable: retrying could send twice, so stop here.
        raise DeliveryError("Messenger answered 200 without a message_id", permanent=True)
    return str(message_id)
