"""Reads with rules. `visible_conversations` decides who sees what, everywhere."""

from __future__ import annotations

import functools

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from chatdesk.accounts.models import Role, User
from chatdesk.inbox.models import (
    Channel,
    Conversation,
    Event,
    EventRecipient,
    Mention,
    Message,
    ParticipantState,
    ReadMarker,
)
from chatdesk.rawsql import column, table
from queues.models import Offer
from templates_app.contact_lookup import ConversationNotVisible


def visible_conversations(user: User, *, mentions: bool = True) -> QuerySet[Conversation]:
    """Every conversation `user` may see (docs/api.md: Conversations).

    - Managers and owners: every customer conversation.
    - Agents: what they own; unowned chats routed to them directly; unowned queue
      chats currently offered to them (per the queue's strategy); customer chats a
      colleague's note mentioned them in, until the chat is dealt with (read only:
      `mentions=False` is what they may act on).
    - Internal chats: their participants only, whatever the role, unless they deleted
      it for themselves.
    """
    if not user.is_authenticated or not user.is_active:
        return Conversation.objects.none()
    internal_mine = (
        Q(channel=Channel.INTERNAL)
        & Exists(
            Conversation.participants.through.objects.filter(
                conversation_id=OuterRef("pk"), user_id=user.pk
            )
        )
        & ~Exists(
            ParticipantState.objects.filter(
                conversation_id=OuterRef("pk"), agent_id=user.pk, deleted=True
            )
        )
    )
    if user.is_supervisor:
        return Conversation.objects.filter(~Q(channel=Channel.INTERNAL) | internal_mine)
    offered_to_me = Exists(
        Offer.objects.filter(
            conversation_id=OuterRef("pk"), agent_id=user.pk, outcome=Offer.Outcome.PENDING
        )
    )
    customer_mine = ~Q(channel=Channel.INTERNAL) & (
        Q(owner_id=user.pk)
        | Q(owner__isnull=True, direct_agent_id=user.pk)
        | (Q(owner__isnull=True, queue__isnull=False) & offered_to_me)
    )
    if mentions:
        customer_mine |= ~Q(channel=Channel.INTERNAL) & mentioned_in(user)
    return Conversation.objects.filter(customer_mine | internal_mine)


def mentioned_in(user: User) -> Exists:
    """Chats where `user` holds an open mention (a colleague's note named them)."""
    return Exists(
        Mention.objects.filter(
            conversation_id=OuterRef("pk"), agent_id=user.pk, ended_at__isnull=True
        )
    )


def archived_filter(user: User, *, archived: bool) -> Q:
    """The archived (or open) list of `user`: a customer chat's own flag, and for an
    internal chat the caller's own choice (the colleague archives for themselves)."""
    mine = Exists(
        ParticipantState.objects.filter(
            conversation_id=OuterRef("pk"), agent_id=user.pk, archived=True
        )
    )
    return (~Q(channel=Channel.INTERNAL) & Q(archived=archived)) | (
        Q(channel=Channel.INTERNAL) & (mine if archived else ~mine)
    )


def with_own_archive(queryset: QuerySet[Conversation], user: User) -> QuerySet[Conversation]:
    """Annotate `archived_for_me`: what `archived` means to `user` on an internal chat."""
    return queryset.annotate(
        archived_for_me=Exists(
            ParticipantState.objects.filter(
                conversation_id=OuterRef("pk"), agent_id=user.pk, archived=True
            )
        )
    )


def cleared_through(conversation: Conversation, user: User) -> int:
    """The last message of an internal chat `user` deleted for themselves (0: none)."""
    if conversation.channel != Channel.INTERNAL:
        return 0
    value = (
        ParticipantState.objects.filter(conversation=conversation, agent_id=user.pk)
        .values_list("cleared_through", flat=True)
        .first()
    )
    return value or 0


def last_message_of_row() -> QuerySet[Message]:
    """A row's preview: its newest message or notice; agent-only event lines and private
    notes are left out."""
    return (
        Message.objects.filter(conversation_id=OuterRef("pk"))
        .exclude(kind__in=[Message.Kind.EVENT, Message.Kind.NOTE])
        .order_by("-created_at", "-id")
    )


def inbox_rows(user: User, *, archived: bool = False) -> QuerySet[Conversation]:
    """The inbox list: visible conversations with what a row shows, in one query."""
    last_message = last_message_of_row()
    return (
        with_own_archive(visible_conversations(user), user)
        .filter(archived_filter(user, archived=archived))
        .select_related("identity__contact", "queue", "owner")
        .annotate(last_body=Subquery(last_message.values("body")[:1]))
        .order_by("-last_message_at", "-id")
    )


SUPERVISOR_ROLES = (Role.MANAGER, Role.GROUP_OWNER, Role.SYSTEM_OWNER)


def _supervisors() -> QuerySet:
    # Unordered: a set is wanted, and this runs for every published event.
    return (
        User.objects.filter(is_active=True)
        .filter(Q(role__in=SUPERVISOR_ROLES) | Q(is_superuser=True))
        .order_by()
        .values_list("pk", flat=True)
    )


def supervisor_ids() -> set[int]:
    return set(_supervisors())


def conversation_audience(conversation: Conversation) -> set[int]:
    """The agents who may see `conversation` now: `visible_conversations` turned around.

    Used at publish time to address events; tests hold the two to the same answer.
    """
    if conversation.channel == Channel.INTERNAL:
        return set(conversation.participants.values_list("pk", flat=True))
    if conversation.owner_id:
        return _supervisors_and_mentioned(conversation) | {conversation.owner_id}
    if conversation.direct_agent_id:
        return _supervisors_and_mentioned(conversation) | {conversation.direct_agent_id}
    if conversation.queue_id:
        # One round trip for both, its SQL written once: this runs for every event of a
        # ringing chat, and Django composing the UNION cost more than running it
        # (docs/performance.md, scenarios 1 and 2). The same rows as _supervisors()
        # plus the pending offers; tests/inbox/test_visibility_matrix holds it to that.
        with connection.cursor() as cursor:
            cursor.execute(
                _ringing_audience_sql(),
                [*SUPERVISOR_ROLES, conversation.pk, Offer.Outcome.PENDING, conversation.pk],
            )
            return {row[0] for row in cursor.fetchall()}
    return _supervisors_and_mentioned(conversation)


def _supervisors_and_mentioned(conversation: Conversation) -> set[int]:
    # One query for both: the inbound path's query count is held fixed
    # (tests/inbox/test_inbound_queries.py), and every event asks this.
    mentioned = (
        Mention.objects.filter(conversation_id=conversation.pk, ended_at__isnull=True)
        .order_by()
        .values_list("agent_id", flat=True)
    )
    return set(_supervisors().union(mentioned))


@functools.cache
def _ringing_audience_sql() -> str:
    user, offer = User._meta.db_table, Offer._meta.db_table
    mention = Mention._meta.db_table
    roles = ", ".join(["%s"] * len(SUPERVISOR_ROLES))
    return (
        f"SELECT u.id FROM {user} u WHERE u.is_active AND (u.role IN ({roles}) OR u.is_superuser)"
        f" UNION SELECT o.agent_id FROM {offer} o WHERE o.conversation_id = %s AND o.outcome = %s"
        f" UNION SELECT m.agent_id FROM {mention} m"
        f" WHERE m.conversation_id = %s AND m.ended_at IS NULL"
    )


def with_unread_counts(queryset: QuerySet[Conversation], user: User) -> QuerySet[Conversation]:
    """Annotate each row with the messages `user` has not read yet (one query).

    Those are the customer's messages, and in an internal chat the colleagues' lines
    (stored as outbound, since an agent wrote them).
    """
    # Correlated to the message of the subquery below (its conversation), not to
    # the message's own pk: OuterRef resolves against the nearest enclosing query.
    marker = ReadMarker.objects.filter(
        conversation_id=OuterRef("conversation_id"), agent_id=user.pk
    ).values("last_read_message_id")[:1]
    unread = (
        Message.objects.filter(conversation_id=OuterRef("pk"))
        .filter(
            Q(direction=Message.Direction.IN)
            | (Q(conversation__channel=Channel.INTERNAL) & ~Q(sender_id=user.pk))
        )
        .filter(pk__gt=Coalesce(Subquery(marker), Value(0)))
        .order_by()
        .values("conversation_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        unread_count=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))
    )


def conversation_list(user: User, *, archived: bool = False) -> QuerySet[Conversation]:
    """The API's list: visible, with everything a row serializes, in constant queries."""
    queryset = (
        with_own_archive(visible_conversations(user), user)
        .filter(archived_filter(user, archived=archived))
        .select_related("identity__contact")
        .prefetch_related("participants", "labels")
        .order_by("-last_message_at", "-id")
    )
    return with_unread_counts(queryset, user)


def events_after(user: User, after: int) -> QuerySet:
    return Event.objects.filter(recipients__agent_id=user.pk, pk__gt=after).order_by("pk")


def contact_name(user: User, conversation_id: int) -> str:
    """The customer's name in a conversation `user` may see (templates' placeholders)."""
    conversation = (
        visible_conversations(user)
        .select_related("identity__contact")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None:
        raise ConversationNotVisible(conversation_id)
    identity = conversation.identity
    if identity is None:
        return ""
    return identity.contact.name if identity.contact_id else identity.display_name


def contact_history(contact_id: int) -> QuerySet[Conversation]:
    """Every conversation with a contact, across agents and queues, newest first.

    Not limited by visibility: the contact panel shows who handled what, so an
    agent can see the customer's story; the messages stay behind visibility.
    """
    last_message = last_message_of_row()
    return (
        Conversation.objects.filter(identity__contact_id=contact_id)
        .select_related("owner", "queue", "identity")
        .prefetch_related("labels")
        .annotate(last_body=Subquery(last_message.values("body")[:1]))
        .order_by("-created_at", "-id")
    )


def last_channel_account_id(contact_id: int, channel: str) -> int | None:
    """The account this contact last wrote through on a channel (the line to reuse)."""
    return (
        Conversation.objects.filter(identity__contact_id=contact_id, channel=channel)
        .order_by("-created_at", "-id")
        .values_list("channel_account_id", flat=True)
        .first()
    )


def latest_event_id(user: User) -> int:
    """The newest event addressed to `user` (0 if none): a socket's replay point.

    Its SQL written once: every agent socket's handshake runs it, and Django composing
    the query cost several times more CPU than running it (docs/performance.md,
    scenario 3). tests/inbox/test_replay_point.py holds it to the
    ORM's answer.
    """
    with connection.cursor() as cursor:
        cursor.execute(_latest_event_sql(), [user.pk])
        row = cursor.fetchone()
    return row[0] if row else 0


@functools.cache
def _latest_event_sql() -> str:
    event = column(EventRecipient, "event")
    return (
        f"SELECT {event} FROM {table(EventRecipient)}"
        f" WHERE {column(EventRecipient, 'agent')} = %s ORDER BY {event} DESC LIMIT 1"
    )


def last_inbound_at(conversation: Conversation):  # -> datetime | None
    """When this customer last wrote on this account (any of their conversations).

    Its SQL written once and read back by Django's `Manager.raw()`: every WhatsApp and
    Messenger delivery asks it (the 24-hour window), and Django composing the join cost
    more than running it. tests/inbox/test_last_inbound.py holds it to the ORM's answer.
    """
    params = [Message.Direction.IN, conversation.channel_account_id, conversation.identity_id]
    found = next(iter(Message.objects.raw(_last_inbound_sql(), params)), None)
    return None if found is None else found.created_at


@functools.cache
def _last_inbound_sql() -> str:
    # The primary key, which raw() needs, and the one column read; the rest is deferred.
    created = column(Message, "created_at")
    message_id = column(Message, "id")
    return (
        f"SELECT m.{message_id}, m.{created} FROM {table(Message)} m"
        f" JOIN {table(Conversation)} c"
        f" ON c.{column(Conversation, 'id')} = m.{column(Message, 'conversation')}"
        f" WHERE m.{column(Message, 'direction')} = %s"
        f" AND m.{column(Message, 'channel_account')} = %s"
        f" AND c.{column(Conversation, 'identity')} = %s"
        f" ORDER BY m.{created} DESC LIMIT 1"
    )
