"""A visitor's session with one live-chat site: what the widget's token stands for."""

from __future__ import annotations

import hashlib

from django.db import models
from django.db.models import Q


def token_digest(token: str) -> str:
    """Only the SHA-256 of a session token is stored: a database dump opens no chats."""
    return hashlib.sha256(token.encode()).hexdigest()


class VisitorSession(models.Model):
    # Imported by channels_ingest/models.py; the label keeps it in the channels_ingest app.
    account = models.ForeignKey(
        "channels_ingest.ChannelAccount", on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    visitor_id = models.CharField(
        max_length=100, db_index=True, help_text="The visitor's identity address."
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # Where the visitor is, as the widget last reported it, and their browser.
    page_url = models.CharField(max_length=2000, blank=True)
    page_title = models.CharField(max_length=300, blank=True)
    referrer = models.CharField(max_length=2000, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    # Sockets open now; with last_seen_at it tells "delivered" from "sent".
    open_sockets = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "channels_ingest"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["account", "visitor_id"],
                condition=Q(ended_at__isnull=True),
                name="visitor_session_live_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name or self.visitor_id} on {self.account_id}"

    @property
    def is_live(self) -> bool:
        return self.ended_at is None


class VisitorUpload(models.Model):
    """Whose upload an attachment is, when a visitor sent it: the widget has no user row.

    Only the session that uploaded a file may attach it to a message.
    """

    attachment = models.OneToOneField(
        "inbox.Attachment", on_delete=models.CASCADE, related_name="visitor_upload"
    )
    session = models.ForeignKey(VisitorSession, on_delete=models.CASCADE, related_name="uploads")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "channels_ingest"

    def __str__(self) -> str:
        return f"{self.attachment_id} by session {self.session_id}"
