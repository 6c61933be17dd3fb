"""One production-shaped stack (tests/reliability/stack.py) for the whole package.

Starting two daphnes, two workers and beat costs seconds, so they are shared;
each test gets a flushed database (transactional tests), a reset emulator and
a stack with every process running again, whatever the previous test broke.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rest_framework.authtoken.models import Token

from channels_ingest.models import ChannelAccount
from chatdesk.accounts.models import User
from devtools.emulator import ProviderEmulator
from queues.models import Queue
from tests.channels_ingest.support import (
    OUR_NUMBER,
    PHONE_NUMBER_ID,
    TWILIO_CREDENTIALS,
    WHATSAPP_CREDENTIALS,
)
from tests.factories import ChannelAccountFactory, QueueFactory, QueueMemberFactory, UserFactory
from tests.live import test_database_url

from .stack import FAST_TIMINGS, Stack


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    # Kept on the item so the `live` fixture can print the children's logs on failure.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def emulator() -> Iterator[ProviderEmulator]:
    # A "timeout" answer is held longer than the workers wait (PROVIDER_TIMEOUT_SECONDS).
    hold = 2 * float(FAST_TIMINGS["PROVIDER_TIMEOUT_SECONDS"])
    with ProviderEmulator(timeout_seconds=hold) as server:
        yield server


@pytest.fixture(scope="package")
def stack(django_db_setup, django_db_blocker, emulator, tmp_path_factory) -> Iterator[Stack]:
    with django_db_blocker.unblock():
        database_url = test_database_url()
    running = Stack(
        database_url=database_url, emulator=emulator, workdir=tmp_path_factory.mktemp("stack")
    )
    try:
        yield running.start()
    finally:
        running.stop()


@pytest.fixture
def live(
    stack: Stack, emulator: ProviderEmulator, request: pytest.FixtureRequest
) -> Iterator[Stack]:
    stack.ensure_running()
    emulator.reset()
    yield stack
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        print(stack.logs())


class Desk:
    """The people and channels of one test: a queue, its agents, their API tokens."""

    def __init__(self, strategy: str, *, agents: int, ring_timeout: int) -> None:
        self.queue: Queue = QueueFactory(
            name=f"Support {strategy}",
            strategy=strategy,
            ring_timeout_seconds=ring_timeout,
            max_chats_per_agent=1000,
        )
        self.agents: list[User] = []
        for index in range(agents):
            agent = UserFactory(username=f"agent{index}", max_chats=1000)
            QueueMemberFactory(queue=self.queue, agent=agent, priority=index + 1)
            self.agents.append(agent)
        self.tokens = [Token.objects.create(user=agent).key for agent in self.agents]
        self.whatsapp: ChannelAccount = ChannelAccountFactory(
            kind="whatsapp",
            external_id=PHONE_NUMBER_ID,
            credentials=WHATSAPP_CREDENTIALS,
            route_queue=self.queue,
        )
        self.sms: ChannelAccount = ChannelAccountFactory(
            kind="sms",
            external_id=OUR_NUMBER,
            credentials=TWILIO_CREDENTIALS,
            route_queue=self.queue,
        )

    def auth(self, agent: int) -> dict[str, str]:
        return {"Authorization": f"Token {self.tokens[agent]}"}


@pytest.fixture
def desk(transactional_db):
    """desk(strategy="ring_all", agents=2, ring_timeout=30) -> a Desk, committed for the
    child processes to read."""

    def make(strategy: str = "ring_all", *, agents: int = 2, ring_timeout: int = 30) -> Desk:
        return Desk(strategy, agents=agents, ring_timeout=ring_timeout)

    return make
