"""Outbound webhooks in admin (system owners): subscriptions with a write-only secret,
and the delivery log with a Redeliver action and button."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from chatdesk.webhooks.addresses import url_refusal
from chatdesk.webhooks.models import EVENT_TYPES, WebhookDelivery, WebhookSubscription
from chatdesk.webhooks.services import delivery_redeliver


class WebhookSubscriptionForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=[(name, name) for name in EVENT_TYPES], widget=forms.CheckboxSelectMultiple
    )
    secret = forms.CharField(
        required=False,
        min_length=16,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text="Signs every body (HMAC-SHA256). Never shown again; blank keeps it.",
    )

    class Meta:
        model = WebhookSubscription
        fields = ["url", "secret", "events", "active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        refusal = url_refusal(url)
        if refusal:
            raise forms.ValidationError(refusal)
        return url

    def clean_secret(self) -> str:
        secret = self.cleaned_data.get("secret") or self.instance.secret
        if not secret:
            raise forms.ValidationError("A new subscription needs a secret.")
        return secret

    def clean_events(self) -> list[str]:
        return sorted(set(self.cleaned_data["events"]), key=EVENT_TYPES.index)


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ("url", "active", "event_list", "created_at", "delivery_log")
    list_filter = ("active",)
    search_fields = ("url",)

    @admin.display(description="Events")
    def event_list(self, obj: WebhookSubscription) -> str:
        return ", ".join(obj.events)

    @admin.display(description="Deliveries")
    def delivery_log(self, obj: WebhookSubscription) -> str:
        url = reverse("admin:webhooks_webhookdelivery_changelist")
        return format_html('<a href="{}?subscription__id__exact={}">Log</a>', url, obj.pk)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "event_id",
        "type",
        "subscription",
        "state",
        "status_code",
        "attempts",
        "delivered_at",
        "created_at",
    )
    list_filter = ("state", "type", "subscription")
    search_fields = ("event_id",)
    actions = ["redeliver"]
    readonly_fields = (
        "subscription",
        "event_id",
        "type",
        "state",
        "status_code",
        "attempts",
        "last_error",
        "delivered_at",
        "next_attempt_at",
        "created_at",
        "payload",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Redeliver (same event id)", permissions=["change"])
    def redeliver(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = 0
        for delivery in queryset:
            delivery_redeliver(delivery=delivery)
            count += 1
        self.message_user(request, f"{count} deliveries queued again.", messages.SUCCESS)

    def response_change(self, request: HttpRequest, obj: WebhookDelivery) -> HttpResponse:
        if "_redeliver" in request.POST:
            delivery_redeliver(delivery=obj)
            self.message_user(request, "Queued again with the same event id.", messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)
