"""`GET /api/v1/archive/`: the archived list with filters (channel, agent, queue, dates, text)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from archive.selectors import ArchiveFilter, archived_conversations
from chatdesk.inbox.serializers import ConversationSerializer

MAX_ID = 2**63 - 1  # BigAutoField


class ArchiveQuery(serializers.Serializer):
    channel = serializers.ChoiceField(
        choices=["livechat", "whatsapp", "messenger", "sms", "internal"], required=False
    )
    # Bounded to the id range: a huge number overflowed the database driver (a 500).
    agent = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    queue = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)


@extend_schema(
    parameters=[
        OpenApiParameter("channel", str),
        OpenApiParameter("agent", int),
        OpenApiParameter("queue", int),
        OpenApiParameter("date_from", str),
        OpenApiParameter("date_to", str),
        OpenApiParameter("q", str, description="message text"),
    ]
)
class ArchiveListView(generics.ListAPIView):
    serializer_class = ConversationSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ConversationSerializer.Meta.model.objects.none()
        query = ArchiveQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return archived_conversations(
            self.request.user,
            ArchiveFilter(
                channel=data.get("channel"),
                agent=data.get("agent"),
                queue=data.get("queue"),
                date_from=data.get("date_from"),
                date_to=data.get("date_to"),
                text=data.get("q", ""),
            ),
        )
