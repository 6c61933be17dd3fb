"""A reply's claim and its read are written as SQL once (chatdesk/rawsql.py): they must
claim exactly what the ORM's conditional UPDATE claimed and read what its select_related
read, field for field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.forms.models import model_to_dict

from chatdesk.inbox.models import DeliveryStatus, Message
from chatdesk.inbox.services import delivery
from chatdesk.inbox.services.common import now
from chatdesk.inbox.services.ownership import message_reply

pytestmark = pytest.mark.django_db


def _orm(message_id: int) -> Message:
    return Message.objects.select_related(
        "conversation__identity", "conversation__channel_account"
    ).get(pk=message_id)


def _reply(customer_writes, account, alice) -> Message:
    conversation = customer_writes("hi", to=account, address="14155550123").conversation
    message, _ = message_reply(conversation_id=conversation.pk, agent=alice, body="Hello")
    return message


def test_the_claimed_reply_is_read_as_the_orm_reads_it(wa_account, alice, customer_writes):
    reply = _reply(customer_writes, wa_account, alice)
    claimed = delivery.message_claim_for_delivery(message_id=reply.pk)
    expected = _orm(reply.pk)
    assert claimed.delivery_claimed_at is not None
    assert claimed.delivery_claimed_at == expected.delivery_claimed_at  # aware, as stored
    assert model_to_dict(claimed) == model_to_dict(expected)
    assert claimed.created_at == expected.created_at
    for got, want in [
        (claimed.conversation, expected.conversation),
        (claimed.conversation.identity, expected.conversation.identity),
        (claimed.conversation.channel_account, expected.conversation.channel_account),
    ]:
        assert type(got) is type(want)
        assert model_to_dict(got) == model_to_dict(want)
        assert not got._state.adding and got._state.db == "default"
    assert claimed.conversation.channel_account.credentials == wa_account.credentials


def test_the_read_needs_no_further_query(
    wa_account, alice, customer_writes, django_assert_num_queries
):
    reply = _reply(customer_writes, wa_account, alice)
    with django_assert_num_queries(2):  # the claim and the read
        claimed = delivery.message_claim_for_delivery(message_id=reply.pk)
        assert claimed.conversation.identity.address
        assert claimed.conversation.channel_account.kind == "whatsapp"


def test_only_an_unclaimed_pending_reply_is_claimed(wa_account, alice, customer_writes, settings):
    reply = _reply(customer_writes, wa_account, alice)
    assert delivery.message_claim_for_delivery(message_id=reply.pk) is not None
    assert delivery.message_claim_for_delivery(message_id=reply.pk) is None  # held
    # A claim older than the timeout is taken to be lost with its worker.
    lapsed = now() - timedelta(seconds=settings.DELIVERY_CLAIM_TIMEOUT_SECONDS + 5)
    Message.objects.filter(pk=reply.pk).update(delivery_claimed_at=lapsed)
    assert delivery.message_claim_for_delivery(message_id=reply.pk) is not None
    Message.objects.filter(pk=reply.pk).update(
        delivery_claimed_at=None, delivery_status=DeliveryStatus.SENT
    )
    assert delivery.message_claim_for_delivery(message_id=reply.pk) is None  # sent
    inbound = Message.objects.get(conversation=reply.conversation, direction=Message.Direction.IN)
    assert delivery.message_claim_for_delivery(message_id=inbound.pk) is None
    assert delivery.message_claim_for_delivery(message_id=10**9) is None


def test_a_claim_just_inside_the_timeout_is_respected(wa_account, alice, customer_writes, settings):
    reply = _reply(customer_writes, wa_account, alice)
    recent = now() - timedelta(seconds=settings.DELIVERY_CLAIM_TIMEOUT_SECONDS - 5)
    Message.objects.filter(pk=reply.pk).update(delivery_claimed_at=recent)
    assert delivery.message_claim_for_delivery(message_id=reply.pk) is None
    reply.refresh_from_db()
    assert reply.delivery_claimed_at == recent  # untouched
