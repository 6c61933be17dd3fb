"""Celery tasks of the inbox: ring-timeout escalation, the presence grace period and
absence handling. Thin: the rules live in routing and the presence and absence services."""

from __future__ import annotations

from celery import shared_task

from chatdesk.inbox import assignment
from chatdesk.inbox.services import absence, presence, sla


@shared_task(name="inbox.escalate_offer")
def escalate_offer(conversation_id: int, round: int) -> bool:
    """Scheduled by routing for each timed round with countdown=ring_timeout_seconds.

    Safe to run late or twice: routing re-checks, under a row lock, that the chat
    is still unowned and still in this round.
    """
    return assignment.escalate(conversation_id=conversation_id, round=round)


@shared_task(name="inbox.escalate_overdue")
def escalate_overdue() -> int:
    """Beat sweep: escalate rounds past their deadline whose task was lost."""
    return assignment.escalate_overdue()


@shared_task(name="inbox.agent_gone")
def agent_gone(agent_id: int) -> bool:
    """Scheduled on an agent's last socket close with countdown=PRESENCE_GRACE_SECONDS."""
    return presence.agent_gone(agent_id=agent_id)


@shared_task(name="inbox.agents_gone_sweep")
def agents_gone_sweep() -> int:
    """Beat sweep: presence grace timers that were lost."""
    return presence.agents_gone_sweep()


@shared_task(name="inbox.release_held")
def release_held() -> int:
    """Beat sweep: chats held for a closed queue ring once it opens."""
    return assignment.release_held()


@shared_task(name="inbox.sla_breach_sweep")
def sla_breach_sweep() -> int:
    """Beat sweep: chats whose service-level due time passed unmet are marked breached."""
    return sla.sla_breach_sweep()


@shared_task(name="inbox.reassign_due")
def reassign_due(conversation_id: int) -> str | None:
    """Scheduled with eta= the moment an absence rule falls due for a taken chat.

    Safe early, late or twice: the rules are re-checked under the chat's row lock.
    """
    return absence.reassign_due(conversation_id=conversation_id)


@shared_task(name="inbox.reassign_overdue")
def reassign_overdue() -> int:
    """Beat sweep: absence rules whose timer was lost."""
    return absence.reassign_overdue()
