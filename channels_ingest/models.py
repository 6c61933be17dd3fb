"""Channel accounts: where customers' messages arrive, and where they route."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q


class ChannelAccount(models.Model):
    class Kind(models.TextChoices):
        WHATSAPP = "whatsapp", "WhatsApp"
        MESSENGER = "messenger", "Facebook Messenger"
        SMS = "sms", "SMS/MMS"
        LIVECHAT = "livechat", "Live chat"

    # The secrets each kind needs (docs/api.md: Configuration resources).
    REQUIRED_CREDENTIALS = {
        Kind.WHATSAPP: ("access_token", "app_secret", "verify_token"),
        Kind.MESSENGER: ("page_access_token", "app_secret", "verify_token"),
        Kind.SMS: ("account_sid", "auth_token"),
        Kind.LIVECHAT: (),
    }

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=100)
    external_id = models.CharField(
        max_length=100,
        help_text=(
            "WhatsApp phone number id, Messenger page id, E.164 number, or live-chat site key."
        ),
    )
    route_queue = models.ForeignKey(
        "queues.Queue", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    route_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    credentials = models.JSONField(default=dict, blank=True)
    allowed_origins = models.JSONField(
        default=list, blank=True, help_text="Live chat: origins allowed to embed the widget."
    )
    active = models.BooleanField(default=True)
    max_messages_per_second = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=(
            "Outbound throughput this sender may use; over it, replies wait their turn. "
            "Empty: the provider's default (WhatsApp 80/s, Messenger 40/s, SMS long code 1/s)."
        ),
    )
    widget_color = models.CharField(
        max_length=7,
        blank=True,
        default="",
        validators=[
            RegexValidator(
                r"^#[0-9a-fA-F]{6}$", "Give the colour as # and six hex digits, e.g. #1f6feb."
            )
        ],
        help_text=(
            "Live chat: the widget's colour (button, header, the visitor's messages); "
            "empty: the default blue."
        ),
    )
    widget_greeting = models.CharField(
        max_length=300,
        blank=True,
        default="",
        help_text="Live chat: the first words a visitor reads when the widget opens.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    messenger_human_agent = models.BooleanField(
        default=False,
        help_text=(
            "Messenger: the page has Meta's Human Agent permission, so agents may answer "
            "for 7 days after the customer's last message (tagged HUMAN_AGENT after the "
            "first 24 hours) instead of 24 hours."
        ),
    )

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "external_id"], name="channel_account_unique"),
            models.CheckConstraint(
                condition=Q(route_queue__isnull=True) | Q(route_agent__isnull=True),
                name="channel_account_one_route",
            ),
        ]

    DEFAULT_RATE = {Kind.WHATSAPP: 80, Kind.MESSENGER: 40, Kind.SMS: 1, Kind.LIVECHAT: 100}

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"

    @property
    def rate_limit(self) -> int:
        return self.rate_for(self.kind, self.max_messages_per_second)

    @classmethod
    def rate_for(cls, kind: str, max_messages_per_second: int | None) -> int:
        """The sender's limit in messages a second: its own setting, else its kind's."""
        return max_messages_per_second or cls.DEFAULT_RATE[cls.Kind(kind)]

    def clean(self) -> None:
        if (self.route_queue_id is None) == (self.route_agent_id is None):
            raise ValidationError("Route to exactly one queue or one agent.")
        missing = [
            key
            for key in self.REQUIRED_CREDENTIALS[self.Kind(self.kind)]
            if not (self.credentials or {}).get(key)
        ]
        if missing:
            raise ValidationError({"credentials": f"Missing: {', '.join(missing)}."})


# Live chat's model lives with its code in livechat/; importing it here registers it.
from channels_ingest.livechat.models import VisitorSession, VisitorUpload  # noqa: E402, F401
from channels_ingest.whatsapp_templates import WhatsAppTemplate  # noqa: E402, F401
