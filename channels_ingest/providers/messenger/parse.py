"""Messenger Platform webhook bodies -> neutral messages and statuses (docs/providers.md)."""

from __future__ import annotations

import mimetypes
from datetime import UTC, datetime
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from ..base import InboundAttachment, InboundMessage, StatusUpdate, from_unix_ms
from ..meta import dicts, load_object, sub, text

OBJECT = "page"
ATTACHMENT_KINDS = {"image": "image", "video": "video", "audio": "audio", "file": "document"}

Events = tuple[list[InboundMessage], list[StatusUpdate]]


def candidate_account_ids(raw_body: bytes) -> list[str]:
    """Every page id (entry.id) the body addresses, in order."""
    body = load_object(raw_body, OBJECT)
    return list(dict.fromkeys(text(e, "id") for e in dicts(body, "entry") if text(e, "id")))


def parse(raw_body: bytes) -> Events:
    """All events of all entries; events we do not use (optins, referrals...) are ignored."""
    messages: list[InboundMessage] = []
    statuses: list[StatusUpdate] = []
    for entry in dicts(load_object(raw_body, OBJECT), "entry"):
        page_id = text(entry, "id")
        for event in dicts(entry, "messaging"):
            found_messages, found_statuses = _event(event, page_id)
            messages += found_messages
            statuses += found_statuses
    return messages, statuses


def _event(event: dict, page_id: str) -> Events:
    at = from_unix_ms(text(event, "timestamp"))
    message = sub(event, "message")
    if message.get("is_echo"):
        # Our own outbound message coming back: it confirms "sent", it is no customer's.
        mid = text(message, "mid")
        return [], [StatusUpdate(page_id, mid, "sent", at)] if mid else []
    if message:
        inbound = _message(event, message, page_id)
        return ([inbound] if inbound else []), []
    if "delivery" in event:
        return [], _receipts(sub(event, "delivery"), page_id, "delivered", at, _sender(event))
    if "read" in event:
        return [], _receipts(sub(event, "read"), page_id, "read", at, _sender(event))
    if "postback" in event:
        return _postback(event, page_id), []
    if "reaction" in event:
        return _reaction(event, page_id), []
    return [], []


def _base(event: dict, page_id: str, provider_message_id: str) -> dict:
    return {
        "account_external_id": page_id,
        "provider_message_id": provider_message_id,
        "sender_address": text(sub(event, "sender"), "id"),  # the PSID, valid for this page only
        "sender_name": "",  # only the Graph profile API knows it
        "sent_at": from_unix_ms(text(event, "timestamp")) or datetime.now(UTC),
    }


def _synthetic_id(event: dict, what: str) -> str:
    """An id stable across Meta's retries of the same event, for events that carry no mid."""
    return f"{what}:{text(sub(event, 'sender'), 'id')}:{text(event, 'timestamp')}"


def _message(event: dict, message: dict, page_id: str) -> InboundMessage | None:
    mid = text(message, "mid")
    if not mid or not text(sub(event, "sender"), "id"):
        return None
    attachments: list[InboundAttachment] = []
    lines = [text(message, "text")] if text(message, "text") else []
    raw_types = []
    for raw in dicts(message, "attachments"):
        raw_types.append(text(raw, "type"))
        attachment, line = _attachment(raw)
        if attachment:
            attachments.append(attachment)
        if line:
            lines.append(line)
    kind = ATTACHMENT_KINDS.get(raw_types[0], "text") if attachments else "text"
    if "sticker_id" in message and attachments:
        kind = "sticker"
    if not lines and not attachments:
        kind = "unsupported"
        lines = [f"Unsupported message (type {raw_types[0] if raw_types else 'message'})"]
    return InboundMessage(
        **_base(event, page_id, mid),
        body="\n".join(lines),
        attachments=tuple(attachments),
        reply_to=text(sub(message, "reply_to"), "mid"),
        kind=kind,
    )


def _attachment(raw: dict) -> tuple[InboundAttachment | None, str]:
    """A downloadable file, or a line of text for what is not one (shared links, places)."""
    kind, payload = text(raw, "type"), sub(raw, "payload")
    url = text(payload, "url")
    if kind in ATTACHMENT_KINDS and url:
        path = urlsplit(url).path
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return InboundAttachment(url, content_type, filename=PurePosixPath(path).name), ""
    if kind == "fallback":
        return None, " ".join(part for part in (text(raw, "title"), url) if part)
    coordinates = sub(payload, "coordinates")
    if kind == "location" and coordinates:
        lat, lon = text(coordinates, "lat"), text(coordinates, "long")
        return None, f"📍 ({lat}, {lon})\nhttps://maps.google.com/?q={lat},{lon}"
    return None, ""


def _sender(event: dict) -> str:
    return text(sub(event, "sender"), "id")


def _receipts(
    receipt: dict, page_id: str, status: str, at: datetime | None, recipient: str
) -> list[StatusUpdate]:
    """Delivery/read: the listed mids, or (none listed) everything up to the watermark."""
    watermark = from_unix_ms(text(receipt, "watermark"))
    listed = receipt.get("mids")
    listed = listed if isinstance(listed, list) else []
    mids = [mid for mid in listed if isinstance(mid, str) and mid]
    if mids:
        return [
            StatusUpdate(page_id, mid, status, at, watermark=watermark, recipient=recipient)
            for mid in mids
        ]
    if watermark is None:
        return []
    return [StatusUpdate(page_id, "", status, at, watermark=watermark, recipient=recipient)]


def _postback(event: dict, page_id: str) -> list[InboundMessage]:
    postback = sub(event, "postback")
    title = text(postback, "title") or text(postback, "payload")
    if not title or not text(sub(event, "sender"), "id"):
        return []
    mid = text(postback, "mid") or _synthetic_id(event, "postback")
    return [InboundMessage(**_base(event, page_id, mid), body=title, kind="postback")]


def _reaction(event: dict, page_id: str) -> list[InboundMessage]:
    reaction = sub(event, "reaction")
    if not text(sub(event, "sender"), "id"):
        return []
    emoji = text(reaction, "emoji") or text(reaction, "reaction")
    removed = text(reaction, "action") == "unreact"
    body = "Removed a reaction from a message" if removed else f"Reacted {emoji} to a message"
    return [
        InboundMessage(
            **_base(event, page_id, _synthetic_id(event, f"reaction-{text(reaction, 'action')}")),
            body=body,
            reply_to=text(reaction, "mid"),
            kind="reaction",
        )
    ]
