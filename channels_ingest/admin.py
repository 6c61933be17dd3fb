"""Channel accounts in admin: secrets are write-only, the webhook URL is ready to paste."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from channels_ingest.models import ChannelAccount
from channels_ingest.serializers import WEBHOOK_PATHS
from channels_ingest.whatsapp_templates import WhatsAppTemplate

SECRET_KEYS = sorted({key for keys in ChannelAccount.REQUIRED_CREDENTIALS.values() for key in keys})


class ChannelAccountForm(forms.ModelForm):
    """One password field per secret. Blank keeps the stored value; nothing is shown back."""

    class Meta:
        model = ChannelAccount
        fields = [
            "kind",
            "name",
            "external_id",
            "route_queue",
            "route_agent",
            "allowed_origins",
            "max_messages_per_second",
            "active",
            "widget_color",
            "widget_greeting",
            "messenger_human_agent",
        ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance.credentials or {}
        for key in SECRET_KEYS:
            state = "set — leave blank to keep" if stored.get(key) else "not set"
            self.fields[f"secret_{key}"] = forms.CharField(
                label=key.replace("_", " ").capitalize(),
                required=False,
                widget=forms.PasswordInput(render_value=False),
                help_text=state,
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        credentials = dict(self.instance.credentials or {})
        for key in SECRET_KEYS:
            if cleaned.get(f"secret_{key}"):
                credentials[key] = cleaned[f"secret_{key}"]
        kind = cleaned.get("kind")
        if kind:
            needed = ChannelAccount.REQUIRED_CREDENTIALS[ChannelAccount.Kind(kind)]
            credentials = {key: value for key, value in credentials.items() if key in needed}
        self.instance.credentials = credentials
        return cleaned


for _key in SECRET_KEYS:
    # Declared on the class (not per instance) so that admin's form factory knows them.
    ChannelAccountForm.declared_fields[f"secret_{_key}"] = ChannelAccountForm.base_fields[
        f"secret_{_key}"
    ] = forms.CharField(
        label=_key.replace("_", " ").capitalize(),
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )


@admin.register(ChannelAccount)
class ChannelAccountAdmin(admin.ModelAdmin):
    form = ChannelAccountForm
    list_display = ("name", "kind", "external_id", "route_queue", "route_agent", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "external_id")
    readonly_fields = ("webhook_url",)

    def get_fieldsets(self, request: HttpRequest, obj: ChannelAccount | None = None):
        secrets = [f"secret_{key}" for key in SECRET_KEYS]
        return [
            (None, {"fields": ["kind", "name", "external_id", "active"]}),
            ("Routing", {"fields": ["route_queue", "route_agent", "max_messages_per_second"]}),
            ("Secrets (write-only; only the ones this kind uses are kept)", {"fields": secrets}),
            ("Provider console", {"fields": ["webhook_url", "allowed_origins"]}),
            ("Live-chat widget", {"fields": ["widget_color", "widget_greeting"]}),
            ("Messenger", {"fields": ["messenger_human_agent"]}),
        ]

    @admin.display(description="Webhook URL")
    def webhook_url(self, obj: ChannelAccount) -> str:
        if not obj.pk:
            return "Shown after saving."
        return format_html(
            "<code>{}{}</code>", getattr(obj, "webhook_base", ""), WEBHOOK_PATHS[obj.kind]
        )

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        if obj is not None:
            # Kept on this request's instance, not on the ModelAdmin every request shares.
            # PUBLIC_BASE_URL, when set, is what providers call (and Twilio signs).
            obj.webhook_base = _public_base_url(request)
        return super().get_form(request, obj, change, **kwargs)


def _public_base_url(request: HttpRequest) -> str:
    return settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")


class WhatsAppTemplateForm(forms.ModelForm):
    class Meta:
        model = WhatsAppTemplate
        fields = ["account", "name", "language", "category", "body", "variables", "status"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if "account" in self.fields:
            self.fields["account"].queryset = ChannelAccount.objects.filter(
                kind=ChannelAccount.Kind.WHATSAPP
            )


@admin.register(WhatsAppTemplate)
class WhatsAppTemplateAdmin(admin.ModelAdmin):
    """The templates approved in WhatsApp Manager, as agents may send them (system owners)."""

    form = WhatsAppTemplateForm
    list_display = ("name", "language", "category", "account", "status", "status_changed_at")
    list_filter = ("status", "category", "account")
    search_fields = ("name", "body")
    readonly_fields = ("status_reason", "status_changed_at")
