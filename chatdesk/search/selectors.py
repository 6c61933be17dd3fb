"""Search: contacts, conversations and messages matching what was typed, limited to what
the searcher may see (`chatdesk.inbox.selectors.visible_conversations`), a fixed number
of queries whatever the number of hits."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from chatdesk.accounts.models import User
from chatdesk.inbox.models import Conversation, Message, ParticipantState
from chatdesk.inbox.selectors import visible_conversations, with_own_archive, with_unread_counts
from chatdesk.search.backends import name_fallback, newest_matches
from chatdesk.search.query import Query
from contacts.models import Contact, Identity
from contacts.selectors import contact_list

LIMIT = 20  # of each kind


@dataclass(frozen=True)
class Results:
    query: Query
    contacts: list[Contact]
    conversations: list[Conversation]
    messages: list[Message]


def search(user: User, query: Query, *, limit: int = LIMIT) -> Results:
    return Results(
        query=query,
        contacts=list(contacts_matching(user, query)[:limit]),
        conversations=list(conversations_matching(user, query)[:limit]),
        messages=list(messages_matching(user, query)[:limit]),
    )


def _all_terms(field: str, query: Query) -> Q:
    q = Q()
    for term in query.terms:
        q &= Q(**{f"{field}__icontains": term})
    return q


def _address(field: str, query: Query) -> Q:
    """An address (or a number) holding what was typed; for a phone number, its digits."""
    q = Q(**{f"{field}__icontains": query.text})
    for digits in query.digits:
        q |= Q(**{f"{field}__icontains": digits})
    return q


def _newest_first() -> tuple:
    return (F("last_message_at").desc(nulls_last=True), "-id")


def contacts_matching(user: User, query: Query) -> QuerySet[Contact]:
    """Contacts by name, e-mail, phone or any of their addresses; each with the newest
    conversation with them that `user` may see (what opening the hit shows)."""
    # A union of ids, one branch per way to match, not one OR: each branch then uses its
    # own index, where an OR over them (or across two tables) scans every contact.
    branches = [_all_terms("name", query), Q(email__icontains=query.text)]
    branches += [Q(phone__icontains=digits) for digits in query.digits]
    fallback = name_fallback("name", query)
    if fallback:
        branches.append(fallback)
    ids = [Contact.objects.filter(branch).order_by().values("pk") for branch in branches]
    by_address = Identity.objects.filter(_address("address", query), contact__isnull=False)
    ids.append(by_address.order_by().values("contact_id"))
    matches = Q(pk__in=ids[0].union(*ids[1:]))
    latest = visible_conversations(user).filter(identity__contact_id=OuterRef("pk"))
    latest = latest.order_by(*_newest_first())
    contacts = contact_list().filter(matches)
    contacts = contacts.annotate(
        conversation_id=Subquery(latest.values("pk")[:1]),
        conversation_archived=Subquery(latest.values("archived")[:1]),
    )
    if connection.vendor == "postgresql":
        similarity = TrigramWordSimilarity(query.text, "name")
        return contacts.annotate(similarity=similarity).order_by("-similarity", "name", "id")
    return contacts.order_by("name", "id")


def conversations_matching(user: User, query: Query) -> QuerySet[Conversation]:
    """Conversations `user` may see, by the customer's address or the name they gave."""
    matches = _address("identity__address", query) | _all_terms("identity__display_name", query)
    rows = (
        with_own_archive(visible_conversations(user).filter(matches), user)
        .select_related("identity__contact")
        .prefetch_related("participants", "labels")
        .order_by(*_newest_first())
    )
    return with_unread_counts(rows, user)


def messages_matching(user: User, query: Query) -> QuerySet[Message]:
    """Messages and notices (not the agents' event lines) holding every word, in the
    conversations `user` may see, open or archived, newest first. In an internal chat the
    lines `user` deleted for themselves are left out."""
    mine = ParticipantState.objects.filter(
        conversation_id=OuterRef("conversation_id"), agent_id=user.pk
    )
    messages = (
        Message.objects.filter(conversation_id__in=visible_conversations(user).values("pk"))
        .exclude(kind=Message.Kind.EVENT)
        .exclude(Exists(mine.filter(cleared_through__gte=OuterRef("pk"))))
        .annotate(archived_for_me=Exists(mine.filter(archived=True)))
        .select_related("conversation__identity__contact", "sender")
        .prefetch_related("conversation__participants")
    )
    return newest_matches(messages, query)
