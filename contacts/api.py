"""REST endpoints of contacts: CRUD, search and merge. Thin: parse, call a service, render."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from contacts import selectors, services
from contacts.models import Contact
from contacts.serializers import ContactMergeSerializer, ContactSerializer


class SupervisorsMayDelete(BasePermission):
    """Any agent reads and edits contacts; deleting one is for managers and owners."""

    message = "Only managers, group owners and system owners may delete contacts."

    def has_permission(self, request: Request, view: object) -> bool:
        return request.method != "DELETE" or request.user.is_supervisor


def _field_errors(
    exc: DjangoValidationError, field: str | None = None
) -> serializers.ValidationError:
    """A service's ValidationError as DRF field errors (400)."""
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(exc.message_dict)
    return serializers.ValidationError({field or "non_field_errors": exc.messages})


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="Name, e-mail, phone or channel address.")
        ]
    )
)
class ContactViewSet(viewsets.ModelViewSet):
    serializer_class = ContactSerializer
    permission_classes = [IsAuthenticated, SupervisorsMayDelete]
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[Contact]:
        if self.action == "list":
            return selectors.contact_search(self.request.query_params.get("search", ""))
        return selectors.contact_list()

    def perform_create(self, serializer: ContactSerializer) -> None:
        try:
            serializer.instance = services.contact_create(**serializer.validated_data)
        except DjangoValidationError as exc:
            raise _field_errors(exc) from exc

    def perform_update(self, serializer: ContactSerializer) -> None:
        try:
            services.contact_update(contact=serializer.instance, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise _field_errors(exc) from exc

    def perform_destroy(self, instance: Contact) -> None:
        services.contact_delete(contact=instance)

    @extend_schema(request=ContactMergeSerializer, responses=ContactSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str | None = None) -> Response:
        """Fold `other` into this contact (identities and history move), then delete it."""
        keep = self.get_object()
        body = ContactMergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            kept = services.contact_merge(keep=keep, merge=body.validated_data["other"])
        except DjangoValidationError as exc:
            raise _field_errors(exc, field="other") from exc
        return Response(ContactSerializer(selectors.contact_list().get(pk=kept.pk)).data)
