"""`/api/v1/labels/` and `PUT /api/v1/conversations/{id}/labels/` (docs/api.md: Labels)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chatdesk.accounts.permissions import CanEditLabels
from chatdesk.inbox.models import Label
from chatdesk.inbox.serializers import ConversationSerializer, LabelSerializer
from chatdesk.inbox.services import labels
from chatdesk.strict import RejectUnknownFieldsMixin

ID_MAX = 2**63 - 1


class LabelViewSet(viewsets.ModelViewSet):
    """Every agent reads the labels; managers, group owners and system owners keep them."""

    serializer_class = LabelSerializer
    permission_classes = [CanEditLabels]
    queryset = Label.objects.order_by("name", "id")
    filter_backends: list[type] = []


class LabelsBodySerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    labels = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX), max_length=50
    )


class ConversationLabelsView(APIView):
    """Anyone who sees the chat sets its labels (404 for a chat one may not see)."""

    @extend_schema(request=LabelsBodySerializer, responses=ConversationSerializer)
    def put(self, request: Request, pk: int) -> Response:
        body = LabelsBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        conversation = labels.conversation_set_labels(
            conversation_id=pk, agent=request.user, label_ids=body.validated_data["labels"]
        )
        return Response(ConversationSerializer(conversation).data)
