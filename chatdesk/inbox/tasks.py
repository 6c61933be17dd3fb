"""Celery tasks of the inbox: ring-timeout escalation. Thin: the rules live in routing."""

from __future__ import annotations

from celery import shared_task

from chatdesk.inbox import routing


@shared_task(name="inbox.escalate_offer")
def escalate_offer(conversation_id: int, round: int) -> bool:
    """Scheduled by routing for each timed round with countdown=ring_timeout_seconds.

    Safe to run late or twice: routing re-checks, under a row lock, that the chat
    is still unowned and still in this round.
    """
    return routing.escalate(conversation_id=conversation_id, round=round)


@shared_task(name="inbox.escalate_overdue")
def escalate_overdue() -> int:
    """Beat sweep: escalate rounds past their deadline whose task was lost."""
    return routing.escalate_overdue()
