"""`POST /api/v1/attachments/` and the authenticated downloads."""

from __future__ import annotations

from django.http import FileResponse, Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chatdesk.inbox.serializers import AttachmentSerializer
from chatdesk.inbox.services.attachments import attachment_for_download, attachment_upload


class AttachmentUploadView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer("Upload", {"file": serializers.FileField()})
        },
        responses={201: AttachmentSerializer},
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            return Response(
                {"detail": "Send the file in the multipart field `file`."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        attachment = attachment_upload(agent=request.user, name=upload.name, data=upload.read())
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentFileView(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request: Request, pk: int, variant: str) -> FileResponse:
        if variant not in ("file", "thumbnail"):
            raise Http404("No such file.")
        attachment = attachment_for_download(attachment_id=pk, user=request.user)
        field = attachment.thumbnail if variant == "thumbnail" else attachment.file
        if not field:
            raise Http404("This file has no thumbnail.")
        inline = variant == "thumbnail" or attachment.content_type.startswith("image/")
        response = FileResponse(
            field.open("rb"),
            content_type="image/webp" if variant == "thumbnail" else attachment.content_type,
            as_attachment=not inline,
            filename=attachment.name,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
