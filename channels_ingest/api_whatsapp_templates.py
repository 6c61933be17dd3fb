"""`/api/v1/whatsapp-templates/`: the system owner registers the templates approved at
Meta; every agent reads them to answer outside the 24-hour window (docs/api.md)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from channels_ingest.models import ChannelAccount
from channels_ingest.whatsapp_templates import WhatsAppTemplate, template_problems
from chatdesk.accounts.models import Role
from chatdesk.strict import RejectUnknownFieldsMixin


class SystemOwnerWritesOthersRead(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or user.effective_role == Role.SYSTEM_OWNER


class WhatsAppTemplateSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    account = serializers.PrimaryKeyRelatedField(
        queryset=ChannelAccount.objects.filter(kind=ChannelAccount.Kind.WHATSAPP),
        error_messages={"does_not_exist": "No such WhatsApp account."},
    )
    variables = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, default=list, max_length=100
    )
    status = serializers.ChoiceField(
        choices=WhatsAppTemplate.Status.choices, required=False, default="APPROVED"
    )

    class Meta:
        model = WhatsAppTemplate
        fields = [
            "id",
            "account",
            "name",
            "language",
            "category",
            "body",
            "variables",
            "status",
            "status_reason",
            "status_changed_at",
        ]
        read_only_fields = ["status_reason", "status_changed_at"]
        extra_kwargs = {"body": {"max_length": 1024}}

    def validate(self, attrs: dict) -> dict:
        def current(name: str) -> Any:
            return attrs[name] if name in attrs else getattr(self.instance, name, None)

        problems = template_problems(
            account_kind=None, body=current("body") or "", variables=current("variables") or []
        )
        if problems:
            raise serializers.ValidationError(problems)
        account, name, language = current("account"), current("name"), current("language")
        clash = WhatsAppTemplate.objects.filter(account=account, name=name, language=language)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(
                {"name": "This account already has this template in this language."}
            )
        return attrs


class WhatsAppTemplateViewSet(viewsets.ModelViewSet):
    serializer_class = WhatsAppTemplateSerializer
    permission_classes = [SystemOwnerWritesOthersRead]

    def get_queryset(self):
        templates = WhatsAppTemplate.objects.select_related("account").order_by(
            "name", "language", "id"
        )
        account = self.request.query_params.get("account", "")
        if account.isdigit():
            templates = templates.filter(account_id=int(account))
        return templates
