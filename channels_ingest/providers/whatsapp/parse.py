"""WhatsApp Cloud API webhook bodies -> neutral messages and statuses (docs/providers.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from ..base import InboundAttachment, InboundMessage, StatusUpdate, from_unix
from ..meta import dicts, load_object, sub, text

OBJECT = "whatsapp_business_account"
MEDIA_KINDS = ("image", "video", "document", "audio", "sticker")
STATUSES = ("sent", "delivered", "read", "failed")

# (kind, body, attachments) of one message's content.
Content = tuple[str, str, tuple[InboundAttachment, ...]]


def candidate_account_ids(raw_body: bytes) -> list[str]:
    """Every phone_number_id the body addresses, in order: the accounts to verify against."""
    body = load_object(raw_body, OBJECT)
    ids = [phone_number_id for phone_number_id, _ in _changes(body)]
    ids += [update.account_external_id for update in _updates(body) if update.account_external_id]
    return list(dict.fromkeys(ids))


@dataclass(frozen=True, slots=True)
class AccountUpdate:
    """A change of another field than `messages`: about the business account, a
    template, a call, the business app's own messages (docs/providers.md)."""

    field: str
    business_account_id: str  # entry.id, the WhatsApp Business Account
    account_external_id: str  # metadata.phone_number_id when the change names a number
    value: dict


def updates(raw_body: bytes) -> list[AccountUpdate]:
    """Every change of the body that is not about customers' messages, in order."""
    return list(_updates(load_object(raw_body, OBJECT)))


def _updates(body: dict) -> Iterator[AccountUpdate]:
    for entry in dicts(body, "entry"):
        for change in dicts(entry, "changes"):
            field = text(change, "field")
            if field in ("", "messages"):
                continue
            value = sub(change, "value")
            yield AccountUpdate(
                field=field,
                business_account_id=text(entry, "id"),
                account_external_id=text(sub(value, "metadata"), "phone_number_id"),
                value=value,
            )


def echoes(update: AccountUpdate) -> list[InboundMessage]:
    """smb_message_echoes: what the business sent from the WhatsApp Business app. The
    message's `sender_address` is the customer it went to (the echo's `to`)."""
    found = []
    for raw in dicts(update.value, "message_echoes"):
        message_id, customer = text(raw, "id"), text(raw, "to")
        if not message_id or not customer or not update.account_external_id:
            continue
        kind, body, attachments = _content(raw)
        found.append(
            InboundMessage(
                account_external_id=update.account_external_id,
                provider_message_id=message_id,
                sender_address=customer,
                sender_name="",
                body=body or f"[{_label(kind)} sent from the WhatsApp Business app]",
                sent_at=from_unix(text(raw, "timestamp")) or datetime.now(UTC),
                attachments=attachments,
                kind=kind,
            )
        )
    return found


def parse(raw_body: bytes) -> tuple[list[InboundMessage], list[StatusUpdate]]:
    """All messages and statuses of all entries and changes; unknown fields are ignored."""
    messages: list[InboundMessage] = []
    statuses: list[StatusUpdate] = []
    for phone_number_id, value in _changes(load_object(raw_body, OBJECT)):
        contacts = dicts(value, "contacts")
        names = {text(c, "wa_id"): text(sub(c, "profile"), "name") for c in contacts}
        for raw in dicts(value, "messages"):
            message = _message(raw, phone_number_id, names)
            if message is not None:
                messages.append(message)
        for raw in dicts(value, "statuses"):
            status = _status(raw, phone_number_id)
            if status is not None:
                statuses.append(status)
    return messages, statuses


def _changes(body: dict) -> Iterator[tuple[str, dict]]:
    for entry in dicts(body, "entry"):
        for change in dicts(entry, "changes"):
            value = sub(change, "value")
            phone_number_id = text(sub(value, "metadata"), "phone_number_id")
            # Other fields (account_update, templates...) are not conversations.
            if change.get("field", "messages") == "messages" and phone_number_id:
                yield phone_number_id, value


def _message(raw: dict, phone_number_id: str, names: dict[str, str]) -> InboundMessage | None:
    message_id, sender = text(raw, "id"), text(raw, "from")
    if not message_id or not sender:
        return None  # nothing to key it by or to answer: not storable
    kind, body, attachments = _content(raw)
    reply_to = text(sub(raw, "context"), "id")
    if kind == "reaction":
        reply_to = text(sub(raw, "reaction"), "message_id")
    return InboundMessage(
        account_external_id=phone_number_id,
        provider_message_id=message_id,
        sender_address=sender,  # wa_id as given, no "+": replies go to exactly this
        sender_name=names.get(sender, ""),
        body=body,
        sent_at=from_unix(text(raw, "timestamp")) or datetime.now(UTC),
        attachments=attachments,
        reply_to=reply_to,
        kind=kind,
    )


# What arrived, in words, when the desk cannot show it (or shows only a file link).
_DESCRIPTIONS = {
    "video": "Video",
    "audio": "Audio message",
    "voice": "Voice message",
    "animated_sticker": "Animated sticker",
    "order": "Order",
    "system": "System message",
    "request_welcome": "Chat opened",
    "ephemeral": "Disappearing message",
    "media_placeholder": "Media message",
}


def described(kind: str) -> str:
    """A bubble's text for a message the desk cannot show as it was sent."""
    return f"[{_label(kind)} received — not shown here]"


def _label(kind: str) -> str:
    return _DESCRIPTIONS.get(kind) or (kind.replace("_", " ").capitalize() or "Message")


def _content(raw: dict) -> Content:
    kind = text(raw, "type")
    if kind in MEDIA_KINDS:
        return _media_described(kind, sub(raw, kind))
    render = _RENDERERS.get(kind)
    rendered = render(raw) if render else None
    if rendered is None:
        detail = text(sub(raw, "unsupported"), "type") if kind == "unsupported" else kind
        return "unsupported", f"Unsupported message (type {detail or 'unknown'})", ()
    return kind, rendered, ()


def _media_described(kind: str, media: dict) -> Content:
    """Images, documents and still stickers show as they are; a video, an audio or an
    animated sticker is kept as a file but said in words, never an empty bubble."""
    kind, caption, attachments = _media(kind, media)
    if caption:
        return kind, caption, attachments
    if kind == "audio":
        return kind, described("voice" if media.get("voice") is True else "audio"), attachments
    if kind == "video":
        return kind, described("video"), attachments
    if kind == "sticker" and media.get("animated") is True:
        return kind, described("animated_sticker"), attachments
    return kind, caption, attachments


def _media(kind: str, media: dict) -> Content:
    caption = text(media, "caption")
    attachment = InboundAttachment(
        media_ref=text(media, "id"),
        content_type=text(media, "mime_type"),
        filename=text(media, "filename"),
        caption=caption,
        sha256=text(media, "sha256"),
    )
    return kind, caption, (attachment,)


def _text(raw: dict) -> str | None:
    return text(sub(raw, "text"), "body")


def _location(raw: dict) -> str | None:
    location = sub(raw, "location")
    lat, lon = text(location, "latitude"), text(location, "longitude")
    if not lat or not lon:
        return None
    place = ", ".join(part for part in (text(location, "name"), text(location, "address")) if part)
    label = f"{place} ({lat}, {lon})" if place else f"({lat}, {lon})"
    return f"📍 {label}\nhttps://maps.google.com/?q={lat},{lon}"


def _contacts(raw: dict) -> str | None:
    lines = []
    for contact in dicts(raw, "contacts"):
        name_parts = sub(contact, "name")
        name = text(name_parts, "formatted_name") or " ".join(
            part for part in (text(name_parts, "first_name"), text(name_parts, "last_name")) if part
        )
        phones = ", ".join(text(p, "phone") or text(p, "wa_id") for p in dicts(contact, "phones"))
        lines.append(f"👤 {name or 'Contact'}" + (f": {phones}" if phones else ""))
    return "\n".join(lines) or None


def _interactive(raw: dict) -> str | None:
    interactive = sub(raw, "interactive")
    chosen = sub(interactive, "button_reply") or sub(interactive, "list_reply")
    return text(chosen, "title") or None


def _button(raw: dict) -> str | None:
    button = sub(raw, "button")
    return text(button, "text") or text(button, "payload") or None


def _reaction(raw: dict) -> str | None:
    emoji = text(sub(raw, "reaction"), "emoji")
    # An empty emoji is how WhatsApp reports a reaction being taken back.
    return f"Reacted {emoji} to a message" if emoji else "Removed a reaction from a message"


def _order(raw: dict) -> str | None:
    items = dicts(sub(raw, "order"), "product_items")
    count = sum(int(q) if (q := text(item, "quantity")).isdigit() else 1 for item in items)
    note = text(sub(raw, "order"), "text")
    detail = f"{count} item(s)" + (f": {note}" if note else "")
    return f"[Order received — {detail}; not shown here]" if items else described("order")


def _system(raw: dict) -> str | None:
    body = text(sub(raw, "system"), "body")
    return f"[System message: {body}]" if body else described("system")


_RENDERERS: dict[str, Callable[[dict], str | None]] = {
    "text": _text,
    "location": _location,
    "contacts": _contacts,
    "interactive": _interactive,
    "button": _button,
    "reaction": _reaction,
    "order": _order,
    "system": _system,
    "request_welcome": lambda raw: described("request_welcome"),
}


def _status(raw: dict, phone_number_id: str) -> StatusUpdate | None:
    status, message_id = text(raw, "status"), text(raw, "id")
    if status not in STATUSES or not message_id:
        return None  # e.g. "deleted" or "warning": nothing to show on our message
    errors = dicts(raw, "errors")
    error = errors[0] if errors else {}
    reason = text(error, "title") or text(error, "message")
    details = text(sub(error, "error_data"), "details")
    return StatusUpdate(
        account_external_id=phone_number_id,
        provider_message_id=message_id,
        status=status,
        at=from_unix(text(raw, "timestamp")),
        error_code=text(error, "code"),
        error_message=f"{reason}: {details}" if reason and details else reason or details,
    )
