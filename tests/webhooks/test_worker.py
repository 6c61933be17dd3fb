"""Through a real Celery worker: the request that caused an event does not wait for
its receiver, and the event arrives once."""

from __future__ import annotations

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from chatdesk.celery import app
from chatdesk.inbox.models import Conversation
from chatdesk.webhooks.models import WebhookDelivery

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def worker(settings):
    # A queue of its own: other tests leave real tasks in the broker's default queue.
    settings.WEBHOOK_TASK_QUEUE = f"tests.webhooks.{uuid.uuid4().hex}"
    with start_worker(
        app,
        pool="solo",
        perform_ping_check=False,
        shutdown_timeout=10,
        queues=[settings.WEBHOOK_TASK_QUEUE],
    ):
        yield


def test_the_request_returns_before_a_slow_receiver_answers(
    worker, subscribe, receiver, customer_writes, api, alice, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 5.0
    subscribe("conversation.taken")
    conversation: Conversation = customer_writes("Hello").conversation
    receiver.script = [("sleep", 3, 200)]
    client = api(alice)
    # Warm: the first request of a process imports and builds what every later one reuses.
    assert client.get(f"/api/v1/conversations/{conversation.pk}/").status_code == 200

    started = time.monotonic()
    response = client.post(f"/api/v1/conversations/{conversation.pk}/take/")
    took = time.monotonic() - started
    assert response.status_code == 200
    assert took < 1.5, f"the take waited {took:.2f} s for the webhook receiver"

    [taken] = receiver.wait_for(1, timeout=20)
    assert taken.event["type"] == "conversation.taken"
    assert taken.verified
    # The receiver answered three seconds after the request had already returned.
    assert taken.at - started >= 3.0
    time.sleep(0.5)  # nothing more arrives: one delivery per event
    assert len(receiver.requests) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.status_code) == ("delivered", 1, 200)
