"""Transcripts, and a contact's export and erasure (docs/api.md: Integrations and compliance).

`GET /conversations/{id}/transcript/`, `GET /contacts/{id}/export/`,
`POST /contacts/{id}/erase/`. Thin: find, call a service, render.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chatdesk.accounts.permissions import IsSupervisor, IsSystemOwner
from chatdesk.inbox import selectors
from chatdesk.inbox.services import erasure, transcript
from contacts.models import Contact


class TranscriptView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            (200, "text/plain"): OpenApiResponse(
                OpenApiTypes.STR, description="The chat as text, as a file to download."
            )
        }
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        conversation = get_object_or_404(
            selectors.visible_conversations(request.user).select_related("identity__contact"),
            pk=pk,
        )
        text = transcript.transcript_render(
            conversation=conversation, audience=transcript.Audience.AGENTS
        )
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        name = transcript.transcript_filename(conversation)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


ContactExport = inline_serializer(
    "ContactExport",
    {
        "contact": serializers.DictField(),
        "identities": serializers.ListField(child=serializers.DictField()),
        "conversations": serializers.ListField(child=serializers.DictField()),
    },
)


class ContactExportView(APIView):
    """Managers, group owners and system owners."""

    permission_classes = [IsSupervisor]

    @extend_schema(responses=ContactExport)
    def get(self, request: Request, pk: int) -> Response:
        contact = get_object_or_404(Contact, pk=pk)
        response = Response(erasure.contact_export(contact_id=contact.pk))
        response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}.json"'
        return response


class ContactEraseView(APIView):
    """System owners only."""

    permission_classes = [IsSystemOwner]

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "ContactErased",
                {
                    "contact": serializers.IntegerField(),
                    "erased_at": serializers.DateTimeField(),
                    "identities": serializers.IntegerField(),
                    "conversations": serializers.IntegerField(),
                    "messages": serializers.IntegerField(),
                    "files": serializers.IntegerField(),
                },
            )
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        contact = get_object_or_404(Contact, pk=pk)
        record = erasure.contact_erase(contact_id=contact.pk, by=request.user)
        body = {
            "contact": record.contact_id,
            "erased_at": record.erased_at,
            "identities": record.identities,
            "conversations": record.conversations,
            "messages": record.messages,
            "files": record.files,
        }
        return Response(_iso(body), status=status.HTTP_200_OK)


def _iso(body: dict) -> dict:
    return {**body, "erased_at": body["erased_at"].isoformat().replace("+00:00", "Z")}
