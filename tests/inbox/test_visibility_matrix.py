"""Who sees what: each role and each state against list, detail, actions and events.

Chatwoot #3272/#1592: every chat shown to everyone. Here the list, the detail and
the event audience must give one answer, from one selector.
"""

from __future__ import annotations

import pytest

from chatdesk.accounts.models import Role
from chatdesk.inbox.models import Channel, Conversation, Status
from chatdesk.inbox.selectors import conversation_audience, visible_conversations
from tests.factories import ChannelAccountFactory, ConversationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(alice, bob, carol, oscar):
    owner = UserFactory(username="olga", role=Role.SYSTEM_OWNER)
    group_owner = UserFactory(username="greta", role=Role.GROUP_OWNER)
    return {
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "oscar": oscar,
        "olga": owner,
        "greta": group_owner,
    }


def _states(customer_writes, cast, api, queue_a):
    """One conversation in each state that matters, keyed by a readable name."""
    states = {}
    states["offered to queue A"] = customer_writes("a", address="1415555000").conversation
    taken = customer_writes("b", address="1415555001").conversation
    api(cast["alice"]).post(f"/api/v1/conversations/{taken.pk}/take/")
    states["taken by alice"] = taken
    moved = customer_writes("c", address="1415555002").conversation
    api(cast["alice"]).post(f"/api/v1/conversations/{moved.pk}/take/")
    api(cast["alice"]).post(
        f"/api/v1/conversations/{moved.pk}/transfer/", {"agent": cast["oscar"].pk}, format="json"
    )
    states["transferred alice -> oscar"] = moved
    direct_account = ChannelAccountFactory(
        kind="sms", external_id="+15005550006", route_agent=cast["bob"], route_queue=None
    )
    states["direct to bob"] = customer_writes(
        "d", to=direct_account, address="+14155550100"
    ).conversation
    internal = ConversationFactory(
        channel=Channel.INTERNAL, channel_account=None, identity=None, status=Status.TAKEN
    )
    internal.participants.set([cast["alice"], cast["oscar"]])
    states["internal alice & oscar"] = internal
    return states


EXPECTED = {
    "offered to queue A": {"alice", "bob", "carol", "olga", "greta"},
    "taken by alice": {"alice", "carol", "olga", "greta"},
    "transferred alice -> oscar": {"oscar", "carol", "olga", "greta"},
    "direct to bob": {"bob", "carol", "olga", "greta"},
    "internal alice & oscar": {"alice", "oscar"},
}


def test_visibility_matrix(customer_writes, cast, api, queue_a):
    states = _states(customer_writes, cast, api, queue_a)
    for state, conversation in states.items():
        conversation = Conversation.objects.get(pk=conversation.pk)
        audience = conversation_audience(conversation)
        for name, user in cast.items():
            expected = name in EXPECTED[state]
            sees = visible_conversations(user).filter(pk=conversation.pk).exists()
            assert sees == expected, f"{name} on '{state}'"
            assert (user.pk in audience) == expected, f"event audience: {name} on '{state}'"
            detail = api(user).get(f"/api/v1/conversations/{conversation.pk}/")
            assert detail.status_code == (200 if expected else 404), f"{name} on '{state}'"
            listed = {c["id"] for c in api(user).get("/api/v1/conversations/").json()["results"]}
            assert (conversation.pk in listed) == expected, f"list: {name} on '{state}'"
            messages = api(user).get(f"/api/v1/conversations/{conversation.pk}/messages/")
            assert messages.status_code == (200 if expected else 404)
