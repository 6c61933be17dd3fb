"""`GET /api/v1/livechat/status/?site_key=` and `POST /api/v1/livechat/offline-messages/`.

Public, like the widget's other endpoints: whether the site takes chats now, and the
offline form the widget shows when it does not.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from channels_ingest.livechat import offline
from channels_ingest.livechat.api_files import _PublicWidgetView
from channels_ingest.livechat.errors import LiveChatError
from channels_ingest.livechat.origins import Caller


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


class SiteStatusView(_PublicWidgetView):
    @extend_schema(
        parameters=[OpenApiParameter("site_key", required=True)],
        responses={
            200: inline_serializer(
                "LiveChatStatus",
                {
                    "open": serializers.BooleanField(),
                    "next_open_at": serializers.DateTimeField(allow_null=True),
                    "within_hours": serializers.BooleanField(),
                    "agents_available": serializers.BooleanField(),
                },
            )
        },
    )
    def get(self, request: Request) -> Response:
        site = self.site_or_404(request)
        now = offline.site_status(site)
        response = Response(
            {
                "open": now.open,
                "next_open_at": _iso(now.next_open_at),
                "within_hours": now.within_hours,
                "agents_available": now.agents_available,
            }
        )
        # Presence changes by the minute: a stale "open" would hide the offline form.
        response["Cache-Control"] = "no-store"
        return response


class OfflineMessageSerializer(serializers.Serializer):
    site_key = serializers.CharField(max_length=100)
    name = serializers.CharField(
        max_length=200, error_messages={"blank": "Please tell us your name."}
    )
    email = serializers.EmailField(
        max_length=254,
        error_messages={
            "blank": "Please give an e-mail address so we can answer you.",
            "invalid": "This e-mail address does not look right.",
        },
    )
    message = serializers.CharField(
        max_length=offline.MAX_MESSAGE_CHARS,
        trim_whitespace=False,
        error_messages={
            "blank": "Please write your message.",
            "max_length": f"Messages are limited to {offline.MAX_MESSAGE_CHARS} characters.",
        },
    )
    # Where the visitor was, as the widget reports it (optional).
    page_url = serializers.CharField(required=False, allow_blank=True, default="", max_length=8000)
    page_title = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )
    referrer = serializers.CharField(required=False, allow_blank=True, default="", max_length=8000)

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Please tell us your name.")
        return value

    def validate_message(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Please write your message.")
        return value


class OfflineMessageView(_PublicWidgetView):
    cors_methods = "POST, OPTIONS"

    @extend_schema(
        request=OfflineMessageSerializer,
        responses={
            201: inline_serializer(
                "OfflineMessageReceived",
                {"received": serializers.BooleanField(), "detail": serializers.CharField()},
            )
        },
    )
    def post(self, request: Request) -> Response:
        given = OfflineMessageSerializer(data=request.data)
        if not given.is_valid():
            return Response(given.errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            offline.offline_message_leave(**given.validated_data, caller=Caller.of(request))
        except LiveChatError as refused:
            return Response({"detail": refused.detail}, status=refused.status_code)
        return Response(
            {
                "received": True,
                "detail": "Thank you! We have your message and will answer by e-mail.",
            },
            status=status.HTTP_201_CREATED,
        )
