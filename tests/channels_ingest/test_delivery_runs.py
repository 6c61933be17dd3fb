"""Queued delivery runs: one per sender for what is due now and one per moment for what
comes due later, never one per reply, and still no reply left behind."""

from __future__ import annotations

import pytest

from channels_ingest import outbox, runs, tasks
from channels_ingest.tasks import deliver_message, enqueue_delivery
from chatdesk.inbox.models import DeliveryStatus, Message
from chatdesk.inbox.services.ownership import message_reply
from tests.factories import ChannelAccountFactory

from .support import WHATSAPP_CREDENTIALS

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """The runs handed to the broker (args, countdown), in order; none of them runs."""
    calls: list[tuple[tuple, float | None]] = []
    monkeypatch.setattr(deliver_message, "delay", lambda *args: calls.append((args, None)))
    monkeypatch.setattr(
        deliver_message,
        "apply_async",
        lambda args, countdown=None: calls.append((tuple(args), countdown)),
    )
    return calls


def _replies(customer_writes, account, alice, count: int) -> list[Message]:
    conversation = customer_writes("hi", to=account, address="14155550123").conversation
    return [
        message_reply(conversation_id=conversation.pk, agent=alice, body=f"reply {n}")[0]
        for n in range(count)
    ]


def test_a_sender_has_one_queued_run_until_it_starts(
    providers, wa_account, queue_a, alice, customer_writes, queued
):
    first, second = _replies(customer_writes, wa_account, alice, 2)
    other = ChannelAccountFactory(
        kind="whatsapp", credentials=WHATSAPP_CREDENTIALS, route_queue=queue_a
    )
    enqueue_delivery(first.pk, wa_account.pk)
    enqueue_delivery(second.pk, wa_account.pk)
    enqueue_delivery(first.pk, other.pk)  # another sender's line is its own
    assert queued == [((first.pk, wa_account.pk), None), ((first.pk, other.pk), None)]

    # The one run takes the reply whose enqueue it stood for too.
    assert deliver_message(first.pk, wa_account.pk) == "sent"
    bodies = sorted(r.json()["text"]["body"] for r in providers.requests("whatsapp"))
    assert bodies == ["reply 0", "reply 1"]
    assert Message.objects.get(pk=second.pk).delivery_status == DeliveryStatus.SENT

    # Started, it no longer stands for the sender's next reply.
    (third,) = _replies(customer_writes, wa_account, alice, 1)
    enqueue_delivery(third.pk, wa_account.pk)
    assert queued[-1] == ((third.pk, wa_account.pk), None)


def test_a_run_that_cannot_be_queued_leaves_no_mark(
    wa_account, alice, customer_writes, monkeypatch
):
    (reply,) = _replies(customer_writes, wa_account, alice, 1)

    def broker_down(*args):
        raise ConnectionError("broker down")

    monkeypatch.setattr(deliver_message, "delay", broker_down)
    with pytest.raises(ConnectionError):
        enqueue_delivery(reply.pk, wa_account.pk)
    # The next reply tries again rather than trusting a run that was never queued.
    assert runs.queue_now(wa_account.pk) is True


def test_replies_due_in_one_moment_share_one_run(monkeypatch):
    monkeypatch.setattr(runs.time, "time", lambda: 1000.0)
    # Windows of a quarter second: 1000.30 and 1000.31 end at 1000.50, 1000.90 at 1001.00.
    assert runs.one_per_moment(7, [(1, 0.30), (2, 0.31), (3, 0.90)]) == [(1, 0.5), (3, 1.0)]
    # Another worker leaving a reply in a moment already covered queues nothing for it.
    assert runs.one_per_moment(7, [(4, 0.40), (5, 1.20)]) == [(5, 1.25)]
    assert runs.one_per_moment(8, [(6, 0.40)]) == [(6, 0.5)]  # another sender's moments


def test_a_whole_batch_queues_the_next_run_before_it_sends(
    providers, wa_account, alice, customer_writes, queued
):
    replies = _replies(customer_writes, wa_account, alice, outbox.BATCH + 5)
    sent_when_queued: list[int] = []

    def next_batch(args):
        sent_when_queued.append(len(providers.requests("whatsapp")))

    tasks.deliver_message(replies[0].pk, wa_account.pk)
    assert queued == [((replies[0].pk, wa_account.pk), None)]
    assert len(providers.requests("whatsapp")) == outbox.BATCH

    # Queued before the batch's sends: another worker takes the next batch meanwhile.
    run = outbox.deliver_due(replies[-1].pk, next_batch=next_batch)
    assert run.more_due is False and sent_when_queued == []
    assert len(providers.requests("whatsapp")) == outbox.BATCH + 5

    more = _replies(customer_writes, wa_account, alice, outbox.BATCH)
    outbox.deliver_due(more[0].pk, next_batch=next_batch)
    assert sent_when_queued == [outbox.BATCH + 5]


def test_replies_left_for_later_are_queued_one_run_per_moment(
    providers, queue_a, alice, customer_writes, queued
):
    account = ChannelAccountFactory(
        kind="whatsapp",
        credentials=WHATSAPP_CREDENTIALS,
        route_queue=queue_a,
        max_messages_per_second=8,
    )
    replies = _replies(customer_writes, account, alice, 12)
    deliver_message(replies[0].pk)
    # A burst of eight goes now; the other four have slots an eighth of a second apart,
    # two or three quarter-second moments (as the clock falls): fewer runs than replies,
    # the last at or after the last slot.
    assert len(providers.requests("whatsapp")) == 8
    later = [countdown for _, countdown in queued if countdown is not None]
    assert 2 <= len(later) <= 3, queued
    due = sorted(
        Message.objects.filter(
            pk__in=[m.pk for m in replies], delivery_due_at__isnull=False
        ).values_list("delivery_due_at", flat=True)
    )
    assert len(due) == 4
    assert max(later) >= (due[-1] - due[0]).total_seconds()
