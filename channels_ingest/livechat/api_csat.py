"""`POST /api/v1/livechat/csat/` (header `X-Visitor-Token`): the visitor rates the chat
they were asked about, `{rating: 1-5, comment}`."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from channels_ingest.livechat import services
from channels_ingest.livechat.api_files import _PublicWidgetView
from channels_ingest.livechat.errors import LiveChatError, OriginNotAllowed
from channels_ingest.livechat.origins import origin_allowed
from chatdesk.inbox.errors import DomainError
from chatdesk.inbox.quality import csat_of
from chatdesk.inbox.services.csat import MAX_COMMENT_CHARS
from chatdesk.strict import RejectUnknownFieldsMixin


class VisitorCsatSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=MAX_COMMENT_CHARS
    )


class VisitorCsatView(_PublicWidgetView):
    parser_classes = [JSONParser]
    cors_methods = "POST, OPTIONS"

    @extend_schema(
        request=VisitorCsatSerializer,
        parameters=[OpenApiParameter("X-Visitor-Token", location="header", required=True)],
        responses={
            201: inline_serializer(
                "VisitorCsatStored",
                {
                    "conversation": serializers.IntegerField(),
                    "rating": serializers.IntegerField(),
                    "comment": serializers.CharField(),
                    "at": serializers.DateTimeField(),
                },
            )
        },
    )
    def post(self, request: Request) -> Response:
        given = VisitorCsatSerializer(data=request.data)
        if not given.is_valid():
            return Response(given.errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            session = services.visitor_rating_session(
                token=request.headers.get("X-Visitor-Token", ""),
                ip=request.META.get("REMOTE_ADDR") or None,
            )
            if not origin_allowed(
                session.account,
                origin=request.headers.get("Origin", ""),
                own_host=request.get_host(),
            ):
                raise OriginNotAllowed()
            conversation = services.visitor_csat_rate(session=session, **given.validated_data)
        except LiveChatError as refused:
            return Response({"detail": refused.detail}, status=refused.status_code)
        except DomainError as refused:
            return Response({"detail": refused.detail, "code": refused.code}, refused.status_code)
        body = {"conversation": conversation.pk, **(csat_of(conversation) or {})}
        return Response(body, status=status.HTTP_201_CREATED)
