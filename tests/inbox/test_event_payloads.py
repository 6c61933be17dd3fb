"""Events carry what the API shows: a message or a conversation as its serializer gives it,
though publishing keeps one serializer per kind instead of building one per event."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from chatdesk.inbox.models import Attachment, Conversation, Event, Message
from chatdesk.inbox.serializers import ConversationSerializer, MessageSerializer, represent
from chatdesk.inbox.services.internal import conversation_open_internal

pytestmark = pytest.mark.django_db


def test_a_message_event_is_the_message_as_the_api_shows_it(customer_writes, alice, api):
    first = customer_writes("Hello")
    conversation = first.conversation
    api(alice).post(f"/api/v1/conversations/{conversation.pk}/take/")
    reply = api(alice).post(
        f"/api/v1/conversations/{conversation.pk}/messages/", {"body": "Hi, Alice here"}
    )
    assert reply.status_code == 201, reply.content
    with_file = customer_writes("See attached")
    Attachment.objects.create(
        message=with_file, name="a.txt", content_type="text/plain", size=5,
        file=ContentFile(b"hello", name="a.txt"),
    )  # fmt: skip
    for message in Message.objects.filter(conversation=conversation).order_by("pk"):
        expected = dict(MessageSerializer(message).data)
        assert represent(MessageSerializer, message) == expected
        # The kept serializer holds nothing of the one before: attachments, sender.
        assert represent(MessageSerializer, Message.objects.get(pk=first.pk)) == dict(
            MessageSerializer(first).data
        )
    events = Event.objects.filter(conversation=conversation, type="message.created")
    by_message = {event.data["id"]: event.data for event in events}
    sent = Message.objects.get(pk=reply.json()["id"])
    assert by_message[sent.pk] == {"conversation": conversation.pk, **MessageSerializer(sent).data}
    assert by_message[sent.pk]["sender_name"] == alice.get_full_name()


def test_a_conversation_event_is_the_conversation_as_the_api_shows_it(customer_writes, alice, bob):
    customer = customer_writes("Hi").conversation
    internal, _ = conversation_open_internal(agent=alice, other_id=bob.pk)
    for conversation in (customer, internal, customer):  # back and forth: nothing kept
        conversation = Conversation.objects.get(pk=conversation.pk)
        assert represent(ConversationSerializer, conversation) == dict(
            ConversationSerializer(conversation).data
        )
    assert represent(ConversationSerializer, customer)["participants"] == []
    assert sorted(represent(ConversationSerializer, internal)["participants"]) == sorted(
        [alice.pk, bob.pk]
    )
