"""Outbound delivery and inbound media download (Celery), with retries and status.

A reply's task runs its sender's due replies (channels_ingest/outbox.py). A worker
killed mid-task leaves them pending and claimed: acks_late hands the task to another
worker, and once the claim counts as lost the outbox sweep (resend_pending) queues
them again, as it does replies whose task was lost. A reply the provider accepted is
recorded with its id in the same step that ends its wait, so no later run sends it.
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction

from channels_ingest import outbox, runs
from channels_ingest.models import ChannelAccount
from channels_ingest.outbox import backoff_seconds, provider_client
from channels_ingest.providers.base import DeliveryError, digest_matches
from channels_ingest.providers.registry import get_adapter
from chatdesk.inbox.models import Message
from chatdesk.inbox.services import delivery


def enqueue_delivery(message_id: int, sender_id: int | None = None) -> None:
    """inbox's outbox port: queue a run for a reply that has just become due, unless one
    is already queued for its sender (`sender_id`; None: always queue)."""
    if sender_id is None:
        deliver_message.delay(message_id)
        return
    if not runs.queue_now(sender_id):
        return
    try:
        deliver_message.delay(message_id, sender_id)
    except Exception:
        runs.forget_queued(sender_id)
        raise


@shared_task(bind=True, acks_late=True, name="channels_ingest.deliver_message")
def deliver_message(self, message_id: int, sender_id: int | None = None) -> str:
    """Send the reply if it is due, with its sender's other due replies; queue a run for
    each moment a reply left for later comes due."""
    if sender_id is not None:
        # Before the claim: a reply committed before this sees the mark gone and queues
        # its own run, or is committed before the claim and taken by it.
        runs.forget_queued(sender_id)
    eager = self.request.is_eager
    # The next batch's run is queued as soon as this one is claimed, so the workers send
    # a sender's backlog side by side; run in-process (tests), it runs after this one.
    run = outbox.deliver_due(
        message_id,
        eager=eager,
        next_batch=None if eager else (lambda sender: enqueue_delivery(message_id, sender)),
    )
    later = runs.one_per_moment(run.sender, run.later) if run.sender else run.later
    for reply_id, seconds in later:
        deliver_message.apply_async((reply_id,), countdown=seconds or None)
    if eager and run.more_due and run.sender:
        enqueue_delivery(message_id, run.sender)
    return run.status


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
    """The outbox sweep: replies due for longer than OUTBOX_PENDING_AGE_SECONDS and not
    claimed (or their claim lost with its worker) are queued again."""
    message_ids = delivery.outbox_overdue(
        older_than=timedelta(seconds=settings.OUTBOX_PENDING_AGE_SECONDS)
    )
    for message_id in message_ids:
        deliver_message.delay(message_id)
    return len(message_ids)
