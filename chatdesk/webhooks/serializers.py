"""Webhook subscriptions and their delivery log, as the API shows them."""

from __future__ import annotations

from rest_framework import serializers

from chatdesk.strict import RejectUnknownFieldsMixin
from chatdesk.webhooks.addresses import url_refusal
from chatdesk.webhooks.models import EVENT_TYPES, WebhookDelivery, WebhookSubscription


class WebhookSubscriptionSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    # Write-only: once given, the secret is never shown again (rotate it by writing anew).
    secret = serializers.CharField(write_only=True, min_length=16, max_length=200)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES), allow_empty=False, max_length=20
    )

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "secret", "events", "active"]

    def validate_url(self, value: str) -> str:
        refusal = url_refusal(value)
        if refusal:
            raise serializers.ValidationError(refusal)
        return value

    def validate_events(self, value: list[str]) -> list[str]:
        return sorted(set(value), key=EVENT_TYPES.index)


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = ["id", "event_id", "type", "status_code", "attempts", "last_error", "delivered_at"]
        read_only_fields = fields
