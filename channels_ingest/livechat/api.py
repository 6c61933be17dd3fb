"""`POST /api/v1/livechat/sessions/`: a visitor's widget starts or resumes its session."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from channels_ingest.livechat import services
from channels_ingest.livechat.errors import LiveChatError
from channels_ingest.livechat.origins import Caller


class SessionStartSerializer(serializers.Serializer):
    site_key = serializers.CharField(max_length=100)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    session_token = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    # Where the visitor is; longer values are cut to size by the service.
    page_url = serializers.CharField(required=False, allow_blank=True, default="", max_length=8000)
    page_title = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )
    referrer = serializers.CharField(required=False, allow_blank=True, default="", max_length=8000)


def _cors(response: Response, request: Request) -> Response:
    # The widget runs on the customer's site: the browser needs these to read our
    # answer. Which origins may use a site is decided by the service, per account.
    origin = request.headers.get("Origin")
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "600"
        response["Vary"] = "Origin"
    return response


class SessionStartView(APIView):
    # Public and cookie-less: no authentication classes means no CSRF check either.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=SessionStartSerializer,
        responses={
            201: inline_serializer(
                "LiveChatSession",
                {
                    "session_token": serializers.CharField(),
                    "conversation": serializers.IntegerField(allow_null=True),
                    "visitor": serializers.CharField(),
                },
            )
        },
    )
    def post(self, request: Request) -> Response:
        given = SessionStartSerializer(data=request.data)
        if not given.is_valid():
            return _cors(Response(given.errors, status=status.HTTP_400_BAD_REQUEST), request)
        try:
            started = services.visitor_session_start(
                **given.validated_data, caller=Caller.of(request)
            )
        except LiveChatError as refused:
            return _cors(Response({"detail": refused.detail}, status=refused.status_code), request)
        body = {
            "session_token": started.token,
            "conversation": started.conversation_id,
            "visitor": started.session.visitor_id,
            "name": started.session.name,
        }
        code = status.HTTP_201_CREATED if started.created else status.HTTP_200_OK
        return _cors(Response(body, status=code), request)

    def options(self, request: Request, *args, **kwargs) -> Response:
        return _cors(Response(status=status.HTTP_204_NO_CONTENT), request)
