"""Agent presence: routing respects it, and becoming available drains waiting chats.

An agent whose every inbox socket has been closed for PRESENCE_GRACE_SECONDS is set
away (routing then offers them nothing), and a socket of theirs opening again gives
back the status they had. The agent consumer counts the sockets (`agent_socket_opened`,
`agent_socket_closed`); a Celery timer started on the last close and a beat sweep for
timers lost with a worker or a broker outage (`agents_gone_sweep`) apply the grace.
An agent who sets a status without a socket (API-only use) has no timer running.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F

from chatdesk.accounts.models import Presence, User
from chatdesk.inbox import assignment, events
from chatdesk.inbox.errors import InvalidInput
from chatdesk.inbox.models import AgentConnection
from chatdesk.inbox.services.common import now

logger = logging.getLogger(__name__)


def grace_seconds() -> float:
    return float(settings.PRESENCE_GRACE_SECONDS)


@transaction.atomic
def agent_set_status(*, agent: User, status: str) -> User:
    if status not in Presence.values:
        raise InvalidInput(f"status must be one of {', '.join(Presence.values)}.")
    agent = User.objects.select_for_update().get(pk=agent.pk)
    # The agent's own choice: no grace timer runs past it, nothing is given back later.
    AgentConnection.objects.filter(agent_id=agent.pk).update(
        all_closed_at=None, status_before_away=""
    )
    return _set(agent, status)


def _set(agent: User, status: str) -> User:
    if agent.status == status:
        return agent
    agent.status = status
    agent.status_changed_at = now()
    agent.save(update_fields=["status", "status_changed_at"])
    events.agent_status(agent)
    if status == Presence.AVAILABLE:
        # Chatwoot #10376: the oldest waiting chats are offered at once, not on the next message.
        assignment.drain(agent=agent)
    return agent


@transaction.atomic
def agent_socket_opened(*, agent_id: int) -> None:
    """One more inbox socket; if the grace period had set the agent away, undo it."""
    # The common case in one UPDATE: every handshake passes here.
    if AgentConnection.objects.filter(agent_id=agent_id, status_before_away="").update(
        open_sockets=F("open_sockets") + 1, all_closed_at=None
    ):
        return
    AgentConnection.objects.get_or_create(agent_id=agent_id)
    connection = AgentConnection.objects.select_for_update().get(agent_id=agent_id)
    connection.open_sockets = max(connection.open_sockets, 0) + 1
    connection.all_closed_at = None
    restore = connection.status_before_away
    connection.status_before_away = ""
    connection.save(update_fields=["open_sockets", "all_closed_at", "status_before_away"])
    if not restore:
        return
    agent = User.objects.select_for_update().get(pk=agent_id)
    # Only what the grace period did is undone: a status set meanwhile stays.
    if agent.status == Presence.AWAY and agent.is_active:
        _set(agent, restore)


@transaction.atomic
def agent_socket_closed(*, agent_id: int) -> bool:
    """One socket fewer; returns whether it was the last one of an available agent
    (the caller starts the grace timer)."""
    AgentConnection.objects.filter(agent_id=agent_id, open_sockets__gt=0).update(
        open_sockets=F("open_sockets") - 1
    )
    connection = AgentConnection.objects.select_for_update().filter(agent_id=agent_id).first()
    if connection is None or connection.open_sockets > 0:
        return False
    status = User.objects.filter(pk=agent_id).values_list("status", flat=True).first()
    if status != Presence.AVAILABLE:
        return False  # away or offline already: nothing to take away
    connection.all_closed_at = now()
    connection.save(update_fields=["all_closed_at"])
    return True


def agent_gone(*, agent_id: int) -> bool:
    """The grace timer: set the agent away if every socket has been closed long enough.

    Safe early, late or twice: it re-checks under a lock that no socket opened and
    that the grace period has passed. Returns whether the agent was set away.
    """
    with transaction.atomic():
        connection = AgentConnection.objects.select_for_update().filter(agent_id=agent_id).first()
        if (
            connection is None
            or connection.open_sockets > 0
            or connection.all_closed_at is None
            or connection.all_closed_at > now() - timedelta(seconds=grace_seconds())
        ):
            return False
        agent = User.objects.select_for_update().get(pk=agent_id)
        connection.all_closed_at = None
        if agent.status != Presence.AVAILABLE or not agent.is_active:
            connection.save(update_fields=["all_closed_at"])
            return False
        connection.status_before_away = agent.status
        connection.save(update_fields=["all_closed_at", "status_before_away"])
        _set(agent, Presence.AWAY)
    return True


def agents_gone_sweep() -> int:
    """Beat sweep: apply the grace to agents whose timer was lost. Returns how many."""
    cutoff = now() - timedelta(seconds=grace_seconds())
    overdue = AgentConnection.objects.filter(
        open_sockets__lte=0, all_closed_at__lte=cutoff
    ).values_list("agent_id", flat=True)
    gone = 0
    for agent_id in list(overdue):
        try:
            gone += agent_gone(agent_id=agent_id)
        except Exception:
            # Retried on the next sweep; the other agents still go away on time.
            logger.exception("Applying the presence grace to agent %s failed", agent_id)
    return gone
