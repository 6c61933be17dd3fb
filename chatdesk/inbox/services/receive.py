"""Inbound: a customer's message arrives from a channel (docs/architecture.md)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from chatdesk.inbox import assignment, events
from chatdesk.inbox.models import (
    OPEN_STATUSES,
    Attachment,
    Channel,
    Conversation,
    DeliveryStatus,
    Message,
    Status,
)
from chatdesk.inbox.selectors import conversation_audience
from chatdesk.inbox.services import absence
from chatdesk.inbox.services.business_hours import out_of_hours_notify
from chatdesk.inbox.services.common import log, now
from chatdesk.inbox.services.csat import csat_inbound
from chatdesk.inbox.services.sla import sla_customer_message
from contacts import services as contacts_services
from contacts.models import Identity
from queues.models import Queue


@dataclass(frozen=True)
class Inbound:
    """A customer's message, provider-neutral (channels_ingest builds it)."""

    channel: str
    channel_account_id: int
    route_queue_id: int | None
    route_agent_id: int | None
    sender_address: str
    sender_name: str
    body: str
    provider_message_id: str | None = None
    sent_at: datetime | None = None
    visitor_ip: str | None = None
    # Live chat: the visitor's context (name, e-mail, page, browser), stored on the chat.
    visitor: dict | None = None
    # Live chat: left through the widget's offline form (no visitor is waiting on a socket).
    offline: bool = False
    # WhatsApp and Messenger: how long after `sent_at` free-text replies may go.
    reply_window: timedelta | None = None

    @classmethod
    def to_account(cls, account: Any, **fields: Any) -> Inbound:
        """A message to a channel account: its kind, id and routes (`account` is any
        object with kind, pk, route_queue_id and route_agent_id; inbox does not import
        channels_ingest)."""
        return cls(
            channel=account.kind,
            channel_account_id=account.pk,
            route_queue_id=account.route_queue_id,
            route_agent_id=account.route_agent_id,
            **fields,
        )


# savepoint=False: a webhook stores its messages in one transaction and a failure
# fails all of them (the provider retries); the races below have their own savepoints.
@transaction.atomic(savepoint=False)
def message_receive(*, inbound: Inbound) -> tuple[Message, bool]:
    """Store a customer's message in its conversation. Returns (message, created).

    Idempotent on the provider's message id; a taken chat not yet dealt with
    keeps it with its owner (sticky); otherwise the open chat, or a new one
    that is routed by the account's route.
    """
    inbound = _storable(inbound)
    follow_up = _follow_up(inbound)
    if follow_up is not None:
        conversation, already_stored = follow_up
        return _receive_follow_up(inbound, conversation, already_stored=already_stored)
    # No open chat: a digit may answer the rating question of the one just closed.
    rating = csat_inbound(inbound)
    if rating is not None:
        return rating
    return _receive_in_new_chat(inbound)


def _receive_follow_up(
    inbound: Inbound, conversation: Conversation, *, already_stored: bool
) -> tuple[Message, bool]:
    """The sender's chat is open (and row-locked): the message joins it, unrouted."""
    if already_stored:
        return _stored(inbound), False
    return _record(inbound, conversation, opened=False)


def _receive_in_new_chat(inbound: Inbound) -> tuple[Message, bool]:
    """No open chat: resolve the sender, then open a chat (or take back the one a
    concurrent delivery just opened) and route it if it is new."""
    duplicate = _stored(inbound)
    if duplicate is not None:
        return duplicate, False
    identity = contacts_services.identity_resolve(
        kind=inbound.channel, address=inbound.sender_address, display_name=inbound.sender_name
    )
    conversation, opened = _open_conversation(inbound, identity)
    return _record(inbound, conversation, opened=opened)


def _record(inbound: Inbound, conversation: Conversation, *, opened: bool) -> tuple[Message, bool]:
    """Store the message in `conversation`, route a chat opened now, publish both."""
    try:
        with transaction.atomic():
            message = Message.objects.create(
                conversation=conversation,
                direction=Message.Direction.IN,
                body=inbound.body,
                channel_account_id=inbound.channel_account_id,
                provider_message_id=inbound.provider_message_id,
                delivery_status=DeliveryStatus.DELIVERED,
            )
    except IntegrityError:
        # The same provider message committed by a concurrent delivery of the webhook.
        return _stored(inbound), False
    conversation.last_message_at = message.created_at
    conversation.archived = False
    fields = ["last_message_at", "archived"]
    if _extend_reply_window(conversation, inbound):
        fields.append("reply_window_closes_at")
    started_waiting = conversation.customer_waiting_since is None
    if started_waiting:
        # The first message since the last reply starts the customer's wait.
        conversation.customer_waiting_since = message.created_at
        fields.append("customer_waiting_since")
    conversation.save(update_fields=fields)
    audience = None
    if not opened:
        sla_customer_message(conversation, message, opened=False)
    if opened:
        offered = assignment.route(conversation=conversation, opened_now=True)
        # After routing, which has read the queue: its targets cost no query here.
        sla_customer_message(conversation, message, opened=True)
        # Computed once for both events: nothing changes who sees the chat in between.
        audience = conversation_audience(conversation)
        events.publish(
            "conversation.updated",
            data=events.conversation_data(conversation),
            recipients=audience - offered,
            conversation=conversation,
            # A new chat joins the end of the line: nobody's place changes but its own.
            line_moved=conversation.channel == Channel.LIVECHAT,
        )
    _publish_created(message, audience=audience)
    out_of_hours_notify(conversation)
    if not opened and conversation.status == Status.TAKEN:
        absence.customer_wrote(conversation, started_waiting=started_waiting)
    return message, True


def _extend_reply_window(conversation: Conversation, inbound: Inbound) -> bool:
    """The customer wrote: free text may go until the provider's timestamp plus the window.
    Never moved back: a late-delivered older message does not shorten it."""
    if inbound.reply_window is None:
        return False
    closes_at = (inbound.sent_at or now()) + inbound.reply_window
    current = conversation.reply_window_closes_at
    if current is not None and current >= closes_at:
        return False
    conversation.reply_window_closes_at = closes_at
    return True


def _publish_created(message: Message, *, audience: set[int] | None) -> None:
    # Just created, its files are downloaded after commit: it has none yet, so the
    # event's serializer is spared a query. Only for the event: callers get the
    # message without the cache, and see its attachments once they are stored.
    message._prefetched_objects_cache = {"attachments": Attachment.objects.none()}
    try:
        events.message_created(message, audience=audience)
    finally:
        del message._prefetched_objects_cache


def _storable(inbound: Inbound) -> Inbound:
    """Customers' text verbatim, but for NUL, which PostgreSQL text cannot hold: a
    webhook carrying one must still be stored (or the provider retries it for days)."""
    return replace(
        inbound,
        body=inbound.body.replace("\x00", "\ufffd"),
        sender_name=inbound.sender_name.replace("\x00", "\ufffd"),
        sender_address=inbound.sender_address.replace("\x00", ""),
    )


def _stored(inbound: Inbound) -> Message | None:
    if not inbound.provider_message_id:
        return None
    return Message.objects.filter(
        channel_account_id=inbound.channel_account_id,
        provider_message_id=inbound.provider_message_id,
    ).first()


def _follow_up(inbound: Inbound) -> tuple[Conversation, bool] | None:
    """The sender's open chat on this account, row-locked, and whether this provider
    message is stored already: (chat, already_stored), or None when no chat is open.

    Most messages follow up an open chat. The duplicate check, the identity and the lock
    were three round trips and much of a webhook's ORM work (docs/performance.md); here
    they are one, written out because building it through the ORM cost as much again.
    The duplicate flag is read before the lock is granted, so a concurrent delivery of
    the same message can still slip past it: the message's unique constraint catches
    that one (message_receive's savepoint).
    """
    try:
        address = contacts_services.normalize_address(inbound.channel, inbound.sender_address)
    except ValidationError:
        return None  # the full path raises it, as it always did
    rows = list(
        Conversation.objects.raw(
            _follow_up_sql(),
            [
                inbound.provider_message_id is not None,
                inbound.channel_account_id,
                inbound.provider_message_id,
                inbound.channel,
                address,
                inbound.channel_account_id,
                *OPEN_STATUSES,
            ],
        )
    )
    if not rows:
        return None
    conversation = rows[0]
    already_stored = bool(conversation.already_stored)
    if not already_stored and inbound.sender_name.strip() and not conversation.identity_name:
        contacts_services.identity_name_if_missing(conversation.identity, inbound.sender_name)
    return conversation, already_stored


@functools.cache
def _follow_up_sql() -> str:
    conversation = Conversation._meta.db_table
    identity = Identity._meta.db_table
    message = Message._meta.db_table
    lock = " FOR UPDATE OF c" if connection.features.has_select_for_update_of else ""
    queue = Queue._meta.db_table
    return (
        f"SELECT c.*, i.display_name AS identity_name, q.business_hours_id AS queue_hours_id,"
        # The queue's service-level targets: the clocks start without a query of their own.
        f" q.first_response_target_seconds AS queue_first_response_target,"
        f" q.resolution_target_seconds AS queue_resolution_target,"
        f" (%s AND EXISTS (SELECT 1 FROM {message} m"
        f"  WHERE m.channel_account_id = %s AND m.provider_message_id = %s)) AS already_stored"
        # Whether the chat's queue keeps business hours: most do not, and then the
        # out-of-hours check needs no query of its own.
        # The queue's absence rules come along too: when off, a follow-up costs nothing.
        f", q.reassign_after_seconds AS queue_reassign_after,"
        f" q.owner_offline_after_seconds AS queue_offline_after"
        f" FROM {conversation} c JOIN {identity} i ON i.id = c.identity_id"
        f" LEFT JOIN {queue} q ON q.id = c.queue_id"
        f" WHERE i.kind = %s AND i.address = %s AND c.channel_account_id = %s"
        f" AND c.status IN ({', '.join(['%s'] * len(OPEN_STATUSES))})"
        f" ORDER BY c.id LIMIT 1{lock}"
    )


def _open_conversation(inbound: Inbound, identity: Identity) -> tuple[Conversation, bool]:
    """The open chat of this sender on this account, or a new one. Returns (chat, opened).

    Rocket.Chat #38148: the partial unique index makes a second concurrent open
    fail; we then use the one that won.
    """
    existing = _locked_open(inbound, identity)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                channel=inbound.channel,
                channel_account_id=inbound.channel_account_id,
                identity=identity,
                status=Status.UNASSIGNED,
                queue_id=inbound.route_queue_id,
                direct_agent_id=None if inbound.route_queue_id else inbound.route_agent_id,
                contact_prompt_open=identity.contact_id is None,
                visitor_ip=inbound.visitor_ip,
                visitor=inbound.visitor,
                offline=inbound.offline,
                last_message_at=now(),
            )
            log(
                conversation,
                "opened",
                actor=None,
                queue=inbound.route_queue_id,
                agent=inbound.route_agent_id,
            )
    except IntegrityError:
        return _locked_open(inbound, identity), False
    return conversation, True


def _locked_open(inbound: Inbound, identity: Identity) -> Conversation | None:
    return (
        Conversation.objects.select_for_update()
        .filter(
            identity=identity,
            channel_account_id=inbound.channel_account_id,
            status__in=OPEN_STATUSES,
        )
        .first()
    )


@transaction.atomic
def message_status_update(
    *, channel_account_id: int, provider_message_id: str, status: str, error: str = ""
) -> Message | None:
    """A provider's delivery report. Never moves backwards (sent < delivered < read)."""
    message = (
        Message.objects.select_for_update()
        .select_related("conversation")
        .filter(channel_account_id=channel_account_id, provider_message_id=provider_message_id)
        .first()
    )
    if message is None or not _advances(message.delivery_status, status):
        return None
    message.delivery_status = status
    message.delivery_error = error if status == DeliveryStatus.FAILED else ""
    message.delivery_due_at = None  # past pending: nothing left to send
    message.save(update_fields=["delivery_status", "delivery_error", "delivery_due_at"])
    events.message_status(message)
    return message


_ORDER = {
    DeliveryStatus.PENDING: 0,
    DeliveryStatus.SENT: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.READ: 3,
}


def _advances(current: str, new: str) -> bool:
    if new == DeliveryStatus.FAILED:
        return current in (DeliveryStatus.PENDING, DeliveryStatus.SENT)
    if current == DeliveryStatus.FAILED:
        return False
    return _ORDER[new] > _ORDER[current]
