"""Sending a sender's due replies: the providers' side of the outbox (docs/architecture.md).

inbox owns a reply's states: it hands over the due replies it claimed
(`delivery.outbox_claim`) and records what became of each attempt
(`delivery.outbox_record`), two calls per attempt. Here is what talking to providers
needs: Meta's 24-hour window, the sender's limit (`throughput.slots`), the adapter's
`send` on the worker's kept HTTP client, and what a failure means (a retry after a
backoff, or failed).

A worker takes up to BATCH due replies of one sender at a time: one claim, one limiter
round trip, their sends, one transaction recording them. A reply that is not sent now
(its slot is ahead, or its retry's backoff) has its due time moved there and a run
queued for then, one per sender and moment (channels_ingest/runs.py); if that run is
lost, the outbox sweep finds the reply overdue.
"""

from __future__ import annotations

import logging
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.utils import timezone

from channels_ingest.models import ChannelAccount
from channels_ingest.providers.base import DeliveryError, OutboundMessage
from channels_ingest.providers.registry import get_adapter
from channels_ingest.reply_windows import needs_human_agent_tag
from channels_ingest.signed_media import signed_url
from channels_ingest.throughput import slots, sms_segments
from chatdesk.inbox.models import Attachment, Message
from chatdesk.inbox.services import delivery
from chatdesk.inbox.services.delivery import Outcome, Outgoing

logger = logging.getLogger(__name__)

# Replies of one sender claimed and recorded together. Larger batches cost a worker no
# less per POST, and with a slow provider hold the last reply of a batch back longer.
BATCH = 20

# Meta's customer-service window (docs/providers.md): free-form replies only within it.
REPLY_WINDOW = timedelta(hours=24)


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


@dataclass
class Run:
    """What one run did: the status of the reply it was queued for ("not pending": not
    ours, sent or taken by another run), and the replies to run again, in seconds."""

    status: str = "not pending"
    later: list[tuple[int, float]] = field(default_factory=list)
    sender: int | None = None
    # A whole batch was due: more may be, for a run queued at once.
    more_due: bool = False


def deliver_due(
    message_id: int, *, eager: bool = False, next_batch: Callable[[int], None] | None = None
) -> Run:
    """Send `message_id` if it is due, and its sender's other due replies (up to BATCH).

    `eager`: tasks run in-process (tests), a reply queued for later runs at once, so its
    due time is now. `next_batch(sender id)`: called when a whole batch was due, before
    sending it, so that another worker takes the next batch meanwhile.
    """
    claimed = delivery.outbox_claim(message_id=message_id, limit=BATCH)
    run = Run()
    if not claimed:
        return run
    account = claimed[0].message.conversation.channel_account
    run.sender = account.pk if account is not None else None
    run.more_due = len(claimed) == BATCH
    if run.more_due and run.sender and next_batch is not None:
        next_batch(run.sender)
    if account is not None and account.kind == ChannelAccount.Kind.LIVECHAT:
        from channels_ingest.livechat.delivery import deliver_to_visitor

        # A visitor's socket has no provider limit: no slot, sent at once.
        for item in claimed:
            status = deliver_to_visitor(item.message.pk)
            if item.message.pk == message_id:
                run.status = status
        return run
    outcomes = _send_all(account, claimed, run, eager=eager)
    delivery.outbox_record(outcomes)
    for outcome in outcomes:
        if outcome.message.pk == message_id:
            run.status = outcome.status or "waiting"
    return run


def _send_all(
    account: ChannelAccount | None, claimed: list[Outgoing], run: Run, *, eager: bool
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    ready: list[Outgoing] = []
    for item in claimed:
        closed = _window_closed(account, item)
        if closed:
            outcomes.append(Outcome.failed(item.message, reason=closed))
        else:
            ready.append(item)
    if not ready:
        return outcomes
    given = slots(
        sender_key=str(account.pk),
        rate_per_second=account.rate_limit,
        weights={item.message.pk: _weight(account, item) for item in ready},
    )
    adapter = get_adapter(account.kind)
    for item in ready:
        message, slot = item.message, given[item.message.pk]
        # Run eagerly (tests), a reply's queued run comes at once, before its slot: a
        # reply holding its slot goes then.
        if slot.wait > 0 and not (eager and slot.held):
            # Over the sender's limit: the reply keeps its slot and goes then, without
            # counting an attempt.
            outcomes.append(Outcome.later(message, due_at=_due(slot.wait, eager)))
            run.later.append((message.pk, slot.wait))
            continue
        try:
            result = adapter.send(
                account.credentials,
                account.external_id,
                _outbound(item),
                client=provider_client(),
            )
        except DeliveryError as error:
            outcome, countdown = _failure(message, error, eager=eager)
            outcomes.append(outcome)
            if countdown is not None:
                run.later.append((message.pk, countdown))
            continue
        outcomes.append(
            Outcome.sent(
                message, provider_message_id=result.provider_message_id, status=result.status
            )
        )
    return outcomes


def _failure(
    message: Message, error: DeliveryError, *, eager: bool
) -> tuple[Outcome, float | None]:
    """Failed for good (permanent, or the last attempt), or due again after a backoff."""
    attempts = message.delivery_attempts + 1
    reason = f"{error.message} (code {error.code})" if error.code else error.message
    if error.permanent or attempts >= settings.DELIVERY_MAX_ATTEMPTS:
        return Outcome.failed(message, reason=reason), None
    logger.warning("Delivery of message %s failed (attempt %s): %s", message.pk, attempts, reason)
    countdown = backoff_seconds(attempts, error.retry_after)
    return Outcome.later(message, due_at=_due(countdown, eager), attempts=attempts), countdown


def _due(seconds: float, eager: bool) -> datetime:
    # Run eagerly (tests) the next run comes at once: so is the reply due.
    return timezone.now() + timedelta(seconds=0 if eager else seconds)


def _weight(account: ChannelAccount, item: Outgoing) -> int:
    if account.kind == ChannelAccount.Kind.SMS and not item.files:
        return sms_segments(item.message.body)  # Twilio's long-code limit counts segments
    return 1


def _window_closed(account: ChannelAccount | None, item: Outgoing) -> str:
    """The reason a reply cannot go, checked before the provider refuses it (131047, 10/2018278)."""
    if account is None:
        return "This chat has no channel account to send on."
    if account.kind not in (ChannelAccount.Kind.WHATSAPP, ChannelAccount.Kind.MESSENGER):
        return ""
    if item.message.template is not None:
        return ""  # an approved template goes in or out of the window
    closes_at = item.message.conversation.reply_window_closes_at
    if closes_at is not None:
        if timezone.now() <= closes_at:
            return ""
        return (
            "Outside the reply window: the customer has not written recently enough, "
            f"so {account.get_kind_display()} accepts no free-form reply until they write again."
        )
    last = item.last_inbound_at
    if last is not None and timezone.now() - last <= REPLY_WINDOW:
        return ""
    return (
        "Outside the 24-hour window: the customer has not written in the last 24 hours, "
        f"so {account.get_kind_display()} accepts no free-form reply until they write again."
    )


def _media_base_url() -> str:
    return settings.PUBLIC_BASE_URL or f"http://127.0.0.1:{settings.PUBLIC_PORT}"


def _outbound(item: Outgoing) -> OutboundMessage:
    files: list[Attachment] = item.files
    conversation = item.message.conversation
    account = conversation.channel_account
    tagged = account is not None and needs_human_agent_tag(
        account, conversation.reply_window_closes_at
    )
    return OutboundMessage(
        to=conversation.identity.address,
        body=item.message.body,
        media_urls=tuple(signed_url(a.pk, _media_base_url()) for a in files),
        media_types=tuple(a.content_type for a in files),
        template=item.message.template,
        tag="HUMAN_AGENT" if tagged else "",
    )
