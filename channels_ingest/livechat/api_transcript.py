"""`POST /api/v1/livechat/transcript/` (header `X-Visitor-Token`) `{email}`: the visitor's
chat transcript by e-mail."""

from __future__ import annotations

import logging

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from channels_ingest.livechat import transcript
from channels_ingest.livechat.api_files import _PublicWidgetView
from channels_ingest.livechat.errors import LiveChatError
from chatdesk.strict import RejectUnknownFieldsMixin

logger = logging.getLogger(__name__)


class TranscriptRequestSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    email = serializers.EmailField(
        max_length=254,
        error_messages={
            "invalid": "Enter a valid e-mail address.",
            "blank": "Enter the e-mail address to send the transcript to.",
            "required": "Enter the e-mail address to send the transcript to.",
        },
    )


class VisitorTranscriptView(_PublicWidgetView):
    cors_methods = "POST, OPTIONS"

    @extend_schema(
        request=TranscriptRequestSerializer,
        parameters=[OpenApiParameter("X-Visitor-Token", location="header", required=True)],
        responses={202: inline_serializer("TranscriptSent", {"detail": serializers.CharField()})},
    )
    def post(self, request: Request) -> Response:
        given = TranscriptRequestSerializer(data=request.data)
        if not given.is_valid():
            return Response(given.errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            transcript.transcript_email(
                token=request.headers.get("X-Visitor-Token", ""),
                email=given.validated_data["email"],
                ip=request.META.get("REMOTE_ADDR") or None,
            )
        except LiveChatError as refused:
            return Response({"detail": refused.detail}, status=refused.status_code)
        except OSError:
            # The mail server refused or is unreachable: nothing was sent, and the
            # visitor may try again.
            logger.exception("Could not send a live-chat transcript")
            return Response(
                {"detail": "The e-mail could not be sent just now; try again in a moment."},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        return Response(
            {"detail": "The transcript is on its way."}, status=status.HTTP_202_ACCEPTED
        )
