"""`GET /api/v1/search/?q=`: contacts, conversations and messages in one answer.

Thin: parse, call the selector, render. Every hit carries what it points at (a
conversation's id, whether it is archived) and where the query matched, as plain text with
`[start, end)` ranges (search/highlight.py).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chatdesk.inbox.models import Conversation, Message
from chatdesk.inbox.serializers import ConversationSerializer, conversation_title, represent
from chatdesk.search import highlight
from chatdesk.search.query import MAX_LENGTH, MIN_LENGTH, Query, QueryTooShort, parse
from chatdesk.search.selectors import Results, search
from contacts.models import Contact
from contacts.serializers import ContactSerializer


class SearchQuery(serializers.Serializer):
    q = serializers.CharField(min_length=MIN_LENGTH, max_length=MAX_LENGTH)


class MatchSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="Which field matched: name, email, phone, address.")
    text = serializers.CharField()
    highlights = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
        help_text="[start, end) ranges of `text` that matched, in Unicode code points.",
    )


class ContactHitSerializer(ContactSerializer):
    conversation = serializers.IntegerField(
        allow_null=True, help_text="The newest conversation with them the caller may see."
    )
    conversation_archived = serializers.BooleanField(allow_null=True)
    match = MatchSerializer()

    class Meta(ContactSerializer.Meta):
        fields = [*ContactSerializer.Meta.fields, "conversation", "conversation_archived", "match"]


class ConversationHitSerializer(ConversationSerializer):
    match = MatchSerializer()

    class Meta(ConversationSerializer.Meta):
        fields = [*ConversationSerializer.Meta.fields, "match"]


class MessageHitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    conversation = serializers.IntegerField()
    snippet = serializers.CharField(help_text="Plain text around the first match.")
    highlights = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
        help_text="[start, end) ranges of `snippet` that matched, in Unicode code points.",
    )
    created_at = serializers.DateTimeField()
    direction = serializers.CharField()
    kind = serializers.CharField()
    sender_name = serializers.CharField()
    title = serializers.CharField(help_text="The conversation's title.")
    channel = serializers.CharField()
    archived = serializers.BooleanField()


class SearchResultsSerializer(serializers.Serializer):
    contacts = ContactHitSerializer(many=True)
    conversations = ConversationHitSerializer(many=True)
    messages = MessageHitSerializer(many=True)


def _contact_match(contact: Contact, query: Query) -> dict:
    fields = [("name", contact.name), ("email", contact.email), ("phone", contact.phone)]
    fields += [("address", identity.address) for identity in contact.identities.all()]
    return _first_match(fields, query)


def _first_match(fields: list[tuple[str, str]], query: Query) -> dict:
    """The field that holds the query as typed, else the first with a match at all."""
    for field, text in fields:
        if highlight.phrase_ranges(text, query.text):
            return highlight.match(field, text, query)
    for field, text in fields:
        found = highlight.match(field, text, query)
        if text and found["highlights"]:
            return found
    return highlight.match(fields[0][0], fields[0][1], query)  # a near (trigram) match


def _contact(contact: Contact, query: Query) -> dict:
    return {
        **represent(ContactSerializer, contact),
        "conversation": contact.conversation_id,
        "conversation_archived": contact.conversation_archived,
        "match": _contact_match(contact, query),
    }


def _conversation(conversation: Conversation, query: Query) -> dict:
    identity = conversation.identity
    fields = [("address", identity.address), ("name", identity.display_name)]
    return {**represent(ConversationSerializer, conversation), "match": _first_match(fields, query)}


def _message(message: Message, query: Query) -> dict:
    conversation = message.conversation
    text, ranges = highlight.snippet(message.body, query)
    sender = message.sender
    archived = (
        message.archived_for_me if conversation.channel == "internal" else conversation.archived
    )
    return {
        "id": message.pk,
        "conversation": conversation.pk,
        "snippet": text,
        "highlights": [list(r) for r in ranges],
        "created_at": serializers.DateTimeField().to_representation(message.created_at),
        "direction": message.direction,
        "kind": message.kind,
        "sender_name": (sender.get_full_name() or sender.username) if sender else "",
        "title": conversation_title(conversation),
        "channel": conversation.channel,
        "archived": archived,
    }


def render(results: Results) -> dict:
    query = results.query
    return {
        "contacts": [_contact(c, query) for c in results.contacts],
        "conversations": [_conversation(c, query) for c in results.conversations],
        "messages": [_message(m, query) for m in results.messages],
    }


class SearchView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                str,
                required=True,
                description="Names, e-mails, phone numbers (any format), addresses and "
                "message text; at least 2 characters.",
            )
        ],
        responses=SearchResultsSerializer,
    )
    def get(self, request: Request) -> Response:
        params = SearchQuery(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            query = parse(params.validated_data["q"])
        except QueryTooShort as exc:
            raise serializers.ValidationError({"q": [str(exc)]}) from exc
        return Response(render(search(request.user, query)))
