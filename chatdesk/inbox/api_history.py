"""`GET /api/v1/contacts/{id}/history/`: the contact's conversations with everyone."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers

from chatdesk.inbox import selectors
from chatdesk.inbox.models import Conversation
from chatdesk.inbox.quality import csat_of
from chatdesk.inbox.serializers import CsatSerializer, LabelSerializer
from contacts.models import Contact


class HistoryRowSerializer(serializers.ModelSerializer):
    owner_name = serializers.SerializerMethodField()
    queue_name = serializers.CharField(source="queue.name", default=None, read_only=True)
    external_address = serializers.CharField(source="identity.address", read_only=True)
    last_message = serializers.CharField(source="last_body", default="", read_only=True)
    csat = serializers.SerializerMethodField()
    labels = LabelSerializer(many=True, read_only=True)

    class Meta:
        model = Conversation
        fields = [
            "id",
            "channel",
            "status",
            "owner",
            "owner_name",
            "queue",
            "queue_name",
            "external_address",
            "created_at",
            "closed_at",
            "last_message_at",
            "last_message",
            "archived",
            "csat",
            "labels",
        ]

    def get_owner_name(self, obj: Conversation) -> str | None:
        if obj.owner_id is None:
            return None
        return obj.owner.get_full_name() or obj.owner.username

    @extend_schema_field(CsatSerializer(allow_null=True))
    def get_csat(self, obj: Conversation) -> dict | None:
        rated = csat_of(obj)
        return CsatSerializer(rated).data if rated else None


class ContactHistoryView(generics.ListAPIView):
    serializer_class = HistoryRowSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Conversation.objects.none()
        contact = get_object_or_404(Contact, pk=self.kwargs["pk"])
        return selectors.contact_history(contact.pk)
