"""Outbound webhooks: who wants which events, and every delivery of each event."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

EVENT_TYPES = (
    "conversation.created",
    "conversation.taken",
    "conversation.transferred",
    "conversation.dealt_with",
    "message.created",
    "message.status",
    "note.created",
    "csat.received",
)


class WebhookSubscription(models.Model):
    url = models.URLField(max_length=2000)
    # Signs every body (HMAC-SHA256); never shown back by the API or admin.
    secret = models.CharField(max_length=200)
    events = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one subscription: the exact body signed, and how sending it went.

    Stored in the transaction of the change it reports, so a committed change is never
    without its delivery, and a rolled-back one never has one.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField()
    type = models.CharField(max_length=40)
    # The body exactly as sent and signed: retries and redeliveries send these bytes.
    payload = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # When a pending delivery may next be sent. A worker that claims it moves this past
    # its attempt (the lease), so the sweep keeps off a delivery being sent.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Set while a worker holds the claim; cleared when the attempt is recorded.
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # One event reaches each subscription once, whoever enqueues it.
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="webhook_delivery_once"
            ),
        ]
        indexes = [
            # The sweep: pending deliveries by when they are due.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="pending"),
                name="webhook_delivery_due",
            ),
        ]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.type} {self.event_id} -> {self.subscription_id}"
