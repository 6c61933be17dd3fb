"""A loopback provider emulator for the whole module run, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from channels_ingest.providers import get_adapter
from channels_ingest.providers.base import ProviderAdapter
from chatdesk.celery import app as celery_app
from devtools.emulator import ProviderEmulator
from tests.factories import ChannelAccountFactory

from .support import FIXTURES, PHONE_NUMBER_ID, WHATSAPP_CREDENTIALS

CLIENT_TIMEOUT_SECONDS = 0.5


@pytest.fixture(scope="session")
def _emulator_server() -> Iterator[ProviderEmulator]:
    # The emulator holds a "timeout" answer longer than the client waits.
    with ProviderEmulator(fixtures_dir=FIXTURES, timeout_seconds=2.0) as emulator:
        yield emulator


@pytest.fixture
def emulator(_emulator_server: ProviderEmulator) -> ProviderEmulator:
    _emulator_server.reset()
    return _emulator_server


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=CLIENT_TIMEOUT_SECONDS) as http_client:
        yield http_client


@pytest.fixture
def whatsapp(emulator: ProviderEmulator) -> ProviderAdapter:
    return get_adapter("whatsapp", base_url=emulator.whatsapp_graph_url)


@pytest.fixture
def messenger(emulator: ProviderEmulator) -> ProviderAdapter:
    return get_adapter("messenger", base_url=emulator.messenger_graph_url)


@pytest.fixture
def twilio(emulator: ProviderEmulator) -> ProviderAdapter:
    return get_adapter("sms", base_url=emulator.twilio_api_url)


# Shared by the delivery tests.
@pytest.fixture
def providers(settings, emulator):
    settings.WHATSAPP_GRAPH_URL = emulator.whatsapp_graph_url
    settings.MESSENGER_GRAPH_URL = emulator.messenger_graph_url
    settings.TWILIO_API_URL = emulator.twilio_api_url
    return emulator


@pytest.fixture
def eager():
    """Run tasks in-process, retries included (their countdowns are not waited for)."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def wa_account(queue_a):
    return ChannelAccountFactory(
        kind="whatsapp",
        external_id=PHONE_NUMBER_ID,
        credentials=WHATSAPP_CREDENTIALS,
        route_queue=queue_a,
    )
