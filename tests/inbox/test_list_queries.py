"""List endpoints run a constant number of queries whatever the page size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_conversation_list_is_constant_in_n(customer_writes, carol, api):
    client = api(carol)
    for i in range(3):
        customer_writes(f"hello {i}", address=f"1415555020{i}")
    small = _queries(client, "/api/v1/conversations/")
    for i in range(3, 20):
        customer_writes(f"hello {i}", address=f"141555502{i:02d}")
    assert _queries(client, "/api/v1/conversations/") == small
    assert client.get("/api/v1/conversations/").json()["count"] == 20


def test_message_list_is_constant_in_n(customer_writes, carol, api):
    conversation = customer_writes("first").conversation
    url = f"/api/v1/conversations/{conversation.pk}/messages/"
    small = _queries(api(carol), url)
    for i in range(15):
        customer_writes(f"more {i}")
    assert _queries(api(carol), url) == small
