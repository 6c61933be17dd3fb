"""A socket's replay point (`latest_event_id`, its SQL written once) is the newest event
addressed to that agent: the same answer as Django's query, for each agent."""

from __future__ import annotations

import pytest

from chatdesk.inbox.models import EventRecipient
from chatdesk.inbox.selectors import latest_event_id

pytestmark = pytest.mark.django_db


def _orm(user) -> int:
    return (
        EventRecipient.objects.filter(agent_id=user.pk)
        .order_by("-event_id")
        .values_list("event_id", flat=True)
        .first()
        or 0
    )


def test_the_newest_event_each_agent_may_see(customer_writes, alice, bob, carol, oscar, api):
    assert latest_event_id(alice) == 0 == _orm(alice)
    conversation = customer_writes("Hi").conversation
    offered = latest_event_id(alice)
    assert offered > 0 and offered == latest_event_id(bob)
    api(alice).post(f"/api/v1/conversations/{conversation.pk}/take/")
    customer_writes("Still there?")  # alice's now: bob's point stays where it was
    assert latest_event_id(alice) > latest_event_id(bob) > offered
    assert latest_event_id(carol) == latest_event_id(alice)  # a manager sees it all
    for user in (alice, bob, carol, oscar):
        assert latest_event_id(user) == _orm(user)
    assert latest_event_id(oscar) == 0  # not on the queue: nothing addressed to him
