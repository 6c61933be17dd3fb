"""The outbox side of a reply: claiming it for sending, and recording what happened.

The pending row is the outbox (docs/architecture.md: The outbox). A reply waiting to go
out has one due time, `delivery_due_at`: its first send, a retry after its backoff, its
slot in the sender's limit all set it, and it is NULL once nothing is left to send.
A worker claims due replies with one conditional UPDATE, so tasks and the outbox sweep
never send one twice at once; a claim older than the claim timeout
(settings.DELIVERY_CLAIM_TIMEOUT_SECONDS) is considered lost with its worker.

A worker takes a sender's due replies together: one `UPDATE ... RETURNING` claims them,
one query reads them with their conversation, identity and account, one their files,
one the customer's last message (the 24-hour window); after the sends one transaction
records every outcome with one batch of status events (`outbox_record`). Django has no
UPDATE ... RETURNING, hence the claim's SQL, written once.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Case, Q, Value, When

from chatdesk.accounts.models import User
from chatdesk.inbox import events, files, ports
from chatdesk.inbox.errors import InvalidState, NotVisible
from chatdesk.inbox.models import Attachment, Conversation, DeliveryStatus, Message
from chatdesk.inbox.selectors import visible_conversations
from chatdesk.inbox.services import windows
from chatdesk.inbox.services.common import now
from chatdesk.rawsql import Columns, column, converter, table

logger = logging.getLogger(__name__)


def claim_timeout() -> timedelta:
    # Read at call time: tests and operators set it per process (docs/operations.md).
    return timedelta(seconds=settings.DELIVERY_CLAIM_TIMEOUT_SECONDS)


def _unclaimed() -> Q:
    return Q(delivery_claimed_at__isnull=True) | Q(delivery_claimed_at__lt=now() - claim_timeout())


@dataclass
class Outgoing:
    """A claimed reply and what sending it needs."""

    message: Message  # with its conversation, the customer's identity and the account
    files: list[Attachment]
    # When the customer last wrote on this account (the providers' reply windows).
    last_inbound_at: datetime | None


def outbox_claim(*, message_id: int, limit: int = 1) -> list[Outgoing]:
    """Claim the reply `message_id` if it is due, and up to `limit` due replies of its
    sender in all (the reply first, then the longest due); [] when none is ours to send.

    The sender's other due replies are taken even when `message_id` itself is not (it
    went with another worker's batch): the task queued for it drains what is due.
    Concurrent workers claim disjoint sets (PostgreSQL: the rows are locked and skipped;
    SQLite: one writer at a time).
    """
    claimed_at = now()
    adapt = connection.ops.adapt_datetimefield_value
    claim, read_sql, columns = _claim_queries()
    with connection.cursor() as cursor:
        cursor.execute(
            claim,
            {
                "claimed_at": adapt(claimed_at),
                "lapsed": adapt(claimed_at - claim_timeout()),
                "out": Message.Direction.OUT,
                "pending": DeliveryStatus.PENDING,
                # Private notes are stored sent, never pending; this keeps a note out
                # of the outbox even if something marked one pending.
                "note": Message.Kind.NOTE,
                "id": message_id,
                "limit": limit,
            },
        )
        ids = sorted(row[0] for row in cursor.fetchall())
        if not ids:
            return []
        cursor.execute(read_sql % {"ids": ", ".join(["%s"] * len(ids))}, ids)
        rows = cursor.fetchall()
    messages = []
    for row in rows:
        message, conversation, account, identity = columns.instances(row)
        conversation.channel_account = account
        conversation.identity = identity
        message.conversation = conversation
        messages.append(message)
    attached: dict[int, list[Attachment]] = defaultdict(list)
    for attachment in Attachment.objects.filter(message_id__in=ids).order_by("pk"):
        attached[attachment.message_id].append(attachment)
    last = _last_inbound_each(messages)
    return [
        Outgoing(
            message=m,
            files=attached[m.pk],
            last_inbound_at=last.get(
                (m.conversation.channel_account_id, m.conversation.identity_id)
            ),
        )
        for m in sorted(messages, key=lambda m: (m.pk != message_id, m.delivery_due_at, m.pk))
    ]


@functools.cache
def _claim_queries() -> tuple[str, str, Columns]:
    """The claim (a conditional UPDATE ... RETURNING) and the read of what it claimed."""
    account_model = Conversation._meta.get_field("channel_account").related_model
    identity_model = Conversation._meta.get_field("identity").related_model
    pk, claimed, due = (
        column(Message, "id"),
        column(Message, "delivery_claimed_at"),
        column(Message, "delivery_due_at"),
    )
    account = column(Message, "channel_account")
    # PostgreSQL: rows another worker is claiming this instant are skipped, not waited
    # for (that worker takes them); SQLite writes one statement at a time.
    skip_locked = ""
    if connection.features.has_select_for_update_skip_locked:
        skip_locked = " FOR UPDATE SKIP LOCKED"
    claim = (
        f"UPDATE {table(Message)} SET {claimed} = %(claimed_at)s WHERE {pk} IN ("
        f"SELECT {pk} FROM {table(Message)}"
        f" WHERE {column(Message, 'direction')} = %(out)s"
        f" AND {column(Message, 'delivery_status')} = %(pending)s"
        f" AND {column(Message, 'kind')} <> %(note)s"
        f" AND {due} <= %(claimed_at)s"
        f" AND ({claimed} IS NULL OR {claimed} < %(lapsed)s)"
        f" AND ({pk} = %(id)s OR {account} = "
        f"(SELECT {account} FROM {table(Message)} WHERE {pk} = %(id)s))"
        f" ORDER BY CASE WHEN {pk} = %(id)s THEN 0 ELSE 1 END, {due}, {pk}"
        f" LIMIT %(limit)s{skip_locked})"
        f" RETURNING {pk}"
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
        f" WHERE m.{pk} IN (%(ids)s)"
    )
    return claim, read.replace("%", "%%").replace("%%(ids)s", "%(ids)s"), columns


def _last_inbound_each(messages: list[Message]) -> dict[tuple[int, int], datetime]:
    """(account, identity) -> when that customer last wrote on that account; one query
    per account in the batch (a batch is one sender's: one query)."""
    by_account: dict[int, set[int]] = defaultdict(set)
    for message in messages:
        conversation = message.conversation
        if conversation.channel_account_id and conversation.identity_id:
            by_account[conversation.channel_account_id].add(conversation.identity_id)
    sql, convert = _last_inbound_sql()
    found: dict[tuple[int, int], datetime] = {}
    with connection.cursor() as cursor:
        for account_id, identity_ids in by_account.items():
            cursor.execute(
                sql % {"ids": ", ".join(["%s"] * len(identity_ids))},
                [Message.Direction.IN, account_id, *sorted(identity_ids)],
            )
            for identity_id, at in cursor.fetchall():
                found[(account_id, identity_id)] = convert(at)
    return found


@functools.cache
def _last_inbound_sql():  # -> tuple[str, Callable]
    identity = f"c.{column(Conversation, 'identity')}"
    sql = (
        f"SELECT {identity}, MAX(m.{column(Message, 'created_at')}) FROM {table(Message)} m"
        f" JOIN {table(Conversation)} c"
        f" ON c.{column(Conversation, 'id')} = m.{column(Message, 'conversation')}"
        f" WHERE m.{column(Message, 'direction')} = %s"
        f" AND m.{column(Message, 'channel_account')} = %s"
        f" AND {identity} IN (%(ids)s) GROUP BY {identity}"
    )
    return sql.replace("%", "%%").replace("%%(ids)s", "%(ids)s"), converter(Message, "created_at")


@dataclass(frozen=True)
class Outcome:
    """What became of one claimed reply's attempt (see the constructors)."""

    message: Message
    status: str = ""  # the provider's answer ("sent"; "pending": queued there) or "failed"
    provider_message_id: str = ""
    reason: str = ""
    due_at: datetime | None = None  # not sent now: when it may go (a retry, a later slot)
    attempts: int = 0

    @classmethod
    def sent(cls, message: Message, *, provider_message_id: str, status: str) -> Outcome:
        return cls(message, status=status, provider_message_id=provider_message_id)

    @classmethod
    def failed(cls, message: Message, *, reason: str) -> Outcome:
        return cls(message, status=DeliveryStatus.FAILED, reason=reason)

    @classmethod
    def later(cls, message: Message, *, due_at: datetime, attempts: int | None = None) -> Outcome:
        """Not sent now: due again at `due_at`, having made `attempts` (unchanged: None)."""
        counted = message.delivery_attempts if attempts is None else attempts
        return cls(message, due_at=due_at, attempts=counted)


@transaction.atomic
def outbox_record(outcomes: list[Outcome]) -> None:
    """The claimed replies' outcomes, in one transaction, with one batch of status events.

    Accepted: the provider's id and status recorded, nothing left to send. A status
    already past pending (a delivery report came first) is kept. Failed: the reason,
    nothing left to send. Later: the claim released and the due time moved (the
    attempt counted or not); no event, the reply is still pending. The message rows are
    written before the conversations are locked (a delivery report's order).
    """
    accepted = [o for o in outcomes if o.provider_message_id]
    failed = [o for o in outcomes if o.status == DeliveryStatus.FAILED]
    later = [o for o in outcomes if o.due_at is not None]
    changed: list[Message] = []
    if accepted:
        statuses = _record_accepted(accepted)
        for outcome in accepted:
            message = outcome.message
            message.provider_message_id = outcome.provider_message_id
            message.delivery_status = statuses.get(message.pk, message.delivery_status)
            message.delivery_error = ""
            message.delivery_claimed_at = message.delivery_due_at = None
            changed.append(message)
    if failed:
        Message.objects.filter(pk__in=[o.message.pk for o in failed]).update(
            delivery_status=DeliveryStatus.FAILED,
            delivery_error=Case(
                *[When(pk=o.message.pk, then=Value(o.reason[:2000])) for o in failed]
            ),
            delivery_claimed_at=None,
            delivery_due_at=None,
        )
        for outcome in failed:
            message = outcome.message
            message.delivery_status = DeliveryStatus.FAILED
            message.delivery_error = outcome.reason[:2000]
            message.delivery_claimed_at = message.delivery_due_at = None
            # The agent sees a plain sentence; the provider's words are kept for whoever digs.
            logger.warning("Reply %s was not delivered: %s", message.pk, message.delivery_error)
            changed.append(message)
    if later:
        Message.objects.filter(
            pk__in=[o.message.pk for o in later], delivery_status=DeliveryStatus.PENDING
        ).update(
            delivery_due_at=Case(*[When(pk=o.message.pk, then=Value(o.due_at)) for o in later]),
            delivery_attempts=Case(*[When(pk=o.message.pk, then=Value(o.attempts)) for o in later]),
            delivery_claimed_at=None,
        )
    if changed:
        conversation_ids = sorted({m.conversation_id for m in changed})
        locked = Conversation.objects.select_for_update().in_bulk(conversation_ids)
        for message in changed:
            message.conversation = locked[message.conversation_id]
        events.message_statuses(changed)


def _record_accepted(accepted: list[Outcome]) -> dict[int, str]:
    """One UPDATE for every accepted reply; its status after it, by id."""
    ids = [o.message.pk for o in accepted]
    pk, status = column(Message, "id"), column(Message, "delivery_status")
    cases_id = " ".join(["WHEN %s THEN %s"] * len(accepted))
    sql = (
        f"UPDATE {table(Message)} SET"
        f" {column(Message, 'provider_message_id')} = CASE {pk} {cases_id} END,"
        f" {status} = CASE WHEN {status} = %s THEN CASE {pk} {cases_id} END ELSE {status} END,"
        f" {column(Message, 'delivery_error')} = '',"
        f" {column(Message, 'delivery_claimed_at')} = NULL,"
        f" {column(Message, 'delivery_due_at')} = NULL"
        f" WHERE {pk} IN ({', '.join(['%s'] * len(ids))}) RETURNING {pk}, {status}"
    )
    params = [v for o in accepted for v in (o.message.pk, o.provider_message_id)]
    params.append(DeliveryStatus.PENDING)
    params += [v for o in accepted for v in (o.message.pk, o.status)]
    params += ids
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


_DELIVERY_FIELDS = ["delivery_status", "delivery_error", "delivery_claimed_at", "delivery_due_at"]


@transaction.atomic
def message_mark_failed(*, message_id: int, reason: str) -> Message:
    message = Message.objects.select_for_update().select_related("conversation").get(pk=message_id)
    message.delivery_status = DeliveryStatus.FAILED
    message.delivery_error = reason[:2000]
    message.delivery_claimed_at = message.delivery_due_at = None
    message.save(update_fields=_DELIVERY_FIELDS)
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
    if message.template is None:
        # Free text after the reply window would only fail again at the provider.
        windows.require_window_open(message.conversation)
    message.delivery_status = DeliveryStatus.PENDING
    message.delivery_error = ""
    message.delivery_claimed_at = None
    message.delivery_due_at = now()
    message.save(update_fields=_DELIVERY_FIELDS)
    events.message_status(message)
    transaction.on_commit(lambda: ports.enqueue(message.pk, message.channel_account_id))
    return message


def outbox_overdue(*, older_than: timedelta, limit: int = 200) -> list[int]:
    """Replies due for longer than `older_than` and not claimed (or their claim lost with
    its worker): their task was lost (an enqueue while Redis was down, a worker killed
    while the task waited for its time). The sweep queues them again."""
    return list(
        Message.objects.filter(
            _unclaimed(),
            direction=Message.Direction.OUT,
            delivery_status=DeliveryStatus.PENDING,
            delivery_due_at__lt=now() - older_than,
        )
        .exclude(kind=Message.Kind.NOTE)
        .order_by("delivery_due_at")
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
