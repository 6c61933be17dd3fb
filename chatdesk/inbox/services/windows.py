"""Reply windows and template replies: what an agent may send on a WhatsApp or Messenger
chat, decided when they press Send (docs/api.md: Reply windows and WhatsApp templates).

The provider would refuse free text after its window (WhatsApp 131047, Messenger
10/2018278), usually minutes later as a failed status; refusing it here tells the agent
at once and queues nothing.
"""

from __future__ import annotations

from typing import Any

from chatdesk.inbox import ports
from chatdesk.inbox.errors import InvalidInput, TemplateNotForChannel, WindowClosed
from chatdesk.inbox.models import Channel, Conversation
from chatdesk.inbox.services.common import now

WINDOWED_CHANNELS = frozenset({Channel.WHATSAPP, Channel.MESSENGER})


def window_is_closed(conversation: Conversation) -> bool:
    """Whether free text can no longer go on this chat (no window known: it can)."""
    closes_at = conversation.reply_window_closes_at
    return conversation.channel in WINDOWED_CHANNELS and closes_at is not None and now() > closes_at


def require_window_open(conversation: Conversation) -> None:
    if not window_is_closed(conversation):
        return
    if conversation.channel == Channel.WHATSAPP:
        raise WindowClosed(
            "The customer last wrote more than 24 hours ago, so WhatsApp accepts no free "
            "text until they write again; send an approved template instead."
        )
    raise WindowClosed(
        "The customer's last message is too old for Messenger to accept a reply; "
        "it can go once they write again."
    )


def template_reply(
    conversation: Conversation, template: dict[str, Any], *, body: str, attachment_ids: list[int]
) -> tuple[str, dict]:
    """(the rendered text to store, the template as the outbox sends it)."""
    if conversation.channel != Channel.WHATSAPP:
        raise TemplateNotForChannel("Message templates are sent on WhatsApp chats only.")
    if body.strip() or attachment_ids:
        raise InvalidInput("A template goes on its own: send the text or files separately.")
    return ports.render_template(
        int(template["id"]), dict(template.get("variables") or {}), conversation.channel_account_id
    )
