"""The presence grace period: an agent whose every inbox socket has been closed for
PRESENCE_GRACE_SECONDS is set away (and offered nothing) until a socket opens again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from chatdesk.accounts.models import Presence
from chatdesk.celery import app as celery_app
from chatdesk.inbox import tasks
from chatdesk.inbox.models import AgentConnection
from chatdesk.inbox.services import presence
from queues.models import Offer
from tests.sockets import agent_socket


def _available(*agents) -> None:
    for agent in agents:
        presence.agent_set_status(agent=agent, status=Presence.AVAILABLE)


def _closed_ago(agent, seconds: float) -> None:
    AgentConnection.objects.filter(agent=agent).update(
        all_closed_at=timezone.now() - timedelta(seconds=seconds)
    )


def _status(agent) -> str:
    agent.refresh_from_db()
    return agent.status


@pytest.mark.django_db
def test_away_once_when_the_grace_has_passed_and_not_before(alice, carol, settings, capture_events):
    settings.PRESENCE_GRACE_SECONDS = 60
    _available(alice)
    presence.agent_socket_opened(agent_id=alice.pk)
    presence.agent_socket_opened(agent_id=alice.pk)  # a second tab
    assert presence.agent_socket_closed(agent_id=alice.pk) is False  # one tab still open
    assert presence.agent_socket_closed(agent_id=alice.pk) is True  # the last: timer starts
    log = capture_events()
    _closed_ago(alice, 58)
    assert presence.agent_gone(agent_id=alice.pk) is False
    assert presence.agents_gone_sweep() == 0
    assert _status(alice) == Presence.AVAILABLE
    _closed_ago(alice, 61)
    assert presence.agent_gone(agent_id=alice.pk) is True
    assert _status(alice) == Presence.AWAY
    # Once: the timer and the sweep coming after it change nothing more.
    assert presence.agent_gone(agent_id=alice.pk) is False
    assert presence.agents_gone_sweep() == 0
    status_event = {"type": "agent.status", "data": {"agent": alice.pk, "status": "away"}}
    assert log.received(alice, "agent.status") == [status_event]
    assert log.received(carol, "agent.status") == [status_event]  # the manager is told


@pytest.mark.django_db
def test_the_sweep_catches_a_lost_timer(alice, bob, settings):
    settings.PRESENCE_GRACE_SECONDS = 60
    _available(alice, bob)
    for agent in (alice, bob):
        presence.agent_socket_opened(agent_id=agent.pk)
        presence.agent_socket_closed(agent_id=agent.pk)
    _closed_ago(alice, 120)
    _closed_ago(bob, 10)
    assert tasks.agents_gone_sweep() == 1
    assert (_status(alice), _status(bob)) == (Presence.AWAY, Presence.AVAILABLE)


@pytest.mark.django_db
def test_an_api_only_agent_is_not_affected(alice, bob, settings, api):
    settings.PRESENCE_GRACE_SECONDS = 60
    # Alice had a socket once, closed it, and now works through the API only.
    _available(alice)
    presence.agent_socket_opened(agent_id=alice.pk)
    presence.agent_socket_closed(agent_id=alice.pk)
    _closed_ago(alice, 3600)
    response = api(alice).patch("/api/v1/agents/me/", {"status": "away"}, format="json")
    assert response.status_code == 200
    api(alice).patch("/api/v1/agents/me/", {"status": "available"}, format="json")
    # Bob never opened a socket at all.
    _available(bob)
    assert presence.agents_gone_sweep() == 0
    assert presence.agent_gone(agent_id=alice.pk) is False
    assert (_status(alice), _status(bob)) == (Presence.AVAILABLE, Presence.AVAILABLE)


@pytest.mark.django_db
def test_routing_offers_nothing_to_an_agent_gone_away(alice, bob, customer_writes, settings):
    settings.PRESENCE_GRACE_SECONDS = 60
    _available(alice, bob)
    presence.agent_socket_opened(agent_id=alice.pk)
    presence.agent_socket_closed(agent_id=alice.pk)
    _closed_ago(alice, 61)
    assert presence.agent_gone(agent_id=alice.pk)
    conversation = customer_writes("Anyone?").conversation
    offered = set(Offer.objects.filter(conversation=conversation).values_list("agent", flat=True))
    assert offered == {bob.pk}


@pytest.mark.django_db
def test_a_status_chosen_while_away_is_not_overridden_on_return(alice, settings):
    settings.PRESENCE_GRACE_SECONDS = 60
    _available(alice)
    presence.agent_socket_opened(agent_id=alice.pk)
    presence.agent_socket_closed(agent_id=alice.pk)
    _closed_ago(alice, 61)
    presence.agent_gone(agent_id=alice.pk)
    presence.agent_set_status(agent=alice, status=Presence.OFFLINE)
    presence.agent_socket_opened(agent_id=alice.pk)
    assert _status(alice) == Presence.OFFLINE


@pytest.mark.django_db(transaction=True)
async def test_through_the_agent_socket_the_timer_starts_and_a_return_restores(
    alice, bob, customer_writes, settings, monkeypatch
):
    settings.PRESENCE_GRACE_SECONDS = 45
    await database_sync_to_async(_available)(alice, bob)
    scheduled = []
    monkeypatch.setattr(
        tasks.agent_gone, "apply_async", lambda args, countdown: scheduled.append((args, countdown))
    )
    first, second = await agent_socket(alice), await agent_socket(alice)
    await first.disconnect()
    assert scheduled == []  # another tab is still open
    await second.disconnect()
    assert scheduled == [((alice.pk,), 45.0)]

    def timer_fires_late() -> bool:
        _closed_ago(alice, 46)
        return presence.agent_gone(agent_id=alice.pk)

    assert await database_sync_to_async(timer_fires_late)()
    assert await database_sync_to_async(_status)(alice) == Presence.AWAY
    back = await agent_socket(alice)
    frames = [await back.receive_json_from(timeout=5)]
    assert frames[0]["type"] == "agent.status"
    assert frames[0]["data"] == {"agent": alice.pk, "status": "available"}
    assert await database_sync_to_async(_status)(alice) == Presence.AVAILABLE
    await back.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_timer_run_early_changes_nothing(alice, settings):
    settings.PRESENCE_GRACE_SECONDS = 60
    await database_sync_to_async(_available)(alice)
    celery_app.conf.task_always_eager = True  # the timer runs at once, ignoring its countdown
    try:
        tab = await agent_socket(alice)
        await tab.disconnect()
    finally:
        celery_app.conf.task_always_eager = False
    assert await database_sync_to_async(_status)(alice) == Presence.AVAILABLE
