"""A customer's next message into their open chat: the one-query probe of receive.py
must give the same answers as the full path it short-cuts (duplicates, the sender's
identity and name, the address as identities store it)."""

from __future__ import annotations

import pytest

from chatdesk.inbox.models import Conversation, Message
from chatdesk.inbox.services.lifecycle import conversation_deal_with
from chatdesk.inbox.services.ownership import conversation_take
from chatdesk.inbox.services.receive import message_receive
from contacts.models import Identity
from tests.concurrency import at_once
from tests.factories import ChannelAccountFactory, inbound_from

pytestmark = pytest.mark.django_db


def test_a_follow_up_fills_a_missing_sender_name_but_never_replaces_one(account):
    first, _ = message_receive(inbound=inbound_from(account, pmid="wamid.n1"))
    assert first.conversation.identity.display_name == ""
    message_receive(inbound=inbound_from(account, name="Ann", pmid="wamid.n2"))
    message_receive(inbound=inbound_from(account, name="Bo", pmid="wamid.n3"))
    assert Identity.objects.get().display_name == "Ann"
    assert Conversation.objects.count() == 1


def test_an_sms_follow_up_written_another_way_joins_the_same_chat(queue_a):
    sms = ChannelAccountFactory(kind="sms", external_id="+15550100000", route_queue=queue_a)
    message_receive(inbound=inbound_from(sms, address="+14155550123", pmid="SM1"))
    message_receive(inbound=inbound_from(sms, address=" 14155550123", pmid="SM2"))
    assert Conversation.objects.count() == 1
    assert Identity.objects.count() == 1


def test_a_redelivery_after_its_chat_closed_is_still_a_duplicate(account, alice):
    original, created = message_receive(inbound=inbound_from(account, pmid="wamid.old"))
    assert created
    conversation_take(conversation_id=original.conversation_id, agent=alice)
    conversation_deal_with(conversation_id=original.conversation_id, agent=alice)
    newer, _ = message_receive(inbound=inbound_from(account, pmid="wamid.new"))
    assert newer.conversation_id != original.conversation_id  # a new chat is open now
    again, created = message_receive(inbound=inbound_from(account, pmid="wamid.old"))
    assert (again.pk, created) == (original.pk, False)
    assert Message.objects.filter(conversation_id=newer.conversation_id).count() == 1


def test_messages_without_a_provider_id_are_never_taken_for_duplicates(queue_a):
    site = ChannelAccountFactory(kind="livechat", external_id="site-key", route_queue=queue_a)
    for n in range(3):
        _, created = message_receive(inbound=inbound_from(site, address="v-1", body=f"line {n}"))
        assert created
    assert Message.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_one_follow_up_delivered_by_several_webhooks_at_once_is_stored_once(account):
    """The probe's duplicate flag is read before its lock is granted: the unique
    constraint and the savepoint must still turn the losers into duplicates."""
    message_receive(inbound=inbound_from(account, pmid="wamid.opens"))

    def deliver(_index: int) -> tuple[int, bool]:
        message, created = message_receive(inbound=inbound_from(account, pmid="wamid.same"))
        return message.pk, created

    results = at_once(deliver, 6)
    assert len({pk for pk, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert Message.objects.filter(provider_message_id="wamid.same").count() == 1
