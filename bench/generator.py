"""Scenario 8's fast data generator: contacts, identities, conversations and messages
written with bulk_create in large batches (not the API, not the services: loading a
million messages through them would take the run's whole budget).

The shape: each contact has one WhatsApp identity and CHATS_PER_CONTACT conversations,
the last one open (taken) and the rest ended and archived; each conversation has
`messages_per_chat` messages. The measured agent owns MINE open chats, made in the
first load only, so its inbox is the same size at both scales while the tables grow.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from chatdesk.inbox.models import Conversation, Message, Status
from contacts.models import Contact, Identity

BATCH = 5000
CHATS_PER_CONTACT = 5
MINE = 60  # more than a page (50): the inbox list is a full page at both scales
NEEDLE = "zanzibar"  # archive search's word, in a fixed number of messages (first load)
NEEDLES = 30


@dataclass
class Loaded:
    conversations: int
    messages: int
    seconds: float


def _bulk(model, rows, keep: bool = True) -> list:
    """Insert in batches; the saved rows (with their pks) unless `keep` is off (messages:
    a million model instances held at once would cost gigabytes)."""
    out: list = []
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, BATCH)):
        saved = model.objects.bulk_create(batch, batch_size=BATCH)
        out += saved if keep else [None] * len(saved)
    return out


def load(
    *,
    first_contact: int,
    contacts: int,
    messages_per_chat: int,
    account_id: int,
    owners: list[int],
    agent_id: int | None,
) -> Loaded:
    """Add `contacts` x CHATS_PER_CONTACT conversations; the agent's MINE if `agent_id`."""
    started = time.monotonic()
    now = timezone.now()
    numbers = range(first_contact, first_contact + contacts)
    with transaction.atomic():
        people = _bulk(Contact, (Contact(name=f"Scale customer {n}") for n in numbers))
        identities = _bulk(
            Identity,
            (
                Identity(kind="whatsapp", address=f"1777{n:08d}", contact_id=c.pk)
                for n, c in zip(numbers, people, strict=True)
            ),
        )

        def chats():
            for index, identity in enumerate(identities):
                for k in range(CHATS_PER_CONTACT):
                    is_open = k == CHATS_PER_CONTACT - 1
                    mine = agent_id is not None and is_open and index < MINE
                    yield Conversation(
                        channel="whatsapp",
                        channel_account_id=account_id,
                        identity_id=identity.pk,
                        status=Status.TAKEN if is_open else Status.ENDED,
                        archived=not is_open,
                        owner_id=agent_id if mine else owners[(index + k) % len(owners)],
                        last_message_at=now - timedelta(minutes=index * CHATS_PER_CONTACT + k),
                    )

        conversations = _bulk(Conversation, chats())
        needles = itertools.count()

        def messages():
            for conv in conversations:
                for m in range(messages_per_chat):
                    word = NEEDLE if agent_id and next(needles) % 97 == 0 else "order"
                    yield Message(
                        conversation_id=conv.pk,
                        direction="in" if m % 2 == 0 else "out",
                        body=f"Message {m} about the {word} {conv.pk}",
                        delivery_status="sent",
                    )

        count = len(_bulk(Message, _limit_needles(messages()), keep=False))
    return Loaded(len(conversations), count, round(time.monotonic() - started, 1))


def _limit_needles(rows):
    """Only the first NEEDLES messages keep the needle: search results stay the same size."""
    seen = 0
    for row in rows:
        if NEEDLE in row.body:
            seen += 1
            if seen > NEEDLES:
                row.body = row.body.replace(NEEDLE, "order")
        yield row
