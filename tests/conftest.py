"""Named test actors (DESIGN: tests), as healthchecks' hc/test.py does.

alice and bob: agents in queue A; carol: a manager; oscar: an agent outside.
"""

from __future__ import annotations

import pytest

from chatdesk.accounts.models import Role
from tests.factories import QueueFactory, QueueMemberFactory, UserFactory


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", first_name="Alice", extension="201")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", first_name="Bob", extension="202")


@pytest.fixture
def carol(db):
    return UserFactory(username="carol", first_name="Carol", role=Role.MANAGER)


@pytest.fixture
def oscar(db):
    return UserFactory(username="oscar", first_name="Oscar", extension="209")


@pytest.fixture
def queue_a(db, alice, bob):
    queue = QueueFactory(name="Queue A")
    QueueMemberFactory(queue=queue, agent=alice, priority=1)
    QueueMemberFactory(queue=queue, agent=bob, priority=2)
    return queue
