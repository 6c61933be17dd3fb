"""Assignment: who is offered a waiting chat, escalation, capacity, drain.

The inbox services call these inside their transactions. The decision of who
is next is `queues.strategies.pick` (pure); this module feeds it the queue's
members with their presence and load, records the offers, publishes the events
and schedules the ring-timeout escalation.

A routing round is one `pick`: its offers share `Conversation.routing_round`.
Timed rounds (every strategy but ring_all, until the hunt has tried everyone)
carry a deadline and escalate when it passes; untimed rounds (ring_all, the
whole-queue fallback) have no deadline and ring until someone takes the chat.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Collection
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from chatdesk.accounts.models import Presence, User
from chatdesk.inbox import events
from chatdesk.inbox.models import Channel, Conversation, Status
from chatdesk.inbox.selectors import conversation_audience
from queues import hours, strategies
from queues import selectors as queue_selectors
from queues import services as queue_services
from queues.models import Offer, Queue

logger = logging.getLogger(__name__)

# The random strategies draw from this; tests seed it to make a hunt's order known.
rng = random.Random()


def open_chat_counts(agent_ids: Collection[int]) -> dict[int, int]:
    """Open chats each agent owns: taken, not archived, with a customer (not internal)."""
    rows = (
        Conversation.objects.filter(owner_id__in=agent_ids, status=Status.TAKEN, archived=False)
        .exclude(channel=Channel.INTERNAL)
        .values("owner_id")
        .annotate(open_chats=Count("pk"))
        .order_by()
    )
    return {row["owner_id"]: row["open_chats"] for row in rows}


def route(*, conversation: Conversation, opened_now: bool = False) -> set[int]:
    """Offer a newly opened (or re-opened) unowned chat; returns the agents offered now.

    A chat routed to an agent's extension needs no offer: that agent sees it.
    `opened_now`: created in the caller's transaction, so it has no earlier offers
    or routing to clear (the inbound hot path skips those queries).
    """
    if conversation.direct_agent_id:
        return {conversation.direct_agent_id}
    if conversation.queue_id is None:
        return set()
    # No savepoint: a failure while routing fails the receiving transaction as a whole.
    with transaction.atomic(savepoint=False):
        # A re-opened chat starts a new hunt; offers left from before must not linger.
        stale = (
            set()
            if opened_now
            else queue_services.offers_close(conversation_id=conversation.pk, winner_id=None)
        )
        queue_services.routing_start(
            conversation_id=conversation.pk,
            round=conversation.routing_round + 1,
            first=opened_now,
        )
        offered = _offer_next_round(conversation, tried=frozenset())
        if stale:
            events.conversation_removed(conversation, stale)
    return offered


def _offer_next_round(
    conversation: Conversation, *, tried: frozenset[int], exclude: frozenset[int] = frozenset()
) -> set[int]:
    """Start the next round: ask the strategy, record the offers, tell the agents.

    A queue outside its business hours offers the chat to nobody: it is held until
    the queue opens (`release_held`); supervisors see it meanwhile.
    """
    queue = conversation.queue
    if _hold_if_closed(conversation, queue):
        return set()
    conversation.routing_round += 1
    conversation.save(update_fields=["routing_round"])
    candidates = queue_selectors.queue_candidates(queue=queue, open_chats_of=open_chat_counts)
    if exclude:
        candidates = [c for c in candidates if c.agent_id not in exclude]
    choice = strategies.pick(queue.strategy, candidates, tried=tried, rng=rng)
    if not choice.agent_ids:
        return set()  # nobody can take it now; drain offers it when someone frees up
    timed = strategies.is_timed(queue.strategy) and not choice.whole_queue
    deadline = timezone.now() + timedelta(seconds=queue.ring_timeout_seconds) if timed else None
    queue_services.offer_record(
        conversation_id=conversation.pk,
        queue=queue,
        agent_ids=choice.agent_ids,
        round=conversation.routing_round,
        deadline=deadline,
    )
    events.conversation_offered(conversation, choice.agent_ids)
    if timed:
        _schedule_escalation(conversation.pk, conversation.routing_round, queue)
    return set(choice.agent_ids)


def _hold_if_closed(conversation: Conversation, queue: Queue) -> bool:
    at = timezone.now()
    if hours.is_open(queue, at):
        return False
    # A schedule that never opens again still names a moment: the chat shows as held.
    reopens = hours.next_open_at(queue, at) or at + timedelta(days=hours.HORIZON_DAYS)
    if conversation.held_until != reopens:
        conversation.held_until = reopens
        conversation.save(update_fields=["held_until"])
    return True


def release_held() -> int:
    """Route the chats held for closed queues that are open now; returns how many.

    Beat runs it every HOURS_SWEEP_SECONDS, so a chat that came in overnight rings at
    the opening. Oldest first per queue, each in its own transaction; a chat taken
    (by a supervisor) while held only has its mark cleared.
    """
    Conversation.objects.filter(held_until__isnull=False).exclude(_WAITING).update(held_until=None)
    at = timezone.now()
    held = Conversation.objects.filter(_WAITING, held_until__isnull=False)
    queue_ids = set(held.values_list("queue_id", flat=True))
    released = 0
    for queue in Queue.objects.filter(pk__in=queue_ids).order_by("pk"):
        if not hours.is_open(queue, at):
            continue
        for conversation_id in (
            held.filter(queue=queue).order_by("created_at", "pk").values_list("pk", flat=True)
        ):
            try:
                released += _release_one(conversation_id)
            except Exception:
                # Logged and retried on the next sweep; the other chats still ring.
                logger.exception("Releasing held chat %s failed", conversation_id)
    return released


def _release_one(conversation_id: int) -> bool:
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update(skip_locked=True)
            .filter(_WAITING, pk=conversation_id, held_until__isnull=False)
            .first()
        )
        if conversation is None:
            return False
        conversation.held_until = None
        conversation.save(update_fields=["held_until"])
        offered: set[int] = set()
        if not queue_selectors.pending_offers(conversation_id=conversation.pk):
            tried = queue_selectors.tried_agent_ids(conversation_id=conversation.pk)
            offered = _offer_next_round(conversation, tried=tried)
        # Supervisors' lists drop the "held" mark; those just offered got it in the offer.
        events.publish(
            "conversation.updated",
            data=events.conversation_data(conversation),
            recipients=conversation_audience(conversation) - offered,
            conversation=conversation,
        )
    return True


def _schedule_escalation(conversation_id: int, round: int, queue: Queue) -> None:
    # Imported here: the tasks module imports this one.
    from chatdesk.inbox.tasks import escalate_offer

    # robust: a broker outage must not fail the committed request; the overdue
    # sweep escalates rounds whose task was never enqueued.
    transaction.on_commit(
        lambda: escalate_offer.apply_async(
            (conversation_id, round), countdown=queue.ring_timeout_seconds
        ),
        robust=True,
    )


def close_offers(*, conversation: Conversation, winner_id: int | None) -> set[int]:
    """Close the chat's pending offers (taken by the winner, lost or withdrawn otherwise).

    Returns every agent whose pending offer closed. The winner's membership
    remembers the assignment, so round robin moves on to someone else.
    """
    with transaction.atomic():
        closed = queue_services.offers_close(conversation_id=conversation.pk, winner_id=winner_id)
        if winner_id is not None and conversation.queue_id:
            queue_services.member_mark_assigned(queue_id=conversation.queue_id, agent_id=winner_id)
    return closed


def has_capacity(*, agent: User, queue: Queue | None) -> bool:
    """Whether `agent` may own one more chat; call it inside the claiming transaction.

    The agent's row stays locked until that transaction ends, so two concurrent
    claims for one agent are counted one after the other (Rocket.Chat #18217).
    Outside a transaction select_for_update raises: the check alone would be a race.
    """
    locked = User.objects.select_for_update().only("pk", "max_chats").get(pk=agent.pk)
    limit = queue_selectors.chat_limit(agent_max_chats=locked.max_chats, queue=queue)
    return open_chat_counts([locked.pk]).get(locked.pk, 0) < limit


def _still_ringing(conversation: Conversation | None, round: int) -> bool:
    return (
        conversation is not None
        and conversation.owner_id is None
        and conversation.status == Status.UNASSIGNED
        and conversation.direct_agent_id is None
        and conversation.queue_id is not None
        and conversation.routing_round == round
    )


def escalate(*, conversation_id: int, round: int) -> bool:
    """The ring timeout of `round` passed: time its offers out and offer the next agents.

    Safe when it comes late or twice: a chat taken, closed or already moved on to
    a later round is left alone. Returns whether the round was escalated.
    """
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().filter(pk=conversation_id).first()
        if not _still_ringing(conversation, round):
            return False
        timed_out = queue_services.offers_time_out(
            conversation_id=conversation_id, round=round, now=timezone.now()
        )
        if not timed_out:
            return False  # nothing was ringing past its deadline in this round
        if not conversation.archived:  # an archived chat stops ringing: nobody new is offered
            tried = queue_selectors.tried_agent_ids(conversation_id=conversation_id)
            _offer_next_round(conversation, tried=tried)
        # After the new offers: an agent offered again (the whole queue) keeps the chat.
        events.conversation_removed(conversation, timed_out)
    return True


def escalate_overdue() -> int:
    """Escalate every round still ringing past its deadline (its task was lost).

    Each round in its own transaction, so one failure does not hold up the rest.
    Returns how many rounds were escalated.
    """
    escalated = 0
    for conversation_id, round in queue_selectors.overdue_rounds(now=timezone.now()):
        try:
            escalated += escalate(conversation_id=conversation_id, round=round)
        except Exception:
            # Logged and retried on the next sweep; the other chats still move on.
            logger.exception("Escalating round %s of chat %s failed", round, conversation_id)
    return escalated


_WAITING = Q(
    status=Status.UNASSIGNED,
    owner__isnull=True,
    archived=False,
    direct_agent__isnull=True,
) & ~Q(channel=Channel.INTERNAL)


def drain(*, agent: User) -> int:
    """Offer the oldest waiting chats of the agent's queues at once (Chatwoot #10376).

    Called when the agent became available or freed a chat slot. Oldest first,
    at most as many chats as the agent has free slots (per queue limit):
    - no pending offer (nobody was eligible, or the hunt ran dry): a new round
      of the queue's strategy, which may offer it to this agent or to another;
    - an untimed round ringing (ring_all, whole-queue fallback): every eligible
      member sees such a chat, so this agent joins that round;
    - a timed hunt ringing someone else: left alone; its escalation reaches
      this agent in turn without jumping the queue's order.
    Returns how many chats were offered (to anyone).
    """
    if not (agent.is_active and agent.status == Presence.AVAILABLE):
        return 0
    at = timezone.now()
    # Closed queues keep their chats held until they open (release_held).
    queues = {
        queue.pk: queue
        for queue in queue_selectors.agent_queues(agent_id=agent.pk)
        if hours.is_open(queue, at)
    }
    offered_chats = 0
    with transaction.atomic():
        load = open_chat_counts([agent.pk]).get(agent.pk, 0)
        for conversation_id in _waiting_ids(queue_ids=queues, agent_id=agent.pk):
            if all(load >= _limit(agent, queue) for queue in queues.values()):
                break
            # skip_locked: a chat being taken right now is not waiting any more.
            conversation = (
                Conversation.objects.select_for_update(skip_locked=True)
                .filter(_WAITING, pk=conversation_id)
                .first()
            )
            if conversation is None or load >= _limit(agent, queues[conversation.queue_id]):
                continue
            offered = _drain_one(conversation, agent=agent)
            offered_chats += bool(offered)
            load += agent.pk in offered
    return offered_chats


def _limit(agent: User, queue: Queue) -> float:
    return queue_selectors.chat_limit(agent_max_chats=agent.max_chats, queue=queue)


def _waiting_ids(*, queue_ids: Collection[int], agent_id: int) -> list[int]:
    """Waiting chats of these queues not already ringing for this agent, oldest first."""
    ringing_for_agent = Offer.objects.filter(
        conversation_id=OuterRef("pk"), agent_id=agent_id, outcome=Offer.Outcome.PENDING
    )
    return list(
        Conversation.objects.filter(_WAITING, queue_id__in=queue_ids)
        .exclude(Exists(ringing_for_agent))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )


def _drain_one(conversation: Conversation, *, agent: User) -> set[int]:
    """Offer one waiting chat per the rules of `drain`; returns the agents offered."""
    pending = queue_selectors.pending_offers(conversation_id=conversation.pk)
    if not pending:
        tried = queue_selectors.tried_agent_ids(conversation_id=conversation.pk)
        return _offer_next_round(conversation, tried=tried)
    if any(offer.deadline is not None for offer in pending):
        return set()
    queue_services.offer_record(
        conversation_id=conversation.pk,
        queue=conversation.queue,
        agent_ids=[agent.pk],
        round=conversation.routing_round,
        deadline=None,
    )
    events.conversation_offered(conversation, [agent.pk])
    return {agent.pk}


def reroute(*, conversation: Conversation, exclude: frozenset[int]) -> set[int]:
    """Route a chat that just lost its owner anew in its queue; returns the agents offered.

    `exclude` (the owner who lost it) is offered nothing in this first round, whatever
    the strategy; capacity and presence count as in any routing.
    """
    with transaction.atomic(savepoint=False):
        stale = queue_services.offers_close(conversation_id=conversation.pk, winner_id=None)
        queue_services.routing_start(
            conversation_id=conversation.pk, round=conversation.routing_round + 1
        )
        offered = _offer_next_round(conversation, tried=exclude, exclude=exclude)
        if stale:
            events.conversation_removed(conversation, stale)
    return offered
