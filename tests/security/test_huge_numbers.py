"""Numbers beyond the database's 64-bit range, and non-numbers, in every id or integer a
client may send: 4xx, never an overflow or a TypeError (the write-operation fuzz found
500s on reply attachments, block minutes and a channel account's route)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from chatdesk.accounts.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HUGE = 2**70

CASES = [
    ("post", "/api/v1/conversations/{c}/messages/", {"body": "x", "attachments": [HUGE]}),
    ("post", "/api/v1/conversations/{c}/block/", {"minutes": HUGE}),
    ("post", "/api/v1/conversations/{c}/transfer/", {"agent": HUGE}),
    ("post", "/api/v1/conversations/internal/", {"agent": HUGE}),
    ("post", "/api/v1/contacts/{k}/merge/", {"other": HUGE}),
    ("post", "/api/v1/contacts/{k}/sms/", {"account": HUGE, "body": "x"}),
    ("post", "/api/v1/templates/{t}/render/", {"conversation": HUGE}),
    ("post", "/api/v1/templates/", {"title": "t", "body": "b", "queue": HUGE}),
    (
        "post",
        "/api/v1/queues/",
        {"name": "q", "strategy": "ring_all", "members": [{"agent": HUGE, "priority": 1}]},
    ),
    (
        "post",
        "/api/v1/queues/",
        {"name": "q2", "strategy": "ring_all", "ring_timeout_seconds": HUGE},
    ),
    ("patch", "/api/v1/agents/{b}/", {"max_chats": HUGE}),
    ("patch", "/api/v1/channel-accounts/{a}/", {"route": {"queue": HUGE}}),
    ("patch", "/api/v1/channel-accounts/{a}/", {"route": {"agent": HUGE}}),
    ("patch", "/api/v1/channel-accounts/{a}/", {"route": {"agent": []}}),
    ("patch", "/api/v1/channel-accounts/{a}/", {"route": {"queue": "x"}}),
]


@pytest.mark.parametrize(("method", "path", "body"), CASES)
def test_huge_integer_is_a_client_error(world, method, path, body):
    owner = UserFactory(username="huge-numbers", role=Role.SYSTEM_OWNER)
    client = APIClient()
    client.force_authenticate(owner)
    client.raise_request_exception = False
    url = path.format(
        c=world.conversation, k=world.contact, b=world.bob, t=world.template, a=world.account
    )
    response = getattr(client, method)(url, body, format="json")
    assert 400 <= response.status_code < 500, (url, response.status_code)
