from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from chatdesk.strict import RejectUnknownFieldsMixin
from templates_app.languages import normalize_language
from templates_app.models import QuickTemplate
from templates_app.shortcuts import SHORTCUT_MAX, normalize_shortcut, validate_shortcut


class QuickTemplateSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """The body keeps the model's placeholder validator: unknown ones are a 400."""

    # The category's name; writing a new name creates the category (services).
    category = serializers.CharField(
        max_length=60, allow_blank=True, allow_null=True, required=False
    )
    language = serializers.CharField(max_length=35, required=False, default="en")
    # Unique when set: a duplicate is reported by the model's check in the service.
    shortcut = serializers.CharField(
        max_length=SHORTCUT_MAX + 8, allow_blank=True, allow_null=True, required=False
    )

    class Meta:
        model = QuickTemplate
        fields = ["id", "title", "body", "category", "language", "queue", "usage_count", "shortcut"]
        read_only_fields = ["usage_count"]
        # The per-scope title uniqueness is checked by the model in the service.
        validators: list = []

    def validate_language(self, language: str) -> str:
        try:
            return normalize_language(language)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def validate_shortcut(self, shortcut: str | None) -> str | None:
        try:
            validate_shortcut(shortcut)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return normalize_shortcut(shortcut)


class CategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    template_count = serializers.IntegerField()


class RenderRequestSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    conversation = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=200)


class RenderResultSerializer(serializers.Serializer):
    text = serializers.CharField()
