"""The outbox: one due time per waiting reply, moved by retries and by the sender's limit,
read by the workers' claims and by the sweep; batches claimed once each, sent once each."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
import redis

from channels_ingest import outbox, throughput
from channels_ingest.tasks import deliver_message, resend_pending
from chatdesk.inbox.models import DeliveryStatus, Message
from chatdesk.inbox.services import delivery
from chatdesk.inbox.services.common import now
from chatdesk.inbox.services.ownership import message_reply
from tests.concurrency import at_once
from tests.factories import ChannelAccountFactory

from .support import OUR_NUMBER, TWILIO_CREDENTIALS, WHATSAPP_CREDENTIALS

pytestmark = pytest.mark.django_db


def _replies(customer_writes, account, alice, count: int) -> list[Message]:
    conversation = customer_writes("hi", to=account, address="14155550123").conversation
    return [
        message_reply(conversation_id=conversation.pk, agent=alice, body=f"reply {n}")[0]
        for n in range(count)
    ]


def _limited(queue, rate: int):
    return ChannelAccountFactory(
        kind="whatsapp",
        credentials=WHATSAPP_CREDENTIALS,
        route_queue=queue,
        max_messages_per_second=rate,
    )


def _row(message: Message) -> Message:
    return Message.objects.get(pk=message.pk)


@pytest.fixture
def limiter_answers(monkeypatch):
    """Every slot the sender's limit answered, in order (a runaway re-asking fails fast)."""
    answered: list[throughput.Slot] = []
    real = outbox.slots

    def counting(**kwargs):
        assert len(answered) < 50, "the limit is asked again and again"
        given = real(**kwargs)
        answered.extend(given.values())
        return given

    monkeypatch.setattr(outbox, "slots", counting)
    return answered


def test_a_transient_error_moves_the_due_time_by_its_backoff(
    providers, wa_account, alice, customer_writes
):
    (reply,) = _replies(customer_writes, wa_account, alice, 1)
    providers.fail_next("whatsapp", "500")
    before = now()
    run = outbox.deliver_due(reply.pk)
    row = _row(reply)
    assert run.status == "waiting" and row.delivery_status == DeliveryStatus.PENDING
    assert row.delivery_attempts == 1 and row.delivery_claimed_at is None
    # Attempt 1 backs off uniformly between 1 and 2 seconds; its run is queued for then.
    ((queued_id, countdown),) = run.later
    assert queued_id == reply.pk and 1.0 <= countdown <= 2.0
    waited = (row.delivery_due_at - before).total_seconds()
    assert 1.0 <= waited <= 2.5 and abs(waited - countdown) < 0.5
    # Before it is due nothing is sent: not by its run, not by the sweep.
    assert outbox.deliver_due(reply.pk).status == "not pending"
    assert delivery.outbox_overdue(older_than=timedelta(0)) == []
    assert len(providers.requests("whatsapp")) == 1
    Message.objects.filter(pk=reply.pk).update(delivery_due_at=now())  # its time has come
    assert outbox.deliver_due(reply.pk).status == "sent"
    row = _row(reply)
    assert row.delivery_attempts == 1 and row.delivery_due_at is None


def test_a_retry_never_comes_sooner_than_the_provider_asked(
    providers, queue_a, alice, customer_writes
):
    account = ChannelAccountFactory(
        kind="sms", external_id=OUR_NUMBER, credentials=TWILIO_CREDENTIALS, route_queue=queue_a
    )
    conversation = customer_writes("hi", to=account, address="+14155550123").conversation
    reply, _ = message_reply(conversation_id=conversation.pk, agent=alice, body="hello")
    providers.fail_next("twilio", "429", retry_after=7)
    before = now()
    run = outbox.deliver_due(reply.pk)
    assert run.later[0][1] >= 7
    assert (_row(reply).delivery_due_at - before).total_seconds() >= 7


def test_the_last_attempt_fails_the_reply(providers, wa_account, alice, customer_writes, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 2
    (reply,) = _replies(customer_writes, wa_account, alice, 1)
    providers.fail_next("whatsapp", "500", times=2)
    assert outbox.deliver_due(reply.pk).status == "waiting"
    Message.objects.filter(pk=reply.pk).update(delivery_due_at=now())
    assert outbox.deliver_due(reply.pk).status == "failed"
    row = _row(reply)
    assert row.delivery_status == DeliveryStatus.FAILED and row.delivery_due_at is None
    assert "500" in row.delivery_error or row.delivery_error


def test_the_sweep_sends_only_due_unclaimed_replies_and_those_of_lost_workers(
    providers, eager, wa_account, alice, customer_writes, settings
):
    settings.OUTBOX_PENDING_AGE_SECONDS = 60
    overdue, recent, ahead, claimed, lost = _replies(customer_writes, wa_account, alice, 5)
    long_ago = now() - timedelta(minutes=10)
    lapsed = now() - timedelta(seconds=settings.DELIVERY_CLAIM_TIMEOUT_SECONDS + 5)
    Message.objects.filter(pk__in=[overdue.pk, claimed.pk, lost.pk]).update(
        delivery_due_at=long_ago
    )
    Message.objects.filter(pk=ahead.pk).update(delivery_due_at=now() + timedelta(minutes=5))
    Message.objects.filter(pk=claimed.pk).update(delivery_claimed_at=now())  # a live worker's
    Message.objects.filter(pk=lost.pk).update(delivery_claimed_at=lapsed)  # lost with its worker
    assert sorted(delivery.outbox_overdue(older_than=timedelta(seconds=60))) == sorted(
        [overdue.pk, lost.pk]
    )
    assert resend_pending.apply().get() == 2
    statuses = dict(
        Message.objects.filter(direction="out", kind="message").values_list("pk", "delivery_status")
    )
    # `recent` is due but not for long: its own run is on its way; the sweep's run for
    # `overdue` took it along (one sender's due replies go together).
    assert statuses == {
        overdue.pk: DeliveryStatus.SENT,
        recent.pk: DeliveryStatus.SENT,
        ahead.pk: DeliveryStatus.PENDING,
        claimed.pk: DeliveryStatus.PENDING,
        lost.pk: DeliveryStatus.SENT,
    }
    assert len(providers.requests("whatsapp")) == 3


def test_a_reply_over_the_limit_has_its_due_time_moved_to_its_slot(
    providers, queue_a, alice, customer_writes, limiter_answers
):
    account = _limited(queue_a, 1)
    first, second = _replies(customer_writes, account, alice, 2)
    run = outbox.deliver_due(first.pk)
    assert run.status == "sent"
    # One round trip for both: the first goes now, the second is given the next slot.
    assert [a.held for a in limiter_answers] == [False, False]
    assert limiter_answers[0].wait == 0 and 0.9 < limiter_answers[1].wait <= 1.01
    ((queued_id, countdown),) = run.later
    assert queued_id == second.pk and countdown == limiter_answers[1].wait
    row = _row(second)
    assert row.delivery_status == DeliveryStatus.PENDING and row.delivery_attempts == 0
    assert 0.8 < (row.delivery_due_at - now()).total_seconds() <= 1.01
    assert outbox.deliver_due(second.pk).status == "not pending"  # not due yet
    time.sleep(max(0.0, (row.delivery_due_at - now()).total_seconds()) + 0.05)
    assert outbox.deliver_due(second.pk).status == "sent"
    assert limiter_answers[2].held  # at its slot: sent without taking another
    assert len(limiter_answers) == 3
    bodies = [r.json()["text"]["body"] for r in providers.requests("whatsapp")]
    assert bodies == ["reply 0", "reply 1"]


def test_eagerly_a_reply_over_the_limit_asks_once_and_goes_at_its_slot(
    providers, eager, queue_a, alice, customer_writes, limiter_answers
):
    account = _limited(queue_a, 1)
    first, second = _replies(customer_writes, account, alice, 2)
    assert deliver_message.apply(args=(first.pk,)).get() == "sent"  # second's run follows
    assert [a.held for a in limiter_answers] == [False, False, True]
    assert _row(second).delivery_status == DeliveryStatus.SENT
    assert _row(second).delivery_attempts == 0


def _sleep_until_due(message: Message) -> None:
    due = _row(message).delivery_due_at
    time.sleep(max(0.0, (due - now()).total_seconds()) + 0.05)


def test_a_failed_attempt_at_its_slot_waits_for_a_new_one(
    providers, queue_a, alice, customer_writes, limiter_answers
):
    account = _limited(queue_a, 1)
    first, second = _replies(customer_writes, account, alice, 2)
    outbox.deliver_due(first.pk)
    _sleep_until_due(second)
    providers.fail_next("whatsapp", "500")
    run = outbox.deliver_due(second.pk)
    assert [a.held for a in limiter_answers] == [False, False, True]
    assert limiter_answers[2].wait == 0  # sent at its slot, and refused
    ((_, backoff),) = run.later
    assert backoff >= 1
    _sleep_until_due(second)
    assert outbox.deliver_due(second.pk).status == "sent"
    assert limiter_answers[3].held is False  # the new attempt took a new place in line
    row = _row(second)
    assert row.delivery_status == DeliveryStatus.SENT and row.delivery_attempts == 1


def test_a_reply_late_for_its_slot_goes_when_the_sends_allow_and_keeps_its_place(settings):
    """Replies whose slots passed while the workers were busy must neither all go at
    once, above the sender's rate, nor go to the back of the line: sent to the back, an
    SMS backlog behind a busy WhatsApp sender took a new slot at each late run, the line
    grew faster than the replies went, and most were never sent (docs/performance.md)."""
    sender = f"test-{uuid.uuid4()}"
    given = throughput.slots(sender_key=sender, rate_per_second=1, weights={1: 1, 2: 1, 3: 1})
    assert given[1].wait == 0 and 0.9 < given[2].wait <= 1.0 and 1.9 < given[3].wait <= 2.0
    early = throughput.SEND_LATENESS_SECONDS  # the real sends' allowance for late runs
    again = throughput.slots(sender_key=sender, rate_per_second=1, weights={2: 1})
    assert again[2].held and abs(again[2].wait - (given[2].wait - early)) < 0.1
    # Replies 2 and 3 are late for their slots: the workers were busy.
    client = redis.Redis.from_url(settings.REDIS_URL)
    for reply_id in (2, 3):
        client.set(f"chatdesk:gcra:{sender}:slot:{reply_id}", str(time.time() - 5))
    late = throughput.slots(sender_key=sender, rate_per_second=1, weights={2: 1, 3: 1})
    assert late[2].held and late[3].held
    # Reply 1 went a moment ago: 2 goes a second after it and 3 a second later (each at
    # most the allowance early), never all at once, and neither behind the line's three
    # reserved slots.
    assert 0.9 - early < late[2].wait <= 1.0 - early
    assert 1.9 - early < late[3].wait <= 2.0 - early
    # The line itself did not grow: a new reply's slot is still right after the three.
    new = throughput.slots(sender_key=sender, rate_per_second=1, weights={4: 1})
    assert not new[4].held and 2.9 < new[4].wait <= 3.0


def test_the_limit_holds_across_batches(providers, queue_a, alice, customer_writes):
    """Eight replies at 5/s, run as the workers would (each queued run at its time): the
    first five go at once (the burst), then one every fifth of a second."""
    account = _limited(queue_a, 5)
    replies = _replies(customer_writes, account, alice, 8)
    queued = [(time.monotonic(), replies[0].pk)]
    while queued:
        queued.sort()
        at, message_id = queued.pop(0)
        time.sleep(max(0.0, at - time.monotonic()))
        run = outbox.deliver_due(message_id)
        queued += [(time.monotonic() + seconds, pk) for pk, seconds in run.later]
    sent = providers.requests("whatsapp")
    assert sorted(r.json()["text"]["body"] for r in sent) == sorted(m.body for m in replies)
    times = [r.at for r in sent]
    # Never above the rate: the k-th send after the burst of five no sooner than k fifths
    # of a second after the first (less the clocks' jitter).
    for k, at in enumerate(times[5:], start=1):
        assert at - times[0] >= k * 0.2 - 0.03, (k, at - times[0])
    # And the limit is used: all eight within the three fifths of a second they need,
    # give or take the test's own pace.
    assert times[-1] - times[0] < 0.6 + 0.5
    assert set(
        Message.objects.filter(direction="out").values_list("delivery_status", flat=True)
    ) == {DeliveryStatus.SENT}


def test_a_live_chat_reply_takes_no_slot(eager, queue_a, alice, customer_writes, limiter_answers):
    site = ChannelAccountFactory(kind="livechat", credentials={}, route_queue=queue_a)
    (reply,) = _replies(customer_writes, site, alice, 1)
    assert deliver_message.apply(args=(reply.pk,)).get() in ("sent", "delivered")
    assert limiter_answers == []
    assert _row(reply).provider_message_id == f"livechat-{reply.pk}"
    assert _row(reply).delivery_due_at is None


@pytest.mark.django_db(transaction=True)
def test_two_workers_claim_each_reply_once(wa_account, alice, customer_writes):
    replies = _replies(customer_writes, wa_account, alice, 30)
    ids = [m.pk for m in replies]
    claims = at_once(
        lambda i: [o.message.pk for o in delivery.outbox_claim(message_id=ids[i], limit=20)], 2
    )
    taken = [pk for claim in claims for pk in claim]
    assert len(taken) == len(set(taken))
    assert sorted(taken) == ids  # 30 due: the two batches took them all between them


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_every_reply_exactly_once(
    providers, wa_account, alice, customer_writes
):
    replies = _replies(customer_writes, wa_account, alice, 40)
    ids = [m.pk for m in replies]

    def worker(index: int) -> None:
        for message_id in ids[index::4]:  # each reply's queued run, spread over 4 workers
            outbox.deliver_due(message_id)

    at_once(worker, 4)
    bodies = [r.json()["text"]["body"] for r in providers.requests("whatsapp")]
    assert sorted(bodies) == sorted(m.body for m in replies)  # each once, none lost
    assert set(
        Message.objects.filter(pk__in=ids).values_list("delivery_status", "delivery_claimed_at")
    ) == {(DeliveryStatus.SENT, None)}
