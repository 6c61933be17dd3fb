"""Which inbox changes become which webhook events, stored with the change itself."""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chatdesk.inbox import events, ports
from chatdesk.inbox.models import Message
from chatdesk.inbox.services.delivery import message_mark_failed
from chatdesk.inbox.services.lifecycle import conversation_deal_with
from chatdesk.inbox.services.notes import note_add
from chatdesk.inbox.services.ownership import (
    conversation_take,
    conversation_transfer,
    message_reply,
)
from chatdesk.webhooks import services
from chatdesk.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


def _types(subscription) -> list[str]:
    return list(subscription.deliveries.order_by("id").values_list("type", flat=True))


def test_a_conversations_story_becomes_the_public_event_types(
    subscribe, customer_writes, alice, bob
):
    everything = subscribe()
    message = customer_writes("Where is my order?")
    conversation = message.conversation
    conversation_take(conversation_id=conversation.pk, agent=alice)
    reply, _ = message_reply(conversation_id=conversation.pk, agent=alice, body="On its way")
    message_mark_failed(message_id=reply.pk, reason="Provider said no")
    conversation_transfer(conversation_id=conversation.pk, agent=alice, to_agent_id=bob.pk)
    conversation_deal_with(conversation_id=conversation.pk, agent=bob)
    with transaction.atomic():
        conversation.csat_rating, conversation.csat_at = 5, timezone.now()
        conversation.save(update_fields=["csat_rating", "csat_at"])
        events.csat_received(conversation)

    assert _types(everything) == [
        "conversation.created",
        "message.created",
        "conversation.taken",
        "message.created",
        "message.status",
        "conversation.transferred",
        "conversation.dealt_with",
        "csat.received",
    ]
    by_type = {d.type: json.loads(d.payload) for d in everything.deliveries.all()}
    assert by_type["conversation.taken"]["data"]["owner"] == alice.pk
    assert by_type["conversation.taken"]["data"]["actor"] == alice.pk
    assert by_type["conversation.transferred"]["data"]["to"] == bob.pk
    assert by_type["conversation.transferred"]["data"]["previous_owner"] == alice.pk
    assert by_type["message.status"]["data"]["delivery_status"] == "failed"
    assert by_type["csat.received"]["data"] == {
        "conversation": conversation.pk,
        "rating": 5,
        "comment": "",
        "at": conversation.csat_at.isoformat().replace("+00:00", "Z"),
    }
    # The story's own lines (taken, transferred) are not messages for integrators.
    bodies = [
        json.loads(d.payload)["data"]["body"]
        for d in everything.deliveries.filter(type="message.created").order_by("id")
    ]
    assert bodies == ["Where is my order?", "On its way"]


def test_a_subscription_gets_only_the_types_it_asked_for(subscribe, customer_writes, alice):
    taken_only = subscribe("conversation.taken")
    inactive = subscribe()
    inactive.active = False
    inactive.save()
    message = customer_writes("Hello")
    conversation_take(conversation_id=message.conversation_id, agent=alice)
    assert _types(taken_only) == ["conversation.taken"]
    assert _types(inactive) == []


def test_one_event_has_one_id_and_one_body_for_all_its_subscriptions(subscribe, customer_writes):
    first, second = subscribe("message.created"), subscribe("message.created")
    customer_writes("Hello")
    one, other = first.deliveries.get(), second.deliveries.get()
    assert one.event_id == other.event_id
    assert one.payload == other.payload
    event = json.loads(one.payload)
    assert set(event) == {"id", "type", "at", "data"}
    assert event["id"] == str(one.event_id)
    assert event["type"] == "message.created"
    assert event["data"]["body"] == "Hello"


def _note(conversation, author) -> Message:
    note, _ = note_add(
        conversation_id=conversation.pk, agent=author, body="Customer is a VIP, be nice"
    )
    return note


def test_a_private_note_is_never_a_message_created(subscribe, customer_writes, alice):
    messages_only = subscribe("message.created")
    message = customer_writes("Hello")
    _note(message.conversation, alice)
    payloads = [d.payload for d in messages_only.deliveries.all()]
    assert [json.loads(p)["data"]["body"] for p in payloads] == ["Hello"]
    assert not any("VIP" in p for p in payloads)


def test_a_private_note_goes_as_note_created_to_who_asked(subscribe, customer_writes, alice):
    notes = subscribe("note.created", "message.created")
    message = customer_writes("Hello")
    note = _note(message.conversation, alice)
    assert _types(notes) == ["message.created", "note.created"]
    event = json.loads(notes.deliveries.get(type="note.created").payload)
    assert event["data"]["id"] == note.pk
    assert event["data"]["kind"] == "note"


def test_the_webhook_side_drops_a_note_handed_over_as_a_message(subscribe, customer_writes):
    messages_only = subscribe("message.created")
    customer_writes("Hello")
    with transaction.atomic():
        ports.integration_events(
            [("message.created", lambda: {"conversation": 1, "kind": "note", "body": "secret"})]
        )
    assert [json.loads(d.payload)["data"]["body"] for d in messages_only.deliveries.all()] == [
        "Hello"
    ]


def test_a_rolled_back_change_leaves_no_delivery(subscribe, customer_writes, alice):
    everything = subscribe()
    message = customer_writes("Hello")
    before = everything.deliveries.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        conversation_take(conversation_id=message.conversation_id, agent=alice)
        raise RuntimeError("the request failed after the take")
    assert everything.deliveries.count() == before


def test_a_batch_of_statuses_reads_the_subscriptions_once(subscribe, customer_writes, alice):
    subscription = subscribe("message.status")
    conversation = customer_writes("Hello").conversation
    conversation_take(conversation_id=conversation.pk, agent=alice)
    replies = [
        message_reply(conversation_id=conversation.pk, agent=alice, body=f"Reply {n}")[0]
        for n in range(3)
    ]
    for reply in replies:
        reply.delivery_status = "sent"
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        events.message_statuses(replies)
    reads = [q for q in captured if 'FROM "webhooks_webhooksubscription"' in q["sql"]]
    assert len(reads) == 1
    sent = [json.loads(d.payload)["data"] for d in subscription.deliveries.order_by("id")]
    assert [(s["id"], s["delivery_status"]) for s in sent] == [(r.pk, "sent") for r in replies]


def test_without_subscriptions_nothing_is_represented_for_webhooks(customer_writes, monkeypatch):
    made = []
    original = services.events_record

    def spy(batch):
        made.extend(event_type for event_type, _ in batch)
        original([(t, lambda: pytest.fail("represented for nobody")) for t, _ in batch])

    monkeypatch.setattr(ports, "_integration", spy)
    customer_writes("Hello")
    assert made == ["conversation.created", "message.created"]
    assert WebhookDelivery.objects.count() == 0


def test_a_rating_goes_as_csat_received(subscribe, customer_writes, alice, queue_a):
    ratings = subscribe("csat.received")
    queue_a.csat_enabled = True
    queue_a.save(update_fields=["csat_enabled"])
    conversation = customer_writes("Hello").conversation
    conversation_take(conversation_id=conversation.pk, agent=alice)
    conversation_deal_with(conversation_id=conversation.pk, agent=alice)
    customer_writes("4")  # the answer to the rating question: rates the closed chat
    (delivery,) = ratings.deliveries.all()
    event = json.loads(delivery.payload)
    assert event["type"] == "csat.received"
    assert event["data"]["conversation"] == conversation.pk and event["data"]["rating"] == 4
