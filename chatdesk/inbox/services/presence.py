"""Agent presence: routing respects it, and becoming available drains waiting chats."""

from __future__ import annotations

from django.db import transaction

from chatdesk.accounts.models import Presence, User
from chatdesk.inbox import events, routing
from chatdesk.inbox.errors import InvalidInput
from chatdesk.inbox.services.common import now


@transaction.atomic
def agent_set_status(*, agent: User, status: str) -> User:
    if status not in Presence.values:
        raise InvalidInput(f"status must be one of {', '.join(Presence.values)}.")
    agent = User.objects.select_for_update().get(pk=agent.pk)
    if agent.status == status:
        return agent
    agent.status = status
    agent.status_changed_at = now()
    agent.save(update_fields=["status", "status_changed_at"])
    events.agent_status(agent)
    if status == Presence.AVAILABLE:
        # Chatwoot #10376: the oldest waiting chats are offered at once, not on the next message.
        routing.drain(agent=agent)
    return agent
