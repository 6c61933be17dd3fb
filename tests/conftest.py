"""Named test actors, so every test reads as a story, as healthchecks' hc/test.py does.

alice and bob: agents in queue A; carol: a manager; oscar: an agent outside.
"""

from __future__ import annotations

import itertools

import pytest
import redis
from rest_framework.test import APIClient

from channels_ingest.services import forget_accounts
from chatdesk.accounts.models import Role
from chatdesk.inbox.models import Event
from chatdesk.inbox.services.receive import message_receive
from tests.browser import MISSING, SKIP_PREFIX, browser_required, chromium_missing, drives_a_browser
from tests.factories import (
    ChannelAccountFactory,
    QueueFactory,
    QueueMemberFactory,
    UserFactory,
    inbound_from,
)


@pytest.fixture(autouse=True)
def _no_cached_accounts():
    """Each test reads its own channel accounts: a rolled-back test's rows fire no signal,
    so the webhooks' per-process cache would otherwise outlive them."""
    forget_accounts()


@pytest.fixture(autouse=True)
def _fresh_sender_state(settings):
    """Each test's senders start with no slots taken and no delivery run marked queued:
    that state lives in Redis keyed by account id, and a rolled-back test's ids come back
    in the next one."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    stale = [
        *client.scan_iter(match="chatdesk:gcra:*"),
        *client.scan_iter(match="chatdesk:outbox:*"),
    ]
    if stale:
        client.delete(*stale)


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


_ids = itertools.count(1)


@pytest.fixture
def account(queue_a):
    return ChannelAccountFactory(kind="whatsapp", route_queue=queue_a)


@pytest.fixture
def customer_writes(account):
    """customer_writes("hello", address=...) -> the stored Message, as a webhook would."""

    def write(
        body: str = "Hello",
        *,
        address: str = "14155550123",
        name: str = "Alice Example",
        to=None,
        pmid: str | None = None,
    ):
        inbound = inbound_from(
            to or account,
            address=address,
            name=name,
            body=body,
            pmid=pmid or f"wamid.test{next(_ids)}",
        )
        message, _ = message_receive(inbound=inbound)
        return message

    return write


@pytest.fixture
def api():
    """api(user) -> an APIClient signed in as that user."""

    def client_for(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


class EventLog:
    """What was published since the fixture started: who got which event type."""

    def __init__(self) -> None:
        self.start = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def received(self, user, event_type: str | None = None) -> list[dict]:
        events = Event.objects.filter(pk__gt=self.start, recipients__agent=user).order_by("pk")
        if event_type:
            events = events.filter(type=event_type)
        return [{"type": e.type, "data": e.data} for e in events]

    def types(self, user) -> list[str]:
        return [e["type"] for e in self.received(user)]


@pytest.fixture
def capture_events(db):
    """capture_events() -> an EventLog of what was stored (and fanned out) from now on."""
    return EventLog


# Suites that cost minutes and prove most against PostgreSQL + Redis: `make test` leaves
# them out (`-m "not once"`); `make test-all` and CI's PostgreSQL + Redis leg run them.
_ONCE_DIRS = ("e2e", "reliability")
_ONCE_FILES = ("test_schemathesis.py",)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_browser = chromium_missing() and not browser_required()
    for item in items:
        parts = item.path.relative_to(config.rootpath).parts
        if any(d in parts for d in _ONCE_DIRS) or item.path.name in _ONCE_FILES:
            item.add_marker(pytest.mark.once)
        if drives_a_browser(item, config.rootpath):
            item.add_marker(pytest.mark.browser)
            if skip_browser:
                item.add_marker(pytest.mark.skip(reason=SKIP_PREFIX + MISSING))


def pytest_terminal_summary(terminalreporter) -> None:
    """One loud line when the browser tests did not run for want of chromium."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if SKIP_PREFIX in str(report.longrepr)
    ]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} BROWSER TESTS SKIPPED: {MISSING}; "
            "CHATDESK_REQUIRE_BROWSER=1 makes this a failure (CI sets it).",
            red=True,
            bold=True,
        )
