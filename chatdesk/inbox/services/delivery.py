"""The outbox side of a reply: claiming it for sending, and recording what happened.

The pending row is the outbox (docs/architecture.md: The outbox). A worker claims it with one
conditional UPDATE, so the task and the outbox sweep never send it twice at
once; a claim older than the claim timeout (settings.DELIVERY_CLAIM_TIMEOUT_SECONDS)
is considered lost with its worker. A reply waiting out a retry's backoff keeps a
claim that lapses when the retry is due, so the sweep does not send it early.

A WhatsApp reply sent at once costs 9 queries and a transaction (tests/channels_ingest/
test_delivery_queries.py): the claim, the message with its conversation, identity and
account, its files and the customer's last message (the 24-hour window); then one
transaction that records the provider's id (a conditional UPDATE), locks the
conversation and stores the status event for its audience. Folding the last two reads
into the claim's as subquery annotations was measured and is slower: the ORM spends
more compiling them than the separate queries cost (docs/performance.md). The
claim, its read and the window's read are written as SQL once instead (rawsql).
"""

from __future__ import annotations

import contextlib
import functools
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Q

from chatdesk.accounts.models import User
from chatdesk.inbox import events, files, outbound
from chatdesk.inbox.errors import InvalidState, NotVisible
from chatdesk.inbox.models import Attachment, Conversation, DeliveryStatus, Message
from chatdesk.inbox.selectors import visible_conversations
from chatdesk.inbox.services.common import now
from chatdesk.rawsql import Columns, column, table

logger = logging.getLogger(__name__)


def claim_timeout() -> timedelta:
    # Read at call time: tests and operators set it per process (docs/operations.md).
    return timedelta(seconds=settings.DELIVERY_CLAIM_TIMEOUT_SECONDS)


def _unclaimed() -> Q:
    return Q(delivery_claimed_at__isnull=True) | Q(delivery_claimed_at__lt=now() - claim_timeout())


def message_claim_for_delivery(*, message_id: int) -> Message | None:
    """The message, now claimed by this worker, or None if it is not ours to send.

    Read with its conversation, the customer's identity and the channel account (one
    query); its files are the caller's to ask for, once (`message.attachments.all()`).
    Both statements are written once (chatdesk/rawsql.py): every delivery runs them,
    and Django composing the claim and the three-table read cost more CPU than the
    database spent running them (docs/performance.md). tests/channels_ingest/test_delivery_claim.py
    holds them to the ORM's answer.
    """
    claim, read, columns = _claim_queries()
    adapt = connection.ops.adapt_datetimefield_value
    claimed_at = now()
    with connection.cursor() as cursor:
        cursor.execute(
            claim,
            [
                adapt(claimed_at),
                message_id,
                Message.Direction.OUT,
                DeliveryStatus.PENDING,
                adapt(claimed_at - claim_timeout()),
            ],
        )
        if cursor.rowcount != 1:
            return None
        cursor.execute(read, [message_id])
        row = cursor.fetchone()
    message, conversation, account, identity = columns.instances(row)
    conversation.channel_account = account
    conversation.identity = identity
    message.conversation = conversation
    return message


@functools.cache
def _claim_queries() -> tuple[str, str, Columns]:
    """The claim (the conditional UPDATE of `_unclaimed`) and the read of what it claimed."""
    account_model = Conversation._meta.get_field("channel_account").related_model
    identity_model = Conversation._meta.get_field("identity").related_model
    claimed_at = column(Message, "delivery_claimed_at")
    claim = (
        f"UPDATE {table(Message)} SET {claimed_at} = %s"
        f" WHERE {column(Message, 'id')} = %s AND {column(Message, 'direction')} = %s"
        f" AND {column(Message, 'delivery_status')} = %s"
        f" AND ({claimed_at} IS NULL OR {claimed_at} < %s)"
    )
    columns = Columns(
        [(Message, "m"), (Conversation, "c"), (account_model, "a"), (identity_model, "i")]
    )
    read = (
        f"SELECT {columns.sql} FROM {table(Message)} m"
        f" JOIN {table(Conversation)} c"
        f" ON c.{column(Conversation, 'id')} = m.{column(Message, 'conversation')}"
        f" LEFT JOIN {table(account_model)} a"
        f" ON a.{column(account_model, 'id')} = c.{column(Conversation, 'channel_account')}"
        f" LEFT JOIN {table(identity_model)} i"
        f" ON i.{column(identity_model, 'id')} = c.{column(Conversation, 'identity')}"
        f" WHERE m.{column(Message, 'id')} = %s"
    )
    return claim, read, columns


def message_release(*, message_id: int, attempts: int, retry_in: float = 0.0) -> None:
    """A transient failure: the next try may claim it again in `retry_in` seconds.

    The claim is back-dated so that it lapses (a second before) then: the sweep leaves
    the reply alone while it waits out its backoff (or the provider's Retry-After),
    and still sends it if the scheduled retry is lost with its worker.
    """
    Message.objects.filter(pk=message_id, delivery_status=DeliveryStatus.PENDING).update(
        delivery_claimed_at=_lapsing_claim(retry_in), delivery_attempts=attempts
    )


def message_hold(*, message_id: int, retry_in: float) -> None:
    """A reply scheduled `retry_in` seconds ahead (its sender's next free slot): held from
    the outbox sweep until then, as a released retry is, and free for its task then."""
    Message.objects.filter(
        _unclaimed(), pk=message_id, delivery_status=DeliveryStatus.PENDING
    ).update(delivery_claimed_at=_lapsing_claim(retry_in))


def _lapsing_claim(retry_in: float) -> datetime | None:
    # A second early: a retry that fires a little before its ETA must still find it free.
    hold = retry_in - 1.0
    return now() + timedelta(seconds=hold) - claim_timeout() if hold > 0 else None


@transaction.atomic
def message_mark_sent(*, message: Message, provider_message_id: str, status: str) -> Message:
    """The provider accepted the claimed `message`: its id and status recorded, the claim
    released and `message.status` stored for the conversation's audience, in one transaction.

    One conditional UPDATE, no locked re-read of the message: while claimed it stays
    pending (only the claim holder changes it). The message row is locked first, then the
    conversation (the order of a delivery report, receive.message_status_update), which is
    re-read locked so the event goes to who sees the conversation when this commits.
    """
    recorded = {
        "provider_message_id": provider_message_id,
        "delivery_claimed_at": None,
        "delivery_error": "",
    }
    pending = Message.objects.filter(pk=message.pk, delivery_status=DeliveryStatus.PENDING)
    if pending.update(delivery_status=status, **recorded):
        message.delivery_status = status
    else:  # no longer pending: its status stays, the provider's id is still recorded
        Message.objects.filter(pk=message.pk).update(**recorded)
        message.delivery_status = Message.objects.values_list("delivery_status", flat=True).get(
            pk=message.pk
        )
    for field, value in recorded.items():
        setattr(message, field, value)
    message.conversation = Conversation.objects.select_for_update().get(pk=message.conversation_id)
    events.message_status(message)
    return message


@transaction.atomic
def message_mark_failed(*, message_id: int, reason: str) -> Message:
    message = Message.objects.select_for_update().select_related("conversation").get(pk=message_id)
    message.delivery_status = DeliveryStatus.FAILED
    message.delivery_error = reason[:2000]
    message.delivery_claimed_at = None
    message.save(update_fields=["delivery_status", "delivery_error", "delivery_claimed_at"])
    # The agent sees a plain sentence; the provider's own words are kept for whoever digs.
    logger.warning("Reply %s was not delivered: %s", message.pk, message.delivery_error)
    events.message_status(message)
    return message


def _visible_message_for_update(conversation_id: int, message_id: int, agent: User) -> Message:
    """A message of a chat the agent sees, locked for an action on it; else NotVisible."""
    message = (
        Message.objects.select_for_update()
        .select_related("conversation")
        .filter(pk=message_id, conversation_id=conversation_id)
        .filter(conversation__in=visible_conversations(agent))
        .first()
    )
    if message is None:
        raise NotVisible("No such message.")
    return message


@transaction.atomic
def message_retry(*, conversation_id: int, message_id: int, agent: User) -> Message:
    """The agent's "retry" on a failed reply: back to pending, sent again."""
    message = _visible_message_for_update(conversation_id, message_id, agent)
    if message.delivery_status != DeliveryStatus.FAILED or message.sender_id != agent.pk:
        raise InvalidState("Only your own failed messages can be retried.")
    message.delivery_status = DeliveryStatus.PENDING
    message.delivery_error = ""
    message.delivery_claimed_at = None
    message.save(update_fields=["delivery_status", "delivery_error", "delivery_claimed_at"])
    events.message_status(message)
    transaction.on_commit(lambda: outbound.enqueue(message.pk))
    return message


def messages_left_pending(*, older_than: timedelta, limit: int = 200) -> list[int]:
    """Replies whose enqueue was lost (Redis down at the wrong moment): the sweep resends."""
    cutoff = now() - older_than
    return list(
        Message.objects.filter(
            direction=Message.Direction.OUT,
            delivery_status=DeliveryStatus.PENDING,
            created_at__lt=cutoff,
        )
        .exclude(conversation__channel="internal")
        .filter(_unclaimed())
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def message_add_inbound_file(
    *, message_id: int, name: str, content_type: str, data: bytes, media_ref: str
) -> Attachment:
    """A customer's media, downloaded from the provider, joins its message (once)."""
    message = Message.objects.select_for_update().select_related("conversation").get(pk=message_id)
    existing = Attachment.objects.filter(message=message, provider_media_ref=media_ref).first()
    if existing is not None:
        return existing
    attachment = Attachment(
        provider_media_ref=media_ref,
        message=message,
        name=name[:255] or "file",
        content_type=content_type,
        size=len(data),
    )
    attachment.file.save(attachment.name, ContentFile(data), save=False)
    if content_type.startswith("image/"):
        # A broken image is still kept, shown as a download link without a preview.
        with contextlib.suppress(files.UnsupportedFile, OSError, ValueError):
            attachment.thumbnail.save(
                f"{attachment.name}.webp", ContentFile(files.thumbnail(data)), save=False
            )
    attachment.save()
    still_missing = [item for item in message.missing_files if item.get("ref") != media_ref]
    if still_missing != message.missing_files:
        message.missing_files = still_missing
        if not still_missing:
            message.delivery_error = ""
        message.save(update_fields=["missing_files", "delivery_error"])
    events.message_updated(message)
    return attachment


@transaction.atomic
def message_attach_uploads(*, message_id: int, attachment_ids: list[int]) -> int:
    """Unsent uploads (a live-chat visitor's) join the customer's message they came with.

    The caller has checked whose uploads they are; only unsent ones move, so a file
    cannot be pulled out of a message it was sent with. Returns how many joined.
    """
    message = Message.objects.select_for_update().select_related("conversation").get(pk=message_id)
    joined = Attachment.objects.filter(pk__in=attachment_ids, message__isnull=True).update(
        message=message
    )
    if joined:
        events.message_updated(message)
    return joined


@transaction.atomic
def message_note_media_failure(
    *,
    message_id: int,
    reason: str,
    account_id: int | None = None,
    media_ref: str = "",
    content_type: str = "",
    filename: str = "",
    sha256: str = "",
    index: int = 0,
) -> None:
    """The customer's file could not be fetched: say so on the message, not silently,
    and keep what a retry needs (the message shows a placeholder with Retry)."""
    message = Message.objects.select_for_update().select_related("conversation").get(pk=message_id)
    message.delivery_error = f"A file could not be downloaded: {reason}"[:2000]
    missing = [item for item in message.missing_files if item.get("index") != index]
    missing.append(
        {
            "index": index,
            "account": account_id,
            "ref": media_ref,
            "content_type": content_type,
            "filename": filename,
            "name": filename or f"file-{index + 1}",
            "sha256": sha256,
            "error": reason[:500],
            "retrying": False,
        }
    )
    message.missing_files = sorted(missing, key=lambda item: item["index"])
    message.save(update_fields=["delivery_error", "missing_files"])
    logger.warning("A file of message %s could not be downloaded: %s", message_id, reason)
    events.message_updated(message)


@transaction.atomic
def message_media_retry(*, conversation_id: int, message_id: int, agent: User) -> Message:
    """The agent's Retry on a customer's file that could not be downloaded.

    Marks each missing file as retrying; the caller enqueues the downloads after
    commit (`message.missing_files` says what to fetch). A download that fails again
    shows the placeholder again, with the new reason.
    """
    message = _visible_message_for_update(conversation_id, message_id, agent)
    waiting = [item for item in message.missing_files if not item.get("retrying")]
    if not waiting:
        raise InvalidState("No file of this message is waiting for a retry.")
    if any(not item.get("account") or not item.get("ref") for item in waiting):
        raise InvalidState("This file cannot be fetched again: the provider gave no reference.")
    for item in message.missing_files:
        item["retrying"] = True
    message.save(update_fields=["missing_files"])
    events.message_updated(message)
    return message


@transaction.atomic
def message_status_watermark(
    *, channel_account_id: int, customer_address: str, status: str, up_to
) -> int:
    """Messenger: every reply to this person sent up to `up_to` has reached `status`."""
    from chatdesk.inbox.services.receive import message_status_update

    provider_ids = Message.objects.filter(
        channel_account_id=channel_account_id,
        conversation__identity__address=customer_address,
        direction=Message.Direction.OUT,
        created_at__lte=up_to,
        provider_message_id__isnull=False,
    ).values_list("provider_message_id", flat=True)
    updated = 0
    for provider_id in list(provider_ids):
        if message_status_update(
            channel_account_id=channel_account_id, provider_message_id=provider_id, status=status
        ):
            updated += 1
    return updated
