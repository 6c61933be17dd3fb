"""How conversations and messages look on the API and in events (docs/api.md)."""

from __future__ import annotations

import functools
import hashlib

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chatdesk.inbox.delivery_text import delivery_problem
from chatdesk.inbox.models import Attachment, Channel, Conversation, Label, Message
from chatdesk.inbox.quality import csat_of, sla_state
from chatdesk.strict import RejectUnknownFieldsMixin

VISITOR_FIELDS = ("name", "email", "page_url", "page_title", "referrer", "user_agent")


def visitor_label(address: str) -> str:
    """What agents read for an anonymous live-chat visitor: never the raw visitor id.

    A short number derived from the id (not a piece of it) tells two anonymous
    visitors apart in the list.
    """
    number = int(hashlib.sha256(address.encode()).hexdigest()[:8], 16) % 10000
    return f"Website visitor {number:04d}"


def conversation_title(obj: Conversation) -> str:
    """What a row shows: the contact's name, the sender's own name, or the address
    (for an anonymous live-chat visitor, a label instead of their internal id)."""
    if obj.identity_id is None:
        names = [u.get_full_name() or u.username for u in obj.participants.all()]
        return " & ".join(names) or "Internal chat"
    identity = obj.identity
    if identity.contact_id:
        return identity.contact.name
    if identity.display_name:
        return identity.display_name
    if obj.channel == Channel.LIVECHAT:
        return visitor_label(identity.address)
    return identity.address


class SlaSerializer(serializers.Serializer):
    """What is still due (null once met, stopped or without a target) and whether a
    target was missed."""

    first_response_due_at = serializers.DateTimeField(allow_null=True)
    resolution_due_at = serializers.DateTimeField(allow_null=True)
    breached = serializers.BooleanField()


class CsatSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(allow_blank=True)
    at = serializers.DateTimeField()


class VisitorContextSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField()
    page_url = serializers.CharField()
    page_title = serializers.CharField()
    referrer = serializers.CharField()
    user_agent = serializers.CharField()


# What the API shows of a file that could not be downloaded (not its provider reference).
MISSING_FILE_FIELDS = ("index", "name", "content_type", "error", "retrying")


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "url", "thumbnail_url"]

    def get_url(self, obj: Attachment) -> str:
        return f"/api/v1/attachments/{obj.pk}/file/"

    def get_thumbnail_url(self, obj: Attachment) -> str | None:
        return f"/api/v1/attachments/{obj.pk}/thumbnail/" if obj.thumbnail else None


class MessageSerializer(serializers.ModelSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)
    sender_name = serializers.SerializerMethodField()
    delivery_problem = serializers.SerializerMethodField()
    missing_files = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id",
            "direction",
            "sender",
            "sender_name",
            "body",
            "attachments",
            "created_at",
            "delivery_status",
            "delivery_error",
            "delivery_problem",
            "client_id",
            "kind",
            "event",
            "missing_files",
            "template",
        ]

    def get_sender_name(self, obj: Message) -> str:
        if obj.sender_id is None:
            return ""
        return obj.sender.get_full_name() or obj.sender.username

    def get_delivery_problem(self, obj: Message) -> str:
        """A failed reply's reason in plain words; `delivery_error` keeps the technical text."""
        if obj.direction != Message.Direction.OUT or not obj.delivery_error:
            return ""
        return delivery_problem(channel=obj.conversation.channel, error=obj.delivery_error)

    def get_missing_files(self, obj: Message) -> list[dict]:
        return [{key: item.get(key) for key in MISSING_FILE_FIELDS} for item in obj.missing_files]


class LabelSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Label
        fields = ["id", "name", "color"]

    def validate_name(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError("A label needs a name.")
        return value

    def validate_color(self, value: str) -> str:
        return value.lower()


class ConversationSerializer(serializers.ModelSerializer):
    contact = serializers.SerializerMethodField()
    contact_known = serializers.SerializerMethodField()
    external_address = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    unread_count = serializers.SerializerMethodField()
    participants = serializers.SerializerMethodField()
    visitor = serializers.SerializerMethodField()
    archived = serializers.SerializerMethodField()
    sla = serializers.SerializerMethodField()
    csat = serializers.SerializerMethodField()
    labels = serializers.SerializerMethodField()

    class Meta:
        model = Conversation
        fields = [
            "id",
            "channel",
            "status",
            "queue",
            "owner",
            "direct_agent",
            "contact",
            "contact_known",
            "contact_prompt_open",
            "external_address",
            "title",
            "last_message_at",
            "unread_count",
            "archived",
            "blocked",
            "participants",
            "visitor",
            "offline",
            "held_until",
            "created_at",
            "sla",
            "csat",
            "reply_window_closes_at",
            "channel_account",
            "labels",
        ]

    def get_contact(self, obj: Conversation) -> int | None:
        return obj.identity.contact_id if obj.identity_id else None

    def get_contact_known(self, obj: Conversation) -> bool:
        return bool(obj.identity_id and obj.identity.contact_id)

    def get_external_address(self, obj: Conversation) -> str:
        return obj.identity.address if obj.identity_id else ""

    def get_title(self, obj: Conversation) -> str:
        return conversation_title(obj)

    @extend_schema_field(VisitorContextSerializer(allow_null=True))
    def get_visitor(self, obj: Conversation) -> dict | None:
        if obj.channel != Channel.LIVECHAT:
            return None
        given = obj.visitor or {}
        return {key: str(given.get(key) or "") for key in VISITOR_FIELDS}

    def get_unread_count(self, obj: Conversation) -> int | None:
        # Per agent, so only lists annotate it; events leave it to the client.
        return getattr(obj, "unread_count", None)

    def get_archived(self, obj: Conversation) -> bool:
        # An internal chat is archived by each participant for themselves: lists and
        # details annotate the caller's choice (selectors.with_own_archive).
        if obj.channel == "internal":
            return bool(getattr(obj, "archived_for_me", False))
        return obj.archived

    def get_participants(self, obj: Conversation) -> list[int]:
        if obj.channel != "internal":
            return []
        return [user.pk for user in obj.participants.all()]

    @extend_schema_field(SlaSerializer())
    def get_sla(self, obj: Conversation) -> dict:
        return SlaSerializer(sla_state(obj)).data

    @extend_schema_field(CsatSerializer(allow_null=True))
    def get_csat(self, obj: Conversation) -> dict | None:
        rated = csat_of(obj)
        return CsatSerializer(rated).data if rated else None

    @extend_schema_field(LabelSerializer(many=True))
    def get_labels(self, obj: Conversation) -> list[dict]:
        # Lists prefetch `labels` (one query for the page); a single chat reads its own,
        # unless it was created in this process and has had none set since.
        if getattr(obj, "_created_without_labels", False):
            return []
        return [
            {"id": label.pk, "name": label.name, "color": label.color}
            for label in sorted(obj.labels.all(), key=lambda label: (label.name, label.pk))
        ]


def represent(serializer_class: type, instance: object) -> dict:
    """What `serializer_class(instance).data` gives, from one serializer kept per class."""
    return dict(_serializer(serializer_class).to_representation(instance))


@functools.cache
def _serializer(serializer_class: type):  # -> Serializer
    # Why one kept instance: DRF builds a ModelSerializer's fields anew for each instance
    # made (copying every declared field), many times the cost of representing a message
    # with fields built once (docs/performance.md). Representing
    # stores nothing on the serializer, so request threads can share it.
    return serializer_class()
