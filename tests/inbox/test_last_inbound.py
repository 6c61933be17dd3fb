"""`last_inbound_at` (the 24-hour window every WhatsApp and Messenger delivery checks) is
written as SQL once: it must give what the ORM's query gives."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chatdesk.inbox.models import Conversation, Message, Status
from chatdesk.inbox.selectors import last_inbound_at
from tests.factories import ChannelAccountFactory

pytestmark = pytest.mark.django_db


def _orm(conversation: Conversation):
    return (
        Message.objects.filter(
            direction=Message.Direction.IN,
            channel_account_id=conversation.channel_account_id,
            conversation__identity_id=conversation.identity_id,
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def test_the_customers_last_message_on_the_account_across_their_conversations(
    customer_writes, queue_a
):
    first = customer_writes("one").conversation
    Conversation.objects.filter(pk=first.pk).update(status=Status.DEALT_WITH)
    second = customer_writes("two").conversation
    assert second.pk != first.pk and second.identity_id == first.identity_id
    # The newest inbound message sits on the older conversation.
    later = timezone.now() + timedelta(minutes=5)
    Message.objects.filter(conversation=first).update(created_at=later)
    # Neither another customer nor another account of ours counts.
    customer_writes("other", address="14155550999")
    other_account = ChannelAccountFactory(kind="whatsapp", route_queue=queue_a)
    customer_writes("elsewhere", to=other_account)
    Message.objects.filter(body__in=["other", "elsewhere"]).update(
        created_at=later + timedelta(hours=1)
    )
    found = last_inbound_at(second)
    assert found == _orm(second) == later
    assert found.tzinfo is not None  # aware, as the ORM gives it (SQLite stores it naive)


def test_a_conversation_the_customer_never_wrote_in_has_none(customer_writes, alice):
    conversation = customer_writes("hi").conversation
    Message.objects.filter(conversation=conversation).update(direction=Message.Direction.OUT)
    assert last_inbound_at(conversation) is None and _orm(conversation) is None
