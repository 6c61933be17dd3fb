"""Outbound delivery and inbound media download (Celery), with retries and status.

A worker killed mid-task leaves the message pending: acks_late hands the task
to another worker, and the outbox sweep (resend_pending) re-sends what any
lost enqueue left behind. A message the provider accepted is marked sent in
the same step that records its id, so a retry finds it no longer pending.
"""

from __future__ import annotations

import logging
import os
import random
import time
from datetime import timedelta

import httpx
from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from channels_ingest.models import ChannelAccount
from channels_ingest.providers.base import DeliveryError, OutboundMessage, digest_matches
from channels_ingest.providers.registry import get_adapter
from channels_ingest.signed_media import signed_url
from channels_ingest.throughput import BURST_SECONDS, sms_segments, wait_seconds
from chatdesk.inbox.models import Attachment, DeliveryStatus, Message
from chatdesk.inbox.selectors import last_inbound_at
from chatdesk.inbox.services import delivery

logger = logging.getLogger(__name__)


def http_timeout() -> httpx.Timeout:
    """settings.PROVIDER_TIMEOUT_SECONDS for each phase; connecting never gets more than 5 s."""
    seconds = settings.PROVIDER_TIMEOUT_SECONDS
    return httpx.Timeout(seconds, connect=min(5.0, seconds))


_clients: dict[tuple[int, float], httpx.Client] = {}


def provider_client() -> httpx.Client:
    """This worker process's HTTP client for the providers' APIs, kept across tasks.

    Why: a new client per message loaded the CA bundle into a new TLS context each time
    (a large CPU cost per reply, docs/performance.md) and opened a new TLS connection to
    Meta or Twilio; a kept one reuses both. Keyed by process (a forked worker must not
    share its parent's sockets) and by the timeout setting, read at call time.
    """
    key = (os.getpid(), settings.PROVIDER_TIMEOUT_SECONDS)
    client = _clients.get(key)
    if client is None:
        client = _clients[key] = httpx.Client(timeout=http_timeout())
    return client


def backoff_seconds(attempt: int, retry_after: float | None = None) -> float:
    """Exponential backoff with full jitter, never sooner than the provider asked."""
    ceiling = min(300.0, 2.0**attempt)
    return max(retry_after or 0.0, random.uniform(ceiling / 2, ceiling))


def _media_base_url() -> str:
    return settings.PUBLIC_BASE_URL or f"http://127.0.0.1:{settings.PUBLIC_PORT}"


def _outbound(message: Message, attachments: list[Attachment]) -> OutboundMessage:
    return OutboundMessage(
        to=message.conversation.identity.address,
        body=message.body,
        media_urls=tuple(signed_url(a.pk, _media_base_url()) for a in attachments),
        media_types=tuple(a.content_type for a in attachments),
    )


# Meta's customer-service window (docs/providers.md): free-form replies only within it.
REPLY_WINDOW = timedelta(hours=24)


def _window_closed(account: ChannelAccount, message: Message) -> str:
    """The reason a reply cannot go, checked before the provider refuses it (131047, 10/2018278)."""
    if account.kind not in (ChannelAccount.Kind.WHATSAPP, ChannelAccount.Kind.MESSENGER):
        return ""
    last = last_inbound_at(message.conversation)
    if last is not None and timezone.now() - last <= REPLY_WINDOW:
        return ""
    return (
        "Outside the 24-hour window: the customer has not written in the last 24 hours, "
        f"so {account.get_kind_display()} accepts no free-form reply until they write again."
    )


def _rate_wait(*, account_id: int, kind: str, rate: int, body: str, has_files: bool) -> float:
    """Seconds until this reply's slot in its sender's throughput limit (0: now).

    The slot is reserved by asking: whoever asks sends at the slot, without asking again.
    """
    weight = 1
    if kind == ChannelAccount.Kind.SMS and not has_files:
        weight = sms_segments(body)  # Twilio's long-code limit counts segments
    return wait_seconds(sender_key=str(account_id), rate_per_second=rate, weight=weight)


def _in_its_slot(slot_at: float | None) -> bool:
    """Whether a run may send without asking the limit: it holds a slot (`slot_at`, epoch
    seconds) and is not late for it by more than the limit's burst.

    Why late runs ask again: replies whose slots passed while they sat in the broker
    behind a backlog would all go at once when they came out, above the sender's rate.
    Within the burst they cannot: the limit itself lets that much go at once.
    """
    return slot_at is not None and time.time() <= slot_at + BURST_SECONDS


def enqueue_delivery(message_id: int) -> None:
    """Put a pending reply on the delivery queue at its slot in its sender's limit.

    Reserving the slot here, where the reply is made, and scheduling the task for it
    (countdown) means one run of the task per reply. Asked by the worker instead, a reply
    over the limit cost two runs (one to be told to wait, one to send): with a large
    WhatsApp backlog queued at once, the workers' time went on the first kind and the
    sender fell short of its limit (docs/performance.md). A wait of more than half the
    outbox sweep's age also holds the reply from the sweep until its slot (the claim is
    back-dated, as for a retry's backoff), or the sweep would send it early.
    """
    row = (
        Message.objects.filter(
            pk=message_id,
            direction=Message.Direction.OUT,
            delivery_status=DeliveryStatus.PENDING,
        )
        .annotate(has_files=Exists(Attachment.objects.filter(message=OuterRef("pk"))))
        .values_list(
            "body",
            "has_files",
            "conversation__channel_account_id",
            "conversation__channel_account__kind",
            "conversation__channel_account__max_messages_per_second",
        )
        .first()
    )
    if row is None or row[2] is None or row[3] == ChannelAccount.Kind.LIVECHAT:
        deliver_message.delay(message_id)  # the task says why, or delivers to the visitor
        return
    body, has_files, account_id, kind, max_rate = row
    rate = ChannelAccount.rate_for(kind, max_rate)
    wait = _rate_wait(account_id=account_id, kind=kind, rate=rate, body=body, has_files=has_files)
    if wait >= settings.OUTBOX_PENDING_AGE_SECONDS / 2 and not _eager():
        delivery.message_hold(message_id=message_id, retry_in=wait)
    deliver_message.apply_async(
        (message_id,), {"slot_at": time.time() + wait}, countdown=wait or None
    )


def _eager() -> bool:
    return bool(deliver_message.app.conf.task_always_eager)


@shared_task(bind=True, acks_late=True, max_retries=None, name="channels_ingest.deliver_message")
def deliver_message(
    self, message_id: int, slot_at: float | None = None, paced: bool = False
) -> str:
    """Send one pending reply. `slot_at`: the reply's reserved slot in its sender's limit
    (epoch seconds), kept unless this run is late for it (_in_its_slot). `paced`: the same
    from a task queued by an older version (a slot, time unknown), sent as it comes."""
    message = delivery.message_claim_for_delivery(message_id=message_id)
    if message is None:
        return "not pending"
    account = message.conversation.channel_account
    if account.kind == ChannelAccount.Kind.LIVECHAT:
        from channels_ingest.livechat.delivery import deliver_to_visitor

        return deliver_to_visitor(message_id)
    closed = _window_closed(account, message)
    if closed:
        delivery.message_mark_failed(message_id=message_id, reason=closed)
        return "failed"
    attachments = list(message.attachments.all())  # asked once: the limit's weight, the send
    wait = 0.0
    if not (paced or _in_its_slot(slot_at)):
        wait = _rate_wait(
            account_id=account.pk,
            kind=account.kind,
            rate=account.rate_limit,
            body=message.body,
            has_files=bool(attachments),
        )
    if wait > 0:
        # Over the sender's limit: its slot is reserved; come back then, without
        # counting an attempt, and send without asking the limit again.
        delivery.message_release(
            message_id=message_id,
            attempts=message.delivery_attempts,
            retry_in=_hold(self, wait),
        )
        raise self.retry(countdown=wait, kwargs={"slot_at": time.time() + wait})
    try:
        result = get_adapter(account.kind).send(
            account.credentials,
            account.external_id,
            _outbound(message, attachments),
            client=provider_client(),
        )
    except DeliveryError as error:
        return _handle_failure(self, message, error)
    delivery.message_mark_sent(
        message=message, provider_message_id=result.provider_message_id, status=result.status
    )
    return result.status


def _handle_failure(task, message: Message, error: DeliveryError) -> str:
    attempts = message.delivery_attempts + 1
    reason = f"{error.message} (code {error.code})" if error.code else error.message
    if error.permanent or attempts >= settings.DELIVERY_MAX_ATTEMPTS:
        delivery.message_mark_failed(message_id=message.pk, reason=reason)
        return "failed"
    logger.warning("Delivery of message %s failed (attempt %s): %s", message.pk, attempts, reason)
    countdown = backoff_seconds(attempts, error.retry_after)
    delivery.message_release(
        message_id=message.pk, attempts=attempts, retry_in=_hold(task, countdown)
    )
    # A new attempt waits for a new slot (kwargs={}: no slot held).
    raise task.retry(countdown=countdown, kwargs={})


def _hold(task, countdown: float) -> float:
    """How long the released reply stays claimed: until its retry is due, so the outbox
    sweep does not send it early. Run eagerly (tests) the retry comes at once: no hold."""
    return 0.0 if task.request.is_eager else countdown


@shared_task(bind=True, acks_late=True, max_retries=6, name="channels_ingest.download_media")
def download_media(
    self,
    message_id: int,
    account_id: int,
    media_ref: str,
    content_type: str,
    filename: str,
    sha256: str,
    index: int,
) -> str:
    account = ChannelAccount.objects.get(pk=account_id)
    try:
        data, fetched_type, fetched_name = get_adapter(account.kind).fetch_media(
            account.credentials, media_ref, client=provider_client()
        )
        if sha256 and not digest_matches(data, sha256):
            raise DeliveryError("The file's checksum does not match.", permanent=True)
    except DeliveryError as error:
        if error.permanent or self.request.retries >= self.max_retries:
            delivery.message_note_media_failure(
                message_id=message_id,
                reason=error.message,
                account_id=account_id,
                media_ref=media_ref,
                content_type=content_type,
                filename=filename,
                sha256=sha256,
                index=index,
            )
            return "failed"
        raise self.retry(
            countdown=backoff_seconds(self.request.retries + 1, error.retry_after)
        ) from error
    delivery.message_add_inbound_file(
        message_id=message_id,
        name=filename or fetched_name or f"file-{index + 1}",
        content_type=fetched_type or content_type or "application/octet-stream",
        data=data,
        media_ref=media_ref,
    )
    return "stored"


def retry_downloads(message: Message) -> None:
    """Enqueue again, after commit, the downloads of a message's missing files."""
    for item in message.missing_files:
        transaction.on_commit(
            lambda m=message.pk, a=item: download_media.delay(
                m, a["account"], a["ref"], a["content_type"], a["filename"], a["sha256"], a["index"]
            )
        )


@shared_task(name="channels_ingest.resend_pending")
def resend_pending() -> int:
    """The outbox sweep: replies still pending (unclaimed) after OUTBOX_PENDING_AGE_SECONDS
    are enqueued again."""
    message_ids = delivery.messages_left_pending(
        older_than=timedelta(seconds=settings.OUTBOX_PENDING_AGE_SECONDS)
    )
    # Plain enqueues: the task asks the sender's limit itself (slot_at unset), so the sweep
    # does not read each reply's sender first, one query per reply, to take its slot here.
    for message_id in message_ids:
        deliver_message.delay(message_id)
    return len(message_ids)
