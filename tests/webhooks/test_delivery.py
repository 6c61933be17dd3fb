"""Delivering over real HTTP: signed, retried with the same id, given up, never twice."""

from __future__ import annotations

import itertools
import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from chatdesk.inbox.services.ownership import conversation_take
from chatdesk.webhooks import services
from chatdesk.webhooks.models import WebhookDelivery
from chatdesk.webhooks.tasks import deliver_webhook
from tests.concurrency import at_once
from tests.webhooks.conftest import SECRET
from tests.webhooks.receiver import verify

pytestmark = pytest.mark.django_db

State = WebhookDelivery.State


def _make_due(delivery: WebhookDelivery) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_the_receiver_verifies_the_signature_of_the_exact_body(
    subscribe, receiver, customer_writes, alice, eager, django_capture_on_commit_callbacks
):
    subscribe("conversation.taken")
    message = customer_writes("Hello")
    with django_capture_on_commit_callbacks(execute=True):
        conversation_take(conversation_id=message.conversation_id, agent=alice)
    [got] = receiver.wait_for(1)
    assert got.verified
    assert got.status == 200
    event = got.event
    assert got.event_id == event["id"]
    assert event["type"] == "conversation.taken"
    assert event["data"]["id"] == message.conversation_id
    assert event["at"].endswith("Z")
    # Another secret, or one changed byte, fails the same check.
    assert not verify("another-secret-0123456789", got.body, got.signature)
    assert not verify(SECRET, got.body.replace(b"taken", b"takeN"), got.signature)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.status_code, delivery.attempts) == (State.DELIVERED, 200, 1)
    assert delivery.delivered_at is not None


def test_retries_after_a_500_and_a_timeout_keep_the_id_and_the_body(
    subscribe, receiver, customer_writes, settings
):
    subscribe("message.created")
    customer_writes("Hello")
    delivery = WebhookDelivery.objects.get()
    receiver.script = [500, ("sleep", 2.5, 200), 204]

    before = timezone.now()
    assert services.delivery_attempt(delivery.pk) == "retrying"
    delivery.refresh_from_db()
    assert delivery.status_code == 500
    assert delivery.last_error == "The receiver answered HTTP 500."
    # The first retry waits the base (10 s), jitter only ever adds.
    wait = (delivery.next_attempt_at - before).total_seconds()
    assert settings.WEBHOOK_RETRY_BASE_SECONDS <= wait <= settings.WEBHOOK_RETRY_BASE_SECONDS * 1.3
    # Not due yet: a retry task that runs early sends nothing.
    assert services.delivery_attempt(delivery.pk) == "not due"

    _make_due(delivery)
    assert services.delivery_attempt(delivery.pk) == "retrying"
    delivery.refresh_from_db()
    assert delivery.status_code is None
    assert "No answer within 1 seconds" in delivery.last_error
    second_wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert second_wait > wait  # backing off

    _make_due(delivery)
    assert services.delivery_attempt(delivery.pk) == "delivered"
    got = receiver.wait_for(3)
    assert len(got) == 3
    assert {r.event_id for r in got} == {str(delivery.event_id)}
    assert {r.body for r in got} == {delivery.payload.encode()}
    assert all(r.verified for r in got)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.status_code, delivery.attempts) == (State.DELIVERED, 204, 3)
    assert delivery.last_error == ""


def test_gives_up_after_the_last_attempt(subscribe, receiver, customer_writes, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    subscribe("message.created")
    customer_writes("Hello")
    delivery = WebhookDelivery.objects.get()
    receiver.script = [503, 503, 503, 200]
    outcomes = []
    for _ in range(3):
        _make_due(delivery)
        outcomes.append(services.delivery_attempt(delivery.pk))
    assert outcomes == ["retrying", "retrying", "failed"]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == (State.FAILED, 3, None)
    assert services.deliveries_due_sweep() == 0
    assert len(receiver.requests) == 3


def test_backoff_grows_and_is_jittered(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    delays = [services.retry_delay(n) for n in range(1, 8)]
    assert all(later > earlier for earlier, later in itertools.pairwise(delays))
    assert 10 <= delays[0] <= 12
    assert len({services.retry_delay(1) for _ in range(20)}) > 1


def test_one_event_is_sent_once_per_subscription_however_many_race_for_it(
    subscribe, receiver, customer_writes, transactional_db, eager, settings
):
    """The after-commit hook, a retry task and the sweep, each twice, at the same moment,
    for an event with two subscriptions: each subscription's receiver is called once."""
    subscribe("message.created")
    subscribe("message.created")
    customer_writes("Hello")  # autocommit: its after-commit hook already sent it
    deliveries = list(WebhookDelivery.objects.order_by("id"))
    assert len(receiver.wait_for(2)) == 2
    receiver.requests.clear()
    # As if nothing had been sent yet, and the delivery were overdue for the sweep.
    overdue = timezone.now() - timedelta(seconds=settings.WEBHOOK_SWEEP_SECONDS + 1)
    WebhookDelivery.objects.update(state=State.PENDING, attempts=0, next_attempt_at=overdue)
    receiver.script = [("sleep", 0.3, 200), ("sleep", 0.3, 200)]
    ids = [d.pk for d in deliveries]
    entry_points = [
        lambda: services.enqueue(ids),  # the after-commit hook
        lambda: [deliver_webhook.apply((pk,)) for pk in ids],  # a retry task
        services.deliveries_due_sweep,
    ]

    at_once(lambda i: entry_points[i % 3](), 6)

    got = receiver.wait_for(2)
    time.sleep(0.5)  # nothing more arrives
    assert len(receiver.requests) == 2
    assert len({r.event_id for r in got}) == 1  # one event...
    assert sorted(r.body for r in got) == [d.payload.encode() for d in deliveries]  # ...twice
    assert set(WebhookDelivery.objects.values_list("state", "attempts")) == {(State.DELIVERED, 1)}


def test_a_delivery_is_claimed_by_one_caller_only(subscribe, receiver, customer_writes):
    subscribe("message.created")
    customer_writes("Hello")
    delivery = WebhookDelivery.objects.get()
    assert services.delivery_claim(delivery.pk) is not None
    assert services.delivery_claim(delivery.pk) is None  # leased to the first


def test_the_sweep_resends_a_delivery_whose_task_was_lost(
    subscribe, receiver, customer_writes, eager, settings
):
    subscribe("message.created")
    customer_writes("Hello")  # its task was never queued: no commit callback ran
    delivery = WebhookDelivery.objects.get()
    assert services.deliveries_due_sweep() == 0  # not overdue yet: its task may be late
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=settings.WEBHOOK_SWEEP_SECONDS + 1)
    )
    assert services.deliveries_due_sweep() == 1
    assert [r.event_id for r in receiver.wait_for(1)] == [str(delivery.event_id)]
    # A worker lost mid-attempt: its claim expires and the sweep sends again, same id.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=State.PENDING,
        claimed_at=timezone.now() - timedelta(seconds=settings.WEBHOOK_CLAIM_SECONDS + 60),
        next_attempt_at=timezone.now() - timedelta(seconds=60),
    )
    assert services.deliveries_due_sweep() == 1
    assert [r.event_id for r in receiver.wait_for(2)] == [str(delivery.event_id)] * 2


def test_a_receiver_that_turned_private_is_not_called(
    subscribe, receiver, customer_writes, settings
):
    """Saved while allowed (or while its name resolved elsewhere): each attempt checks
    the address again, so DNS rebinding cannot point the desk at its own network."""
    subscribe("message.created")
    customer_writes("Hello")
    delivery = WebhookDelivery.objects.get()
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    assert services.delivery_attempt(delivery.pk) == "retrying"
    delivery.refresh_from_db()
    assert "127.0.0.1" in delivery.last_error
    assert "private, loopback or link-local" in delivery.last_error
    assert receiver.requests == []


def test_an_inactive_subscription_is_not_called(subscribe, receiver, customer_writes):
    subscription = subscribe("message.created")
    customer_writes("Hello")
    subscription.active = False
    subscription.save()
    delivery = WebhookDelivery.objects.get()
    assert services.delivery_attempt(delivery.pk) == "failed"
    assert receiver.requests == []


def test_a_redirect_is_not_followed(subscribe, receiver, customer_writes):
    subscribe("message.created")
    customer_writes("Hello")
    receiver.script = [302]
    delivery = WebhookDelivery.objects.get()
    assert services.delivery_attempt(delivery.pk) == "retrying"
    assert len(receiver.requests) == 1
    assert json.loads(receiver.requests[0].body)["id"] == str(delivery.event_id)
