"""`GET /api/v1/conversations/{id}/log/`: who did what to a chat, and when."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chatdesk.inbox import selectors
from chatdesk.inbox.models import ConversationEvent


class LogEntrySerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="kind")
    actor = serializers.IntegerField(source="actor_id", allow_null=True)

    class Meta:
        model = ConversationEvent
        fields = ["type", "at", "actor", "data"]


class ConversationLogView(APIView):
    """The conversation's history, oldest first; 404 for a chat the caller may not see."""

    @extend_schema(responses=LogEntrySerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        if not selectors.visible_conversations(request.user).filter(pk=pk).exists():
            raise Http404
        entries = ConversationEvent.objects.filter(conversation_id=pk).order_by("at", "id")
        return Response(LogEntrySerializer(entries, many=True).data)
