"""Replies waiting to go out when the due time arrived get one: now, or when their hold
(a claim set back to lapse when a retry or a slot was due) lapses; the claims are cleared."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("inbox", "0010_conversation_held_until_conversation_offline")]
AFTER = [("inbox", "0011_message_delivery_due_at")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.fixture(autouse=True)
def _back_to_the_latest_schema():
    """Later migrations' columns come back for the tests that run after this one."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_waiting_replies_get_their_due_time(settings):
    apps = _migrate(BEFORE)
    Conversation = apps.get_model("inbox", "Conversation")
    Message = apps.get_model("inbox", "Message")
    chat = Conversation.objects.create(channel="whatsapp")
    internal = Conversation.objects.create(channel="internal")
    now = timezone.now()
    timeout = timedelta(seconds=settings.DELIVERY_CLAIM_TIMEOUT_SECONDS)

    def reply(conversation=chat, **fields):
        return Message.objects.create(conversation=conversation, direction="out", **fields).pk

    fresh = reply()
    held = reply(delivery_claimed_at=now + timedelta(seconds=40) - timeout)  # due in 40 s
    sent = reply(delivery_status="sent", provider_message_id="wamid.sent")
    queued = reply(provider_message_id="SMqueued")  # accepted, still queued at Twilio
    note = reply(conversation=internal)
    inbound = Message.objects.create(conversation=chat, direction="in").pk

    apps = _migrate(AFTER)
    Message = apps.get_model("inbox", "Message")
    rows = {
        row["pk"]: row
        for row in Message.objects.values(
            "pk", "created_at", "delivery_due_at", "delivery_claimed_at"
        )
    }
    assert rows[fresh]["delivery_due_at"] == rows[fresh]["created_at"]
    due_in = (rows[held]["delivery_due_at"] - now).total_seconds()
    assert abs(due_in - 40) < 1 and rows[held]["delivery_claimed_at"] is None
    for nothing_to_send in (sent, queued, note, inbound):
        assert rows[nothing_to_send]["delivery_due_at"] is None
