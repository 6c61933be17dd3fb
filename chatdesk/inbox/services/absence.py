"""Absence handling: a taken chat goes back to routing when its owner is not answering.

Two rules per queue, each off while its field is empty (docs/architecture.md, Absence
handling):

- `no_reply` (`Queue.reassign_after_seconds`): the customer has waited that long for a
  reply. The wait starts at `Conversation.customer_waiting_since` (the customer's first
  message since an agent's last reply), but never before the owner took the chat: a
  chat that waited in the queue is not taken away from whoever just picked it up.
- `owner_offline` (`Queue.owner_offline_after_seconds`): the customer wrote while the
  owner was offline, and the owner has now been offline that long. Offline is the
  presence model's verdict: status `away` or `offline`, counted from when it was set
  (`User.status_changed_at`). A closed browser becomes `away` after
  PRESENCE_GRACE_SECONDS, so its clock starts then; an owner still in that grace, or
  working through the API with no socket, counts as online.

Either rule takes the chat from its owner and routes it anew in its queue, the owner
excluded from that round. Each fires once and on time: a Celery timer is set for the
moment a rule falls due (`inbox.reassign_due`, eta), and a beat sweep
(`inbox.reassign_overdue`) catches timers lost with a worker or the broker. Both call
`reassign_due`, which re-checks everything under the chat's row lock, so a timer that
comes early, late or twice does nothing wrong.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction

from chatdesk.accounts.models import Presence, User
from chatdesk.inbox import assignment, events
from chatdesk.inbox.models import Conversation, Message, Status
from chatdesk.inbox.selectors import conversation_audience
from chatdesk.inbox.services.common import event_line, log, now
from queues.models import Queue

logger = logging.getLogger(__name__)

NO_REPLY = "no_reply"
OWNER_OFFLINE = "owner_offline"
OFFLINE_STATUSES = (Presence.AWAY, Presence.OFFLINE)
# The smallest setting of either rule: chats waiting less than this are never due.
MIN_SECONDS = 5


def _rules(conversation: Conversation) -> tuple[int | None, int | None]:
    """(reassign_after_seconds, owner_offline_after_seconds) of the chat's queue.

    The inbound path reads them with the chat (receive.py's follow-up query) and spares
    a query; elsewhere the queue is read.
    """
    if hasattr(conversation, "queue_reassign_after"):
        return conversation.queue_reassign_after, conversation.queue_offline_after
    if conversation.queue_id is None:
        return None, None
    queue: Queue = conversation.queue
    return queue.reassign_after_seconds, queue.owner_offline_after_seconds


def no_reply_due_at(conversation: Conversation, after_seconds: int | None) -> datetime | None:
    """When the no-reply rule takes the chat, if the customer keeps waiting."""
    if not after_seconds or conversation.customer_waiting_since is None:
        return None
    start = conversation.customer_waiting_since
    if conversation.taken_at is not None and conversation.taken_at > start:
        start = conversation.taken_at
    return start + timedelta(seconds=after_seconds)


def owner_offline_due_at(
    conversation: Conversation, owner: User | None, after_seconds: int | None
) -> datetime | None:
    """When the owner-offline rule takes the chat: the owner offline that long and the
    customer's latest message written while they were offline."""
    if (
        not after_seconds
        or owner is None
        or conversation.customer_waiting_since is None
        or owner.status not in OFFLINE_STATUSES
        or owner.status_changed_at is None
    ):
        return None
    wrote_while_offline = Message.objects.filter(
        conversation_id=conversation.pk,
        direction=Message.Direction.IN,
        created_at__gte=owner.status_changed_at,
    ).exists()
    if not wrote_while_offline:
        return None
    return owner.status_changed_at + timedelta(seconds=after_seconds)


def _owner(conversation: Conversation) -> User | None:
    return (
        User.objects.only("pk", "status", "status_changed_at")
        .filter(pk=conversation.owner_id)
        .first()
    )


def _schedule(conversation_id: int, at: datetime) -> None:
    # Imported here: the tasks module imports the services.
    from chatdesk.inbox.tasks import reassign_due as reassign_task

    # robust: a broker outage must not fail the committed change; the sweep catches it.
    transaction.on_commit(
        lambda: reassign_task.apply_async((conversation_id,), eta=at), robust=True
    )


def customer_wrote(conversation: Conversation, *, started_waiting: bool) -> None:
    """A customer's message joined a taken chat (row-locked by the caller): reassign it
    now if a rule is due, otherwise set the timer of each rule that just began to run.

    `started_waiting`: this message started the customer's wait (the no-reply clock).
    A chatty customer's later lines set no second timer of either rule.
    """
    after_no_reply, after_offline = _rules(conversation)
    if not after_no_reply and not after_offline:
        return
    if conversation.owner_id is None or conversation.queue_id is None:
        return
    owner = _owner(conversation) if after_offline else None
    due = {
        OWNER_OFFLINE: owner_offline_due_at(conversation, owner, after_offline),
        NO_REPLY: no_reply_due_at(conversation, after_no_reply),
    }
    pending = {reason: at for reason, at in due.items() if at is not None}
    if not pending:
        return
    reason = min(pending, key=lambda key: pending[key])
    if pending[reason] <= now():
        _reassign(conversation, reason=reason)
        return
    if NO_REPLY in pending and started_waiting:
        _schedule(conversation.pk, pending[NO_REPLY])
    if OWNER_OFFLINE in pending and _first_line_while_offline(conversation, owner):
        _schedule(conversation.pk, pending[OWNER_OFFLINE])


def _first_line_while_offline(conversation: Conversation, owner: User | None) -> bool:
    if owner is None or owner.status_changed_at is None:
        return False
    written = Message.objects.filter(
        conversation_id=conversation.pk,
        direction=Message.Direction.IN,
        created_at__gte=owner.status_changed_at,
    )
    return written.count() == 1


def owner_changed(conversation: Conversation) -> None:
    """A chat was taken or handed over while its customer may be waiting: the no-reply
    clock of the new owner starts now; set its timer."""
    if conversation.status != Status.TAKEN or conversation.customer_waiting_since is None:
        return
    after_no_reply, _ = _rules(conversation)
    due = no_reply_due_at(conversation, after_no_reply)
    if due is not None:
        _schedule(conversation.pk, due)


def due_reason(conversation: Conversation, *, at: datetime) -> str | None:
    """Which rule, if any, takes this taken chat from its owner at `at`."""
    after_no_reply, after_offline = _rules(conversation)
    offline_due = owner_offline_due_at(
        conversation, _owner(conversation) if after_offline else None, after_offline
    )
    if offline_due is not None and offline_due <= at:
        return OWNER_OFFLINE
    no_reply_due = no_reply_due_at(conversation, after_no_reply)
    if no_reply_due is not None and no_reply_due <= at:
        return NO_REPLY
    return None


def reassign_due(*, conversation_id: int) -> str | None:
    """Take the chat from its owner and route it anew if a rule is due now.

    Returns the reason (`no_reply`, `owner_offline`) or None when nothing was due.
    """
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update()
            .filter(pk=conversation_id, status=Status.TAKEN, archived=False)
            .first()
        )
        if conversation is None or conversation.owner_id is None or conversation.queue_id is None:
            return None
        reason = due_reason(conversation, at=now())
        if reason is None:
            return None
        _reassign(conversation, reason=reason)
    return reason


def _reassign(conversation: Conversation, *, reason: str) -> None:
    previous = conversation.owner_id
    previous_name = conversation.owner.get_full_name() or conversation.owner.username
    conversation.owner = None
    conversation.status = Status.UNASSIGNED
    conversation.taken_at = None
    conversation.save(update_fields=["owner", "status", "taken_at"])
    log(conversation, "reassigned", actor=None, reason=reason, **{"from": previous})
    event_line(
        conversation,
        "reassigned",
        actor=None,
        reason=reason,
        from_name=previous_name,
        **{"from": previous},
    )
    offered = assignment.reroute(conversation=conversation, exclude=frozenset({previous}))
    # Like a new chat: the agents offered it got the offer; everyone else who sees it
    # gets the update, and the owner who lost it sees it leave (as with a transfer).
    audience = conversation_audience(conversation)
    events.publish(
        "conversation.updated",
        data=events.conversation_data(conversation),
        recipients=audience - offered,
        conversation=conversation,
    )
    events.publish(
        "conversation.removed",
        data={"id": conversation.pk},
        recipients={previous} - audience,
        conversation=conversation,
    )


def reassign_overdue() -> int:
    """Beat sweep: reassign every taken chat a rule has made due (its timer was lost).

    Each chat in its own transaction; returns how many were reassigned.
    """
    at = now()
    waiting = Conversation.objects.filter(
        status=Status.TAKEN,
        archived=False,
        owner__isnull=False,
        customer_waiting_since__isnull=False,
        customer_waiting_since__lte=at - timedelta(seconds=MIN_SECONDS),
    )
    candidates: set[int] = set()
    for pk, since, taken_at, after in waiting.filter(
        queue__reassign_after_seconds__isnull=False
    ).values_list("pk", "customer_waiting_since", "taken_at", "queue__reassign_after_seconds"):
        start = max(since, taken_at) if taken_at else since
        if start + timedelta(seconds=after) <= at:
            candidates.add(pk)
    for pk, changed_at, after in waiting.filter(
        queue__owner_offline_after_seconds__isnull=False,
        owner__status__in=OFFLINE_STATUSES,
        owner__status_changed_at__isnull=False,
    ).values_list("pk", "owner__status_changed_at", "queue__owner_offline_after_seconds"):
        if changed_at + timedelta(seconds=after) <= at:
            candidates.add(pk)
    reassigned = 0
    for conversation_id in sorted(candidates):
        try:
            reassigned += reassign_due(conversation_id=conversation_id) is not None
        except Exception:
            # Logged and retried on the next sweep; the other chats still move on.
            logger.exception("Reassigning chat %s failed", conversation_id)
    return reassigned
