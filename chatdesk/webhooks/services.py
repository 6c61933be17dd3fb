"""Outbound webhooks: recording each event for its subscribers, and delivering it.

Recording happens inside the transaction of the change (the inbox's integration
port), so the delivery row commits or rolls back with it. Sending happens after
commit, in a worker: the task enqueued on commit, its retries, and the beat sweep
all go through `delivery_attempt`, whose claim is one conditional UPDATE, so however
many of them race for a delivery, one sends it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import uuid
from collections.abc import Callable
from datetime import timedelta

import httpx
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from chatdesk.webhooks.addresses import url_refusal
from chatdesk.webhooks.models import WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

State = WebhookDelivery.State


# --- Recording (inside the change's transaction) -------------------------------


def _active_subscriptions() -> list[tuple[int, frozenset[str]]]:
    rows = WebhookSubscription.objects.filter(active=True).values_list("pk", "events")
    return [(pk, frozenset(events or ())) for pk, events in rows]


def events_record(batch: list[tuple[str, Callable[[], dict]]]) -> None:
    """The inbox's integration listener: for each event of `batch`, one delivery for
    each active subscription that asked for its type (one event id for all of them),
    queued once the transaction commits. One read of the subscriptions per batch."""
    subscriptions = _active_subscriptions()
    if not subscriptions:
        return
    ids: list[int] = []
    for event_type, data in batch:
        wanting = [pk for pk, types in subscriptions if event_type in types]
        if wanting:
            ids += _record(event_type, data(), wanting)
    if ids:
        # robust: the change is committed; a delivery whose task could not be queued
        # is sent by the sweep. (Outside a transaction this runs at once.)
        transaction.on_commit(lambda: enqueue(ids), robust=True)


def _record(event_type: str, payload: dict, subscription_ids: list[int]) -> list[int]:
    if event_type == "message.created" and payload.get("kind") != "message":
        # Private notes (and the story's event lines) never go out as messages.
        return []
    event_id = uuid.uuid4()
    at = timezone.now()
    body = json.dumps(
        {
            "id": str(event_id),
            "type": event_type,
            "at": at.isoformat().replace("+00:00", "Z"),
            "data": payload,
        },
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    stored = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            subscription_id=pk, event_id=event_id, type=event_type, payload=body, next_attempt_at=at
        )
        for pk in subscription_ids
    )
    return [delivery.pk for delivery in stored]


# --- Sending (in a worker) ------------------------------------------------------


def enqueue(delivery_ids: list[int], *, countdown: float | None = None) -> None:
    """Hand deliveries to the worker; a failure here loses nothing (the sweep)."""
    from chatdesk.webhooks.tasks import deliver_webhook

    for delivery_id in delivery_ids:
        try:
            deliver_webhook.apply_async(
                (delivery_id,), countdown=countdown, queue=settings.WEBHOOK_TASK_QUEUE or None
            )
        except Exception:  # Redis down: the sweep sends it once the broker is back
            logger.exception("Could not enqueue webhook delivery %s", delivery_id)


def delivery_claim(delivery_id: int) -> WebhookDelivery | None:
    """Take a due delivery for one attempt, or None if it is not due or another worker
    has it. The claim moves `next_attempt_at` past the attempt in the same UPDATE that
    checks it, so of two racing callers exactly one wins."""
    now = timezone.now()
    won = WebhookDelivery.objects.filter(
        pk=delivery_id, state=State.PENDING, next_attempt_at__lte=now
    ).update(
        next_attempt_at=now + timedelta(seconds=settings.WEBHOOK_CLAIM_SECONDS),
        claimed_at=now,
        attempts=F("attempts") + 1,
    )
    if not won:
        return None
    return WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)


def signature(secret: str, body: bytes) -> str:
    """The `X-Chatdesk-Signature` header's value for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _send(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """POST the stored body once: (status code or None, error text or "")."""
    subscription = delivery.subscription
    refusal = url_refusal(subscription.url)
    if refusal:
        return None, refusal
    body = delivery.payload.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Chatdesk-Webhooks/1",
        "X-Chatdesk-Event-Id": str(delivery.event_id),
        "X-Chatdesk-Event-Type": delivery.type,
        "X-Chatdesk-Signature": signature(subscription.secret, body),
    }
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    try:
        # Streamed and never read: only the status matters, whatever the receiver sends.
        # No redirects: a 3xx could point anywhere, the desk's own network included.
        with httpx.stream(
            "POST",
            subscription.url,
            content=body,
            headers=headers,
            timeout=timeout,
            follow_redirects=False,
        ) as response:
            status = response.status_code
    except httpx.TimeoutException:
        return None, f"No answer within {timeout:g} seconds."
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:1000]
    if 200 <= status < 300:
        return status, ""
    return status, f"The receiver answered HTTP {status}."


def retry_delay(attempts: int) -> float:
    """Seconds before the next attempt after `attempts` failed ones: the base, then
    three times longer each time, plus up to a fifth more so that receivers coming
    back from an outage are not hit by every retry at once."""
    delay = settings.WEBHOOK_RETRY_BASE_SECONDS * 3 ** (attempts - 1)
    return min(delay, 24 * 3600.0) * (1 + random.random() / 5)


def delivery_attempt(delivery_id: int) -> str:
    """Claim, send and record one attempt: "delivered", "retrying", "failed" or "not due"."""
    delivery = delivery_claim(delivery_id)
    if delivery is None:
        return "not due"
    if not delivery.subscription.active:
        status, error = None, "The subscription is inactive."
        final = True
    else:
        status, error = _send(delivery)
        final = delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS
    now = timezone.now()
    changes: dict = {"status_code": status, "claimed_at": None, "last_error": error}
    delay = None
    if not error:
        outcome = "delivered"
        changes.update(state=State.DELIVERED, delivered_at=now, next_attempt_at=None)
    elif final:
        outcome = "failed"
        changes.update(state=State.FAILED, next_attempt_at=None)
    else:
        outcome = "retrying"
        delay = retry_delay(delivery.attempts)
        changes.update(next_attempt_at=now + timedelta(seconds=delay))
    # Only while still ours: a redelivery asked for meanwhile starts a fresh round.
    WebhookDelivery.objects.filter(pk=delivery.pk, claimed_at=delivery.claimed_at).update(**changes)
    if delay is not None:
        enqueue([delivery.pk], countdown=delay)
    return outcome


def deliveries_due_sweep(*, limit: int = 500) -> int:
    """Beat: pending deliveries overdue by more than a sweep period (their task was
    lost with a worker or never queued) go to the worker again; the claim keeps a
    delivery whose task is merely late from being sent twice."""
    overdue = timezone.now() - timedelta(seconds=settings.WEBHOOK_SWEEP_SECONDS)
    ids = list(
        WebhookDelivery.objects.filter(state=State.PENDING, next_attempt_at__lte=overdue)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    enqueue(ids)
    return len(ids)


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again: the same event id and body, a fresh round of attempts.
    One being sent right now is left to finish."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    now = timezone.now()
    sending = (
        delivery.state == State.PENDING
        and delivery.claimed_at is not None
        and delivery.next_attempt_at is not None
        and delivery.next_attempt_at > now
    )
    if not sending:
        delivery.state = State.PENDING
        delivery.attempts = 0
        delivery.claimed_at = None
        delivery.next_attempt_at = now
        delivery.save(update_fields=["state", "attempts", "claimed_at", "next_attempt_at"])
        transaction.on_commit(lambda: enqueue([delivery.pk]), robust=True)
    return delivery
