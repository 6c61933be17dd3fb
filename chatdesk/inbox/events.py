"""Publishing domain events (Zulip's send_event_on_commit, with a stored log).

Every state change calls one of the functions below inside its transaction.
The event and its recipients are stored in that same transaction; after
commit the realtime app sends them to the recipients' sockets. Recipients are
computed from the committed-to-be state by the visibility selector, so an
agent who may not see a conversation never receives its events.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from chatdesk.accounts.models import User
from chatdesk.inbox import ports
from chatdesk.inbox.delivery_text import delivery_problem
from chatdesk.inbox.models import Channel, Conversation, Event, EventRecipient, Message
from chatdesk.inbox.selectors import conversation_audience
from chatdesk.inbox.serializers import ConversationSerializer, MessageSerializer, represent


def as_dict(event: Event) -> dict:
    return {
        "id": event.pk,
        "type": event.type,
        "at": event.at.isoformat().replace("+00:00", "Z"),
        "data": event.data,
    }


def publish(
    event_type: str,
    *,
    data: dict,
    recipients: Iterable[int],
    conversation: Conversation | None = None,
    line_moved: bool = True,
) -> Event | None:
    """Store one event for `recipients` and fan it out once the transaction commits.

    `line_moved=False`: the change cannot have moved anyone's place in a queue's
    waiting line, so waiting visitors need not be told.
    """
    if line_moved and event_type in _LINE_EVENTS:
        # Only a live chat has a visitor to tell that it left the line; a deleted chat
        # (no conversation any more) may have been one.
        if conversation is None:
            _line_changed(data.get("id"))
        else:
            _line_changed(conversation.pk if conversation.channel == "livechat" else None)
    agent_ids = sorted(set(recipients))
    if not agent_ids:
        return None
    event = Event.objects.create(type=event_type, conversation=conversation, data=data)
    _store_recipients(event.pk, agent_ids)
    payload = as_dict(event)
    transaction.on_commit(lambda: ports.fan_out([payload], {event.pk: agent_ids}))
    return event


# A chat opened, taken, closed, moved or deleted publishes one of these: the waiting
# line may have moved.
_LINE_EVENTS = frozenset({"conversation.updated", "conversation.removed"})


def _line_changed(conversation_id: int | None) -> None:
    """After commit, once per transaction, with every chat it changed: visitors waiting
    in line are told their new place (ports.waiting_changed)."""
    if not connection.in_atomic_block:
        ports.waiting_changed({conversation_id} if conversation_id else set())
        return
    for _savepoints, callback, *_ in connection.run_on_commit:
        changed = getattr(callback, "line_changed", None)
        if changed is not None:
            if conversation_id:
                changed.add(conversation_id)
            return
    changed: set[int] = {conversation_id} if conversation_id else set()

    def tell_the_line() -> None:
        ports.waiting_changed(changed)

    tell_the_line.line_changed = changed  # type: ignore[attr-defined]
    # robust: the change is committed; a visitor who misses a place update gets it on
    # the next change or when their socket reconnects.
    transaction.on_commit(tell_the_line, robust=True)


def _store_recipient_pairs(recipients: dict[int, list[int]]) -> None:
    """Several events' recipients in one statement (SQLite: one per 500 rows)."""
    events = [event_id for event_id, agents in recipients.items() for _ in agents]
    agents = [agent_id for ids in recipients.values() for agent_id in ids]
    table = connection.ops.quote_name(EventRecipient._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} (event_id, agent_id)"
                " SELECT unnest(%s::bigint[]), unnest(%s::bigint[])",
                [events, agents],
            )
            return
        per_statement = min(1000, (connection.features.max_query_params or 2000) // 2)
        for start in range(0, len(events), per_statement):
            chunk = list(zip(events[start : start + per_statement], agents[start:], strict=False))
            rows = ", ".join(["(%s, %s)"] * len(chunk))
            params = [value for pair in chunk for value in pair]
            cursor.execute(f"INSERT INTO {table} (event_id, agent_id) VALUES {rows}", params)


def _store_recipients(event_id: int, agent_ids: list[int]) -> None:
    """One row per recipient, in one statement, without building a model per row.

    Why not bulk_create: a chat offered to a 50-member queue publishes events to
    50+ agents several times per message; bulk_create's per-object model work
    (init, pre_save, field preparation) was most of every publish's time
    (docs/performance.md).
    """
    table = connection.ops.quote_name(EventRecipient._meta.db_table)
    if connection.vendor == "postgresql":
        # Two parameters whatever the audience: psycopg quoting a hundred ints of a
        # VALUES list was most of this function's time (docs/performance.md).
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (event_id, agent_id) SELECT %s, unnest(%s::bigint[])",
                [event_id, agent_ids],
            )
        return
    # Two parameters a row; SQLite (as Django configures it) takes at most 999.
    per_statement = min(1000, (connection.features.max_query_params or 2000) // 2)
    with connection.cursor() as cursor:
        for start in range(0, len(agent_ids), per_statement):
            chunk = agent_ids[start : start + per_statement]
            rows = ", ".join(["(%s, %s)"] * len(chunk))
            params = [value for agent_id in chunk for value in (event_id, agent_id)]
            cursor.execute(f"INSERT INTO {table} (event_id, agent_id) VALUES {rows}", params)


def conversation_data(conversation: Conversation) -> dict:
    return represent(ConversationSerializer, conversation)


def conversation_changed(conversation: Conversation, *, lost: Iterable[int] = ()) -> None:
    """`conversation.updated` to everyone who sees it; `removed` to those who just lost it."""
    audience = conversation_audience(conversation)
    data = conversation_data(conversation)
    publish("conversation.updated", data=data, recipients=audience, conversation=conversation)
    gone = set(lost) - audience
    publish(
        "conversation.removed",
        data={"id": conversation.pk},
        recipients=gone,
        conversation=conversation,
    )


def conversation_offered(conversation: Conversation, agent_ids: Iterable[int]) -> None:
    publish(
        "conversation.offered",
        data=conversation_data(conversation),
        recipients=agent_ids,
        conversation=conversation,
    )


def conversation_removed(conversation: Conversation, agent_ids: Iterable[int]) -> None:
    """Tell agents a conversation left their view (a take, a transfer, a timeout)."""
    publish(
        "conversation.removed",
        data={"id": conversation.pk},
        recipients=set(agent_ids) - conversation_audience(conversation),
        conversation=conversation,
    )


def message_created(message: Message, *, audience: set[int] | None = None) -> None:
    """`audience`: the conversation's audience when the caller has just computed it
    in the same transaction (saves recomputing it); otherwise it is computed here."""
    conversation = message.conversation
    publish(
        "message.created",
        data={"conversation": conversation.pk, **represent(MessageSerializer, message)},
        recipients=conversation_audience(conversation) if audience is None else audience,
        conversation=conversation,
    )
    message_to_integrators(message)


def message_updated(message: Message) -> None:
    """A message changed after it was created (its media arrived)."""
    conversation = message.conversation
    publish(
        "message.updated",
        data={"conversation": conversation.pk, **represent(MessageSerializer, message)},
        recipients=conversation_audience(conversation),
        conversation=conversation,
    )


def _status_data(message: Message) -> dict:
    conversation = message.conversation
    return {
        "conversation": conversation.pk,
        "id": message.pk,
        "delivery_status": message.delivery_status,
        "delivery_error": message.delivery_error,
        "delivery_problem": delivery_problem(
            channel=conversation.channel, error=message.delivery_error
        ),
    }


def message_status(message: Message) -> None:
    publish(
        "message.status",
        data=_status_data(message),
        recipients=conversation_audience(message.conversation),
        conversation=message.conversation,
    )
    statuses_to_integrators([message])


def message_statuses(messages: list[Message]) -> None:
    """`message.status` of each message, stored in one INSERT with one of recipients and
    fanned out in one call after commit (a delivery worker records replies by the batch).
    Each conversation's audience is read once."""
    audiences: dict[int, list[int]] = {}
    for message in messages:
        if message.conversation_id not in audiences:
            audiences[message.conversation_id] = sorted(
                set(conversation_audience(message.conversation))
            )
    statuses_to_integrators(messages)
    addressed = [m for m in messages if audiences[m.conversation_id]]
    if not addressed:
        return
    stored = Event.objects.bulk_create(
        Event(type="message.status", conversation=m.conversation, data=_status_data(m))
        for m in addressed
    )
    recipients = {
        event.pk: audiences[message.conversation_id]
        for event, message in zip(stored, addressed, strict=True)
    }
    _store_recipient_pairs(recipients)
    payloads = [as_dict(event) for event in stored]
    transaction.on_commit(lambda: ports.fan_out(payloads, recipients))


def agent_status(agent: User) -> None:
    """Presence is team-wide knowledge: the transfer dialog shows it."""
    recipients = User.objects.filter(is_active=True).values_list("pk", flat=True)
    publish(
        "agent.status",
        data={"agent": agent.pk, "status": agent.status},
        recipients=recipients,
    )


# --- Outbound webhooks (ports.integration_events) ------------------------------
# Conversation history kinds (services.common.log) integrators hear of, by public name.
_HISTORY_TO_INTEGRATORS = {
    "opened": "conversation.created",
    "taken": "conversation.taken",
    "transferred": "conversation.transferred",
    "dealt_with": "conversation.dealt_with",
}


def _for_integrators(conversation: Conversation) -> bool:
    # Chats between agents are the team's own, not a customer conversation.
    return conversation.channel != Channel.INTERNAL


def history_to_integrators(
    conversation: Conversation, kind: str, *, actor: User | None, data: dict
) -> None:
    """A logged step of a conversation's history, for integrators if it is one they
    may subscribe to."""
    event_type = _HISTORY_TO_INTEGRATORS.get(kind)
    if event_type is None or not _for_integrators(conversation):
        return
    extra = {key: data[key] for key in ("to", "previous_owner") if key in data}
    ports.integration_events(
        [
            (
                event_type,
                lambda: {
                    **conversation_data(conversation),
                    "actor": actor.pk if actor else None,
                    **extra,
                },
            )
        ]
    )


def message_to_integrators(message: Message) -> None:
    """A customer's message or a reply is `message.created`; a private note is only ever
    `note.created` (its own subscription); the story's event lines are neither."""
    if not _for_integrators(message.conversation):
        return
    kinds = {Message.Kind.MESSAGE: "message.created", Message.Kind.NOTE: "note.created"}
    event_type = kinds.get(message.kind)
    if event_type is None:
        return
    ports.integration_events(
        [
            (
                event_type,
                lambda: {
                    "conversation": message.conversation_id,
                    **represent(MessageSerializer, message),
                },
            )
        ]
    )


def statuses_to_integrators(messages: list[Message]) -> None:
    ports.integration_events(
        [
            ("message.status", lambda m=message: _status_data(m))
            for message in messages
            if message.kind == Message.Kind.MESSAGE and _for_integrators(message.conversation)
        ]
    )


def csat_received(conversation: Conversation) -> None:
    """The customer rated the conversation: for integrators (`csat.received`)."""
    if not _for_integrators(conversation):
        return
    ports.integration_events([("csat.received", lambda: _csat_data(conversation))])


def _csat_data(conversation: Conversation) -> dict:
    rated_at = conversation.csat_at
    return {
        "conversation": conversation.pk,
        "rating": conversation.csat_rating,
        "comment": conversation.csat_comment,
        "at": rated_at.isoformat().replace("+00:00", "Z") if rated_at else None,
    }
