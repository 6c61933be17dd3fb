"""A conversation as plain text: one renderer, two audiences (docs/api.md: Transcripts).

- `AGENTS`: everything the desk shows in the conversation, private notes marked as such
  and the chat's story (taken, transferred, ended) as event lines.
- `CUSTOMER`: what the customer saw: messages both ways, files by name and what the
  system told them (notices). Private notes and agents' event lines are never in it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

from django.utils import timezone

from chatdesk.inbox.models import Channel, Conversation, Message
from chatdesk.inbox.serializers import conversation_title


class Audience(Enum):
    AGENTS = "agents"
    CUSTOMER = "customer"


EVENT_TEXT = {
    "taken": "{actor} took the chat",
    "transferred": "{actor} transferred the chat to {to}",
    "reopened": "{actor} reopened the chat for {to}",
    "ended": "{actor} ended the chat",
    "blocked": "{actor} blocked the visitor and ended the chat",
    "out_of_hours": "Outside business hours: the automatic message was sent",
}


def transcript_filename(conversation: Conversation) -> str:
    return f"chat-{conversation.pk}-transcript.txt"


def transcript_render(
    *, conversation: Conversation, audience: Audience, since: datetime | None = None
) -> str:
    """The transcript of `conversation` for `audience`; `since` leaves out earlier lines
    (a live-chat visitor gets what their session showed them)."""
    messages = (
        Message.objects.filter(conversation=conversation)
        .select_related("sender")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    if audience is Audience.CUSTOMER:
        messages = messages.exclude(kind__in=[Message.Kind.NOTE, Message.Kind.EVENT])
    if since is not None:
        messages = messages.filter(created_at__gte=since)
    customer = _customer_name(conversation, audience)
    lines = _header(conversation, audience, customer)
    for message in messages:
        lines.extend(_lines(message, audience=audience, customer=customer))
    return "\n".join(lines) + "\n"


def _header(conversation: Conversation, audience: Audience, customer: str) -> list[str]:
    channel = conversation.get_channel_display()
    header = [f"Chat #{conversation.pk} · {channel}"]
    if audience is Audience.AGENTS and conversation.channel != Channel.INTERNAL:
        address = conversation.identity.address if conversation.identity_id else ""
        contact = conversation_title(conversation)
        if address and conversation.channel != Channel.LIVECHAT:
            contact = f"{contact} ({address})"
        header.append(f"Contact: {contact}")
    elif audience is Audience.CUSTOMER:
        header.append(f"Customer: {customer}")
    header.append(f"Started: {_when(conversation.created_at)}")
    if conversation.closed_at and not conversation.is_open:
        header.append(f"Closed: {_when(conversation.closed_at)}")
    header.append(f"Transcript made: {_when(timezone.now())}")
    header.append("")
    return header


def _lines(message: Message, *, audience: Audience, customer: str) -> list[str]:
    at = f"[{_when(message.created_at)}]"
    if message.kind == Message.Kind.EVENT:
        return [f"{at} * {_event_text(message.event or {}, message.body)}"]
    if message.kind == Message.Kind.NOTICE:
        # What the customer was told; agents also see which event it came with.
        if audience is Audience.AGENTS and message.event:
            told = f" (customer was told: {message.body})" if message.body else ""
            return [f"{at} * {_event_text(message.event, message.body)}{told}"]
        return [f"{at} * {message.body}"]
    inbound = message.direction == Message.Direction.IN
    name = customer if inbound else _agent_name(message, audience)
    if message.kind == Message.Kind.NOTE:
        name = f"[Private note] {name}"
    lines = []
    if message.body:
        body_lines = message.body.splitlines() or [""]
        lines.append(f"{at} {name}: {body_lines[0]}")
        # Continuation lines indented, so each line of the file starts a new message.
        lines.extend(f"    {line}" for line in body_lines[1:])
    for attachment in message.attachments.all():
        lines.append(f"{at} {name}: [file: {attachment.name}, {_size(attachment.size)}]")
    if not lines:
        lines.append(f"{at} {name}: (empty message)")
    return lines


def _event_text(event: dict, body: str) -> str:
    template = EVENT_TEXT.get(event.get("type", ""))
    if template is None:
        return body or "Chat updated"
    return template.format(
        actor=event.get("actor_name") or "Someone", to=event.get("to_name") or "someone"
    )


def _customer_name(conversation: Conversation, audience: Audience) -> str:
    if conversation.identity_id is None:
        return "Customer"
    identity = conversation.identity
    if identity.contact_id:
        return identity.contact.name
    if identity.display_name:
        return identity.display_name
    if conversation.channel == Channel.LIVECHAT:
        visitor = conversation.visitor or {}
        if visitor.get("name"):
            return str(visitor["name"])
        # The customer does not know the label agents see for them.
        return "You" if audience is Audience.CUSTOMER else conversation_title(conversation)
    return identity.address


def _agent_name(message: Message, audience: Audience) -> str:
    sender = message.sender
    if sender is None:
        return "Agent"
    if audience is Audience.CUSTOMER:
        # The customer knows an agent by the name the widget showed, not their login.
        return sender.get_full_name() or sender.first_name or "Agent"
    return sender.get_full_name() or sender.username


def _when(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
