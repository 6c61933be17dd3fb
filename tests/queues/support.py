"""Routing test helpers: chats arriving, offers ringing out, events received."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from chatdesk.inbox import assignment, tasks
from chatdesk.inbox.models import Conversation, Event, Status
from queues.models import Offer
from tests.factories import ConversationFactory


def arrive(queue, **fields) -> Conversation:
    """A customer's chat opens in `queue` and is routed, as message_receive does."""
    conversation = ConversationFactory(queue=queue, status=Status.UNASSIGNED, **fields)
    assignment.route(conversation=conversation)
    return conversation


def ringing(conversation) -> set[int]:
    """The agents a chat is offered to right now (its pending offers)."""
    return set(
        Offer.objects.filter(conversation=conversation, outcome=Offer.Outcome.PENDING).values_list(
            "agent_id", flat=True
        )
    )


def ring_out(conversation) -> bool:
    """Let the current round's ring timeout pass and fire its escalation task."""
    conversation.refresh_from_db()
    # Only rounds with a deadline: untimed ones (ring_all, whole queue) never time out.
    Offer.objects.filter(
        conversation=conversation, outcome=Offer.Outcome.PENDING, deadline__isnull=False
    ).update(deadline=timezone.now() - timedelta(seconds=1))
    return tasks.escalate_offer(conversation.pk, conversation.routing_round)


def received(agent, event_type: str, conversation=None) -> int:
    """How many stored events of this type the agent is a recipient of."""
    events = Event.objects.filter(type=event_type, recipients__agent=agent)
    if conversation is not None:
        events = events.filter(conversation=conversation)
    return events.count()


def open_chats(agent, count: int, **fields) -> None:
    """Give `agent` this many taken chats."""
    for _ in range(count):
        ConversationFactory(owner=agent, status=Status.TAKEN, **fields)
