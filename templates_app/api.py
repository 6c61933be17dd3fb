"""REST endpoints of quick-response templates (docs/api.md)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from chatdesk.accounts.permissions import CanEditTemplates
from templates_app import contact_lookup, selectors, services
from templates_app.models import QuickTemplate
from templates_app.placeholders import render_template
from templates_app.serializers import (
    CategorySerializer,
    QuickTemplateSerializer,
    RenderRequestSerializer,
    RenderResultSerializer,
)


@contextmanager
def _model_errors_as_400() -> Iterator[None]:
    """The model's full_clean (e.g. a duplicate title) answers 400 like any field error."""
    try:
        yield
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else error.messages
        raise ValidationError(detail) from None


_FILTERS = [
    OpenApiParameter("search", str, description="Words that must all be in title or body."),
    OpenApiParameter("category", str, description="A category name (a tab)."),
    OpenApiParameter("language", str, description='A language tag; "pt" also finds "pt-BR".'),
]


@extend_schema_view(list=extend_schema(parameters=_FILTERS))
class TemplateViewSet(viewsets.ModelViewSet):
    """Templates the user may insert, most used first; writes for supervisors only."""

    serializer_class = QuickTemplateSerializer
    permission_classes = [CanEditTemplates]
    lookup_value_regex = r"\d+"

    def get_permissions(self) -> list[BasePermission]:
        # Rendering is using a template, not editing it: every agent may.
        if self.action == "render":
            return [IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self) -> QuerySet[QuickTemplate]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return QuickTemplate.objects.none()
        params = self.request.query_params if self.action == "list" else {}
        return selectors.templates_for_user(
            user=self.request.user,
            search=params.get("search"),
            category=params.get("category"),
            language=params.get("language"),
        )

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        with _model_errors_as_400():
            serializer.instance = services.template_create(
                created_by=self.request.user, **serializer.validated_data
            )

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        with _model_errors_as_400():
            serializer.instance = services.template_update(
                template=serializer.instance, changes=serializer.validated_data
            )

    def perform_destroy(self, instance: QuickTemplate) -> None:
        services.template_delete(template=instance)

    @extend_schema(responses=CategorySerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def categories(self, request: Request) -> Response:
        """The category tabs: those holding a template this user sees."""
        categories = selectors.categories_for_user(user=request.user)
        return Response(CategorySerializer(categories, many=True).data)

    @extend_schema(request=RenderRequestSerializer, responses=RenderResultSerializer)
    @action(detail=True, methods=["post"], url_path="render")
    def render(self, request: Request, pk: str | None = None) -> Response:
        """The body filled in for this agent and contact; counts one use."""
        template = self.get_object()
        params = RenderRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        text = render_template(
            template.body,
            contact_name=self._contact_name(params.validated_data),
            agent=request.user,
        )
        services.template_use(template=template)
        return Response(RenderResultSerializer({"text": text}).data)

    def _contact_name(self, data: dict) -> str:
        if "contact_name" in data or "conversation" not in data:
            return data.get("contact_name", "")
        try:
            return contact_lookup.contact_name_for(self.request.user, data["conversation"])
        except contact_lookup.ConversationNotVisible:
            raise NotFound("No such conversation.") from None
