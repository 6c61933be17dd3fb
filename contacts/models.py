"""People who write to the desk, and the addresses they write from."""

from __future__ import annotations

from django.conf import settings
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


class ErasureRecord(models.Model):
    """That a contact was erased, by whom and when: the audit trail of an erasure.

    It keeps no content: no name, address or message, only the erased contact's id
    (no foreign key: the row is gone) and how much went with it.
    """

    contact_id = models.BigIntegerField(db_index=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as well as the link, so the record still says who if the account is deleted.
    erased_by_username = models.CharField(max_length=150)
    erased_at = models.DateTimeField(auto_now_add=True, db_index=True)
    identities = models.PositiveIntegerField(default=0)
    conversations = models.PositiveIntegerField(default=0)
    messages = models.PositiveIntegerField(default=0)
    files = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-erased_at", "-id"]

    def __str__(self) -> str:
        return f"Contact {self.contact_id} erased by {self.erased_by_username}"
