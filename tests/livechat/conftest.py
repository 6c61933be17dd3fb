"""Live-chat actors: a site routed to queue A, and a visitor who starts a session."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from channels_ingest.livechat import limits
from tests.factories import ChannelAccountFactory

ORIGIN = "http://127.0.0.1:8000"  # in ALLOWED_HOSTS, so the socket's origin check passes
WS_HEADERS = [(b"origin", ORIGIN.encode()), (b"host", b"127.0.0.1:8000")]
VISITOR_IPS = ("127.0.0.1", "203.0.113.7", "198.51.100.20", "unknown")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The limits live in the shared Redis cache; each test starts with clean counters."""
    cache.delete_many([limits.session_start_key(ip) for ip in VISITOR_IPS])
    yield
    cache.delete_many([limits.session_start_key(ip) for ip in VISITOR_IPS])


@pytest.fixture
def site(queue_a):
    return ChannelAccountFactory(
        kind="livechat", name="Shop chat", external_id="shop-site", route_queue=queue_a
    )


@pytest.fixture
def start_session(site):
    """start_session(name=..., origin=..., ip=..., **body) -> the API response."""

    def start(*, origin: str | None = ORIGIN, ip: str = "127.0.0.1", **body):
        headers = {"HTTP_ORIGIN": origin} if origin else {}
        return APIClient().post(
            "/api/v1/livechat/sessions/",
            {"site_key": site.external_id, **body},
            format="json",
            REMOTE_ADDR=ip,
            **headers,
        )

    return start
