"""What one delivery costs beyond the provider's POST: SQL statements, Redis round trips.

Pinned so a regression shows here rather than as a slower bench scenario 5:
with the emulator answering at once, the delivery task's own work is what separates it
from baseline (d), a bare task doing the same POST.
"""

from __future__ import annotations

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels_ingest.tasks import deliver_message
from channels_ingest.throughput import wait_seconds
from chatdesk.inbox.models import DeliveryStatus, Message
from chatdesk.inbox.selectors import conversation_audience
from chatdesk.inbox.services import delivery
from chatdesk.inbox.services.delivery import Outcome
from chatdesk.inbox.services.ownership import message_reply
from tests.factories import ChannelAccountFactory

from .support import (
    OUR_NUMBER,
    TWILIO_CREDENTIALS,
)

pytestmark = pytest.mark.django_db

# The claim (UPDATE ... RETURNING); the replies with their conversation, identity and
# account; their files; the customers' last inbound times (24-hour window); then one
# transaction (2 statements on its edges): the UPDATE recording the providers' ids, the
# conversations locked, each one's audience, the events and their recipients. The same
# for a batch of a sender's replies in one conversation as for one reply. Plus one read
# of the active webhook subscriptions for the batch's message.status events.
QUERIES_PER_DELIVERY = 11 + 1


class RedisTraffic:
    def __init__(self) -> None:
        self.commands: list[str] = []  # through redis-py's sync clients, in order
        self.connects = 0  # new connections (each one a handshake before any command)

    def clear(self) -> None:
        self.commands.clear()
        self.connects = 0


@pytest.fixture
def redis_traffic(monkeypatch):
    traffic = RedisTraffic()
    execute, handshake = (
        redis.Redis.execute_command,
        redis.connection.AbstractConnection.on_connect_check_health,
    )

    def counting_execute(self, *args, **options):
        traffic.commands.append(str(args[0]))
        return execute(self, *args, **options)

    def counting_handshake(self, *args, **kwargs):
        traffic.connects += 1
        return handshake(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", counting_execute)
    monkeypatch.setattr(
        redis.connection.AbstractConnection, "on_connect_check_health", counting_handshake
    )
    return traffic


def _reply(customer_writes, account, alice, body="Hello from Chatdesk", address="14155550123"):
    conversation = customer_writes("hi", to=account, address=address).conversation
    message, _ = message_reply(conversation_id=conversation.pk, agent=alice, body=body)
    return message


def test_a_text_reply_costs_a_fixed_number_of_queries(
    providers, eager, wa_account, alice, customer_writes, capture_events
):
    first = _reply(customer_writes, wa_account, alice, body="first")
    deliver_message.apply(args=(first.pk,))  # warm: the process's Redis client and script
    second, _ = message_reply(conversation_id=first.conversation_id, agent=alice, body="second")
    log = capture_events()
    with CaptureQueriesContext(connection) as queries:
        assert deliver_message.apply(args=(second.pk,)).get() == "sent"
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == QUERIES_PER_DELIVERY, "\n".join(statements)
    if connection.features.has_select_for_update:
        # The status event's audience is read from the conversation locked until commit.
        assert any('FROM "inbox_conversation"' in s and "FOR UPDATE" in s for s in statements)
    second.refresh_from_db()
    assert second.delivery_status == DeliveryStatus.SENT
    assert second.provider_message_id.startswith("wamid.")
    assert second.delivery_claimed_at is None
    assert log.received(alice, "message.status") == [
        {
            "type": "message.status",
            "data": {
                "conversation": second.conversation_id,
                "id": second.pk,
                "delivery_status": "sent",
                "delivery_error": "",
                "delivery_problem": "",
            },
        }
    ]


def test_a_batch_of_a_senders_replies_costs_what_one_reply_costs(
    providers, eager, wa_account, alice, customer_writes, capture_events, redis_traffic
):
    first = _reply(customer_writes, wa_account, alice, body="first")
    deliver_message.apply(args=(first.pk,))  # warm: the process's Redis client and script
    replies = [
        message_reply(conversation_id=first.conversation_id, agent=alice, body=f"n{n}")[0]
        for n in range(5)
    ]
    log = capture_events()
    redis_traffic.clear()
    with CaptureQueriesContext(connection) as queries:
        assert deliver_message.apply(args=(replies[0].pk,)).get() == "sent"
    assert len(queries.captured_queries) == QUERIES_PER_DELIVERY
    assert redis_traffic.commands == ["EVALSHA"]  # one limiter round trip for the batch
    bodies = [r.json()["text"]["body"] for r in providers.requests("whatsapp")]
    assert bodies == ["first", "n0", "n1", "n2", "n3", "n4"]
    assert set(
        Message.objects.filter(pk__in=[m.pk for m in replies]).values_list(
            "delivery_status", "delivery_due_at", "delivery_claimed_at"
        )
    ) == {(DeliveryStatus.SENT, None, None)}
    statuses = log.received(alice, "message.status")
    assert [e["data"]["id"] for e in statuses] == [m.pk for m in replies]
    # Later runs queued for the others find them sent.
    assert all(deliver_message.apply(args=(m.pk,)).get() == "not pending" for m in replies)
    assert len(providers.requests("whatsapp")) == 6


def test_an_sms_reply_asks_for_its_files_once(
    providers, eager, queue_a, alice, customer_writes, settings
):
    """The limiter's weight (segments of a text-only SMS) and the send share one read."""
    account = ChannelAccountFactory(
        kind="sms",
        external_id=OUR_NUMBER,
        credentials=TWILIO_CREDENTIALS,
        route_queue=queue_a,
        max_messages_per_second=1000,
    )
    message = _reply(customer_writes, account, alice, body="hello", address="+14155550123")
    with CaptureQueriesContext(connection) as queries:
        deliver_message.apply(args=(message.pk,))
    message.refresh_from_db()
    assert message.provider_message_id  # accepted (Twilio's "queued" stays pending)
    files = [q for q in queries.captured_queries if 'FROM "inbox_attachment"' in q["sql"]]
    assert len(files) == 1
    assert len(queries.captured_queries) == QUERIES_PER_DELIVERY


def test_the_rate_limit_is_one_redis_round_trip_on_a_kept_connection(redis_traffic):
    wait_seconds(sender_key="test-round-trips-warm", rate_per_second=1000)
    redis_traffic.clear()
    for n in range(3):
        assert wait_seconds(sender_key=f"test-round-trips-{n}", rate_per_second=1000) == 0.0
    assert redis_traffic.commands == ["EVALSHA"] * 3
    assert redis_traffic.connects == 0


def test_the_rate_limit_survives_a_flushed_script_cache(redis_traffic, settings):
    """After a Redis restart (or SCRIPT FLUSH) the script is loaded again, not failed."""
    wait_seconds(sender_key="test-flush-warm", rate_per_second=1000)
    redis.Redis.from_url(settings.REDIS_URL).script_flush()
    redis_traffic.clear()
    assert wait_seconds(sender_key="test-flush", rate_per_second=1000) == 0.0
    assert redis_traffic.commands == ["EVALSHA", "SCRIPT LOAD", "EVALSHA"]


def test_the_delivery_sends_one_redis_command(
    providers, eager, wa_account, alice, customer_writes, redis_traffic
):
    """Beyond the status event's fan-out, which goes through the channel layer (asyncio)."""
    first = _reply(customer_writes, wa_account, alice, body="first")
    deliver_message.apply(args=(first.pk,))
    second, _ = message_reply(conversation_id=first.conversation_id, agent=alice, body="second")
    redis_traffic.clear()
    deliver_message.apply(args=(second.pk,))
    assert redis_traffic.commands == ["EVALSHA"]
    assert redis_traffic.connects == 0


def test_recording_a_send_keeps_a_status_already_past_pending(wa_account, alice, customer_writes):
    """A claim that lapsed mid-send (the sweep sent it too): the later answer records its
    id but never moves the status back."""
    message = _reply(customer_writes, wa_account, alice)
    (claimed,) = delivery.outbox_claim(message_id=message.pk)
    Message.objects.filter(pk=message.pk).update(delivery_status=DeliveryStatus.DELIVERED)
    delivery.outbox_record(
        [Outcome.sent(claimed.message, provider_message_id="wamid.second", status="sent")]
    )
    assert claimed.message.delivery_status == DeliveryStatus.DELIVERED
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.DELIVERED
    assert message.provider_message_id == "wamid.second"
    assert message.delivery_claimed_at is None and message.delivery_due_at is None


def test_the_status_event_goes_to_who_sees_the_conversation_at_commit(
    wa_account, alice, bob, customer_writes, capture_events
):
    """Read after the send, not at the claim: a transfer during the POST is honoured."""
    message = _reply(customer_writes, wa_account, alice)
    (claimed,) = delivery.outbox_claim(message_id=message.pk)
    conversation = claimed.message.conversation
    type(conversation).objects.filter(pk=conversation.pk).update(owner=bob)  # meanwhile
    log = capture_events()
    delivery.outbox_record(
        [Outcome.sent(claimed.message, provider_message_id="wamid.x", status="sent")]
    )
    conversation.refresh_from_db()
    assert bob.pk in conversation_audience(conversation)
    assert alice.pk not in conversation_audience(conversation)
    assert [e["type"] for e in log.received(bob)] == ["message.status"]
    assert log.received(alice) == []


def test_a_worker_keeps_one_provider_client_per_process_and_timeout(settings, monkeypatch):
    from channels_ingest import outbox

    first = outbox.provider_client()
    # Kept: no new TLS context (the CA bundle loaded again) or connection per message.
    assert outbox.provider_client() is first
    settings.PROVIDER_TIMEOUT_SECONDS = 3
    shorter = outbox.provider_client()
    assert shorter is not first and shorter.timeout.read == 3
    # A forked worker process must not share its parent's sockets.
    monkeypatch.setattr(outbox.os, "getpid", lambda: -1)
    assert outbox.provider_client() is not shorter
