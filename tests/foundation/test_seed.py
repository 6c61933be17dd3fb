"""The demo seed: a living inbox, and idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from channels_ingest.models import ChannelAccount
from chatdesk.accounts.models import Role, User
from chatdesk.inbox.models import Channel, Conversation, Message
from contacts.models import Contact, Identity
from queues.models import Offer, Queue, QueueMember, Strategy
from templates_app.models import QuickTemplate

MODELS = [
    User,
    Queue,
    QueueMember,
    ChannelAccount,
    Contact,
    Identity,
    Conversation,
    Message,
    QuickTemplate,
    Offer,
]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.django_db
def test_seed_twice_changes_nothing():
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first


@pytest.mark.django_db
def test_seed_has_what_the_demo_promises():
    call_command("seed_demo")
    assert User.objects.get(username="owner").is_superuser
    assert User.objects.get(username="manager").role == Role.MANAGER
    agents = User.objects.filter(role=Role.AGENT).order_by("extension")
    assert [a.extension for a in agents] == ["101", "102", "103"]
    assert set(Queue.objects.values_list("strategy", flat=True)) == {
        Strategy.RING_ALL,
        Strategy.HUNT_BY_THREES_PRIORITIZED,
    }
    assert set(ChannelAccount.objects.values_list("kind", flat=True)) == set(
        ChannelAccount.Kind.values
    )
    channels_with_messages = set(Message.objects.values_list("conversation__channel", flat=True))
    assert channels_with_messages == set(Channel.values)
    assert User.objects.get(username="alice").check_password("chatdesk-demo")
    assert set(QuickTemplate.objects.values_list("language", flat=True)) == {"en", "de"}
