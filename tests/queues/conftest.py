"""Routing fixtures: escalation tasks recorded instead of sent, a team of a given strategy."""

from __future__ import annotations

import pytest

from chatdesk.accounts.models import Presence
from chatdesk.inbox import tasks
from tests.factories import QueueFactory, QueueMemberFactory, UserFactory


@pytest.fixture(autouse=True)
def scheduled(monkeypatch):
    """The escalation tasks routing enqueued after commit: [((conversation_id, round), countdown)].

    Recorded rather than sent, so no test leaves tasks in the broker for a later worker.
    """
    calls: list[tuple[tuple[int, int], int]] = []
    monkeypatch.setattr(
        tasks.escalate_offer,
        "apply_async",
        lambda args, countdown: calls.append((tuple(args), countdown)),
    )
    return calls


@pytest.fixture
def team(db):
    """team(strategy, n) -> (queue, [agents with priorities 1..n]), all available."""

    def make(strategy: str, size: int = 3, **queue_fields):
        queue = QueueFactory(strategy=strategy, **queue_fields)
        agents = [UserFactory(status=Presence.AVAILABLE) for _ in range(size)]
        for priority, agent in enumerate(agents, start=1):
            QueueMemberFactory(queue=queue, agent=agent, priority=priority)
        return queue, agents

    return make
