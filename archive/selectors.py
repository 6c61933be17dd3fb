"""The archived list: what an agent may see, filtered the way a supervisor digs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, QuerySet

from chatdesk.accounts.models import User
from chatdesk.inbox.models import Conversation, Message
from chatdesk.inbox.selectors import conversation_list


@dataclass(frozen=True)
class ArchiveFilter:
    channel: str | None = None
    agent: int | None = None
    queue: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""


def archived_conversations(user: User, filters: ArchiveFilter) -> QuerySet[Conversation]:
    """Archived chats `user` may see, newest first; `text` searches the messages."""
    queryset = conversation_list(user, archived=True)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.agent:
        queryset = queryset.filter(owner_id=filters.agent)
    if filters.queue:
        queryset = queryset.filter(queue_id=filters.queue)
    if filters.date_from:
        queryset = queryset.filter(last_message_at__date__gte=filters.date_from)
    if filters.date_to:
        queryset = queryset.filter(last_message_at__date__lte=filters.date_to)
    if filters.text.strip():
        matching = Message.objects.filter(
            conversation_id=OuterRef("pk"), body__icontains=filters.text.strip()
        )
        queryset = queryset.filter(Exists(matching))
    return queryset
