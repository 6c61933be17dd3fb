"""A reply's claim (an UPDATE ... RETURNING) and its read are written as SQL once: they
must claim exactly the due, unclaimed, pending replies and read what the ORM's
select_related reads, field for field."""

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
    (outgoing,) = delivery.outbox_claim(message_id=reply.pk)
    claimed = outgoing.message
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
    # The claim, the read, the files, the customer's last message.
    with django_assert_num_queries(4):
        (outgoing,) = delivery.outbox_claim(message_id=reply.pk)
        claimed = outgoing.message
        assert claimed.conversation.identity.address
        assert outgoing.files == []
        assert outgoing.last_inbound_at is not None
        assert claimed.conversation.channel_account.kind == "whatsapp"


def _claimed(message_id: int) -> list[int]:
    return [item.message.pk for item in delivery.outbox_claim(message_id=message_id, limit=5)]


def test_only_a_due_unclaimed_pending_reply_is_claimed(
    wa_account, alice, customer_writes, settings
):
    reply = _reply(customer_writes, wa_account, alice)
    assert _claimed(reply.pk) == [reply.pk]
    assert _claimed(reply.pk) == []  # held by its claim
    # A claim older than the timeout is taken to be lost with its worker.
    lapsed = now() - timedelta(seconds=settings.DELIVERY_CLAIM_TIMEOUT_SECONDS + 5)
    Message.objects.filter(pk=reply.pk).update(delivery_claimed_at=lapsed)
    assert _claimed(reply.pk) == [reply.pk]
    # Not due yet (a retry's backoff, a slot ahead): not claimed, claim or no claim.
    Message.objects.filter(pk=reply.pk).update(
        delivery_claimed_at=None, delivery_due_at=now() + timedelta(seconds=30)
    )
    assert _claimed(reply.pk) == []
    Message.objects.filter(pk=reply.pk).update(delivery_due_at=now() - timedelta(seconds=1))
    Message.objects.filter(pk=reply.pk).update(
        delivery_claimed_at=None, delivery_status=DeliveryStatus.SENT
    )
    assert _claimed(reply.pk) == []  # sent
    Message.objects.filter(pk=reply.pk).update(
        delivery_status=DeliveryStatus.PENDING, delivery_due_at=None
    )
    assert _claimed(reply.pk) == []  # accepted, queued at the provider: nothing left to send
    inbound = Message.objects.get(conversation=reply.conversation, direction=Message.Direction.IN)
    assert _claimed(inbound.pk) == []
    assert _claimed(10**9) == []


def test_a_run_takes_its_senders_other_due_replies_its_own_first(
    wa_account, alice, customer_writes
):
    first = _reply(customer_writes, wa_account, alice)
    later = [
        message_reply(conversation_id=first.conversation_id, agent=alice, body=f"n{n}")[0]
        for n in range(3)
    ]
    other = _reply(customer_writes, _other_account(wa_account), alice)
    assert _claimed(later[1].pk) == [later[1].pk, first.pk, later[0].pk, later[2].pk]
    assert _claimed(first.pk) == []  # all taken; another sender's reply is not
    assert _claimed(other.pk) == [other.pk]


def test_a_run_whose_reply_went_with_another_batch_takes_the_rest(
    wa_account, alice, customer_writes
):
    first = _reply(customer_writes, wa_account, alice)
    rest = [
        message_reply(conversation_id=first.conversation_id, agent=alice, body=f"n{n}")[0]
        for n in range(7)
    ]
    ids = [first.pk] + [m.pk for m in rest]
    assert _claimed(first.pk) == ids[:5]
    assert _claimed(rest[0].pk) == ids[5:]  # its own was taken: the sender's next due


def _other_account(account):
    from tests.factories import ChannelAccountFactory

    return ChannelAccountFactory(
        kind="whatsapp", credentials=account.credentials, route_queue=account.route_queue
    )


def test_a_claim_just_inside_the_timeout_is_respected(wa_account, alice, customer_writes, settings):
    reply = _reply(customer_writes, wa_account, alice)
    recent = now() - timedelta(seconds=settings.DELIVERY_CLAIM_TIMEOUT_SECONDS - 5)
    Message.objects.filter(pk=reply.pk).update(delivery_claimed_at=recent)
    assert _claimed(reply.pk) == []
    reply.refresh_from_db()
    assert reply.delivery_claimed_at == recent  # untouched
