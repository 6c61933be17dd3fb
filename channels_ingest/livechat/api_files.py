"""The widget's own public endpoints besides the session: its look, and visitors' uploads.

`POST /api/v1/livechat/attachments/` (header `X-Visitor-Token`, multipart `file`)
and `GET /api/v1/livechat/config/?site_key=`.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from channels_ingest.livechat import selectors, services
from channels_ingest.livechat.errors import LiveChatError, OriginNotAllowed
from channels_ingest.livechat.origins import origin_allowed
from channels_ingest.models import ChannelAccount
from chatdesk.inbox.errors import DomainError

DEFAULT_GREETING = "Hi! How can we help you today?"
DEFAULT_COLOR = "#1f6feb"


class _PublicWidgetView(APIView):
    """Cookie-less, so no CSRF; every answer, errors included, carries CORS headers
    because the widget runs on the customer's site and must read why it was refused."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    cors_methods = "GET, OPTIONS"

    def finalize_response(self, request, response, *args, **kwargs) -> HttpResponse:
        response = super().finalize_response(request, response, *args, **kwargs)
        origin = request.headers.get("Origin")
        if origin:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Allow-Methods"] = self.cors_methods
            response["Access-Control-Allow-Headers"] = "Content-Type, X-Visitor-Token"
            response["Access-Control-Max-Age"] = "600"
            response["Vary"] = "Origin"
        return response

    def options(self, request: Request, *args, **kwargs) -> Response:
        return Response(status=status.HTTP_204_NO_CONTENT)

    def site_or_404(self, request: Request) -> ChannelAccount:
        """The active site named by the `site_key` query parameter."""
        site = selectors.active_site(request.query_params.get("site_key", ""))
        if site is None:
            raise NotFound("No active live-chat site has this site key.")
        return site


class VisitorUploadView(_PublicWidgetView):
    parser_classes = [MultiPartParser]
    cors_methods = "POST, OPTIONS"

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "VisitorUpload", {"file": serializers.FileField()}
            )
        },
        parameters=[OpenApiParameter("X-Visitor-Token", location="header", required=True)],
        responses={
            201: inline_serializer(
                "VisitorUploaded",
                {
                    "id": serializers.IntegerField(),
                    "name": serializers.CharField(),
                    "content_type": serializers.CharField(),
                    "size": serializers.IntegerField(),
                },
            )
        },
    )
    def post(self, request: Request) -> Response:
        ip = request.META.get("REMOTE_ADDR") or None
        try:
            session = services.visitor_session_authenticate(
                token=request.headers.get("X-Visitor-Token", ""), ip=ip
            )
            if not origin_allowed(
                session.account,
                origin=request.headers.get("Origin", ""),
                own_host=request.get_host(),
            ):
                raise OriginNotAllowed()
            upload = request.FILES.get("file")
            if upload is None:
                return Response(
                    {"detail": "Send the file in the multipart field `file`."},
                    status=status.HTTP_400_BAD_REQUEST,
                )
            attachment = services.visitor_upload(
                session_id=session.pk, name=upload.name or "file", data=upload.read(), ip=ip
            )
        except LiveChatError as refused:
            return Response({"detail": refused.detail}, status=refused.status_code)
        except DomainError as refused:  # the agents' checks: 413 too large, 415 unsupported
            return Response({"detail": refused.detail, "code": refused.code}, refused.status_code)
        body = {
            "id": attachment.pk,
            "name": attachment.name,
            "content_type": attachment.content_type,
            "size": attachment.size,
        }
        return Response(body, status=status.HTTP_201_CREATED)


class WidgetConfigView(_PublicWidgetView):
    @extend_schema(
        parameters=[OpenApiParameter("site_key", required=True)],
        responses={
            200: inline_serializer(
                "WidgetConfig",
                {
                    "name": serializers.CharField(),
                    "color": serializers.CharField(),
                    "greeting": serializers.CharField(),
                    "max_file_bytes": serializers.IntegerField(),
                },
            )
        },
    )
    def get(self, request: Request) -> Response:
        site = self.site_or_404(request)
        body = {
            "name": site.name,
            "color": site.widget_color or DEFAULT_COLOR,
            "greeting": site.widget_greeting or DEFAULT_GREETING,
            # Lets the widget refuse an oversized file before uploading it.
            "max_file_bytes": settings.MAX_UPLOAD_BYTES,
        }
        response = Response(body)
        # Public and the same for every visitor: a short shared cache spares the desk.
        response["Cache-Control"] = "public, max-age=60"
        return response
