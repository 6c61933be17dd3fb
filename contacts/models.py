"""People who write to the desk, and the addresses they write from."""

from __future__ import annotations

from django.db import models


class ChannelKind(models.TextChoices):
    LIVECHAT = "livechat", "Live chat"
    WHATSAPP = "whatsapp", "WhatsApp"
    MESSENGER = "messenger", "Facebook Messenger"
    SMS = "sms", "SMS/MMS"


class Contact(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=16, blank=True, help_text="E.164, e.g. +14155550123")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        # Inbound WhatsApp/SMS senders are matched to contacts by phone.
        indexes = [models.Index(fields=["phone"], name="contact_phone_idx")]

    def __str__(self) -> str:
        return self.name


class Identity(models.Model):
    """An address on one channel: a WhatsApp wa_id, a PSID, a phone, a visitor id.

    A conversation belongs to an identity; the identity may not be tied to a
    contact yet ("unknown sender"), which is what the Add contact prompt is for.
    """

    kind = models.CharField(max_length=20, choices=ChannelKind.choices)
    address = models.CharField(max_length=200)
    display_name = models.CharField(max_length=200, blank=True)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="identities"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "identities"
        constraints = [
            models.UniqueConstraint(fields=["kind", "address"], name="identity_unique_address")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.address}"
