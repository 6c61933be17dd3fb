from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from channels_ingest.models import ChannelAccount
from chatdesk.accounts.models import User
from chatdesk.strict import RejectUnknownFieldsMixin
from queues.models import Queue

WEBHOOK_PATHS = {
    ChannelAccount.Kind.WHATSAPP: "/webhooks/whatsapp/",
    ChannelAccount.Kind.MESSENGER: "/webhooks/messenger/",
    ChannelAccount.Kind.SMS: "/webhooks/twilio/sms/",
    ChannelAccount.Kind.LIVECHAT: "/livechat/widget.js",
}


# An id as the database can hold it; anything else (a list, a 2**70) is a 400, not a 500
# (found by the write-operation fuzz: `{"agent": []}`).
_ID = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


def _route_id(value: object) -> int:
    return _ID.run_validation(value)


@extend_schema_field(
    {
        "type": "object",
        "properties": {"queue": {"type": "integer"}, "agent": {"type": "integer"}},
        "minProperties": 1,
        "maxProperties": 1,
    }
)
class RouteField(serializers.Field):
    """`{"queue": id}` or `{"agent": id}` (docs/api.md: Configuration resources)."""

    def to_representation(self, account: ChannelAccount) -> dict:
        if account.route_queue_id:
            return {"queue": account.route_queue_id}
        return {"agent": account.route_agent_id}

    def to_internal_value(self, data: object) -> dict:
        if not isinstance(data, dict) or len(data) != 1 or not ({"queue", "agent"} & set(data)):
            raise serializers.ValidationError('Give exactly one of {"queue": id} or {"agent": id}.')
        if "queue" in data:
            queue = Queue.objects.filter(pk=_route_id(data["queue"])).first()
            if queue is None:
                raise serializers.ValidationError("No such queue.")
            return {"route_queue": queue, "route_agent": None}
        agent = User.objects.filter(pk=_route_id(data["agent"]), is_active=True).first()
        if agent is None:
            raise serializers.ValidationError("No such agent.")
        return {"route_queue": None, "route_agent": agent}


class ChannelAccountSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    route = RouteField(source="*")
    credentials = serializers.DictField(
        child=serializers.CharField(), write_only=True, required=False
    )
    allowed_origins = serializers.ListField(child=serializers.URLField(), required=False)
    webhook_path = serializers.SerializerMethodField()

    class Meta:
        model = ChannelAccount
        fields = [
            "id",
            "kind",
            "name",
            "external_id",
            "route",
            "credentials",
            "allowed_origins",
            "active",
            "webhook_path",
            "widget_color",
            "widget_greeting",
            "messenger_human_agent",
        ]

    def get_webhook_path(self, account: ChannelAccount) -> str:
        return WEBHOOK_PATHS[account.kind]

    def to_internal_value(self, data: object) -> dict:
        # The API names a live-chat site's origins among its credentials
        # (`credentials.allowed_origins`); they are not secret, so they are stored and
        # shown as the field of their own. Either spelling is accepted, not both at odds.
        if isinstance(data, dict) and isinstance(data.get("credentials"), dict):
            kind = data.get("kind") or getattr(self.instance, "kind", None)
            if kind == ChannelAccount.Kind.LIVECHAT and "allowed_origins" in data["credentials"]:
                credentials = dict(data["credentials"])
                origins = credentials.pop("allowed_origins")
                if isinstance(origins, str):
                    origins = origins.replace(",", " ").split()
                if "allowed_origins" in data and data["allowed_origins"] != origins:
                    raise serializers.ValidationError(
                        {"allowed_origins": "Given twice, differently (also in credentials)."}
                    )
                data = {**data, "credentials": credentials, "allowed_origins": origins}
        return super().to_internal_value(data)

    def validate(self, attrs: dict) -> dict:
        kind = attrs.get("kind") or getattr(self.instance, "kind", None)
        if self.instance is not None and "kind" in attrs and attrs["kind"] != self.instance.kind:
            raise serializers.ValidationError({"kind": "The kind of an account cannot change."})
        current = dict(self.instance.credentials) if self.instance else {}
        credentials = {**current, **attrs.get("credentials", {})}
        missing = [
            key for key in ChannelAccount.REQUIRED_CREDENTIALS[kind] if not credentials.get(key)
        ]
        if missing:
            raise serializers.ValidationError({"credentials": f"Missing: {', '.join(missing)}."})
        unknown = set(credentials) - set(ChannelAccount.REQUIRED_CREDENTIALS[kind])
        if unknown:
            raise serializers.ValidationError(
                {"credentials": f"Not used by {kind}: {', '.join(sorted(unknown))}."}
            )
        attrs["credentials"] = credentials
        return attrs
