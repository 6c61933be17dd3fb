"""Users of the desk: agents, managers, group owners and system owners."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models, transaction


class Role(models.TextChoices):
    AGENT = "agent", "Agent"
    MANAGER = "manager", "Manager"
    GROUP_OWNER = "group_owner", "Group owner"
    SYSTEM_OWNER = "system_owner", "System owner"


class Presence(models.TextChoices):
    AVAILABLE = "available", "Available"
    AWAY = "away", "Away"
    OFFLINE = "offline", "Offline"


extension_validator = RegexValidator(r"^\d{1,10}$", "An extension is 1 to 10 digits.")


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AGENT)
    extension = models.CharField(
        max_length=10,
        unique=True,
        null=True,
        blank=True,
        validators=[extension_validator],
        help_text="Internal number agents and routing use to reach this person.",
    )
    status = models.CharField(
        max_length=10, choices=Presence.choices, default=Presence.OFFLINE, db_index=True
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    max_chats = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Personal limit of open chats; empty means the queue's limit applies.",
    )

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        name = self.get_full_name() or self.username
        return f"{name} ({self.extension})" if self.extension else name

    def save(self, *args, **kwargs) -> None:
        # Deferred import: roles.py builds on this module (Role, User).
        from chatdesk.accounts import roles

        update_fields = kwargs.get("update_fields")
        if update_fields is not None and not {"role", "is_superuser"} & set(update_fields):
            # Presence and other frequent saves leave the role, its group and staff alone.
            super().save(*args, **kwargs)
            return
        # Admin access follows the role (agents have none), so it is derived, not edited.
        self.is_staff = roles.is_staff_role(self.effective_role)
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "is_staff"}
        # One transaction: a user is never stored with a role but another role's group.
        with transaction.atomic():
            super().save(*args, **kwargs)
            roles.user_role_sync(self)

    @property
    def effective_role(self) -> str:
        """A Django superuser is a system owner whatever the stored role says."""
        return Role.SYSTEM_OWNER if self.is_superuser else self.role

    @property
    def is_supervisor(self) -> bool:
        """Managers and owners see every conversation."""
        return self.effective_role in {Role.MANAGER, Role.GROUP_OWNER, Role.SYSTEM_OWNER}


class AgentSettings(models.Model):
    """Per-agent notification preferences (docs/api.md)."""

    class Sound(models.TextChoices):
        CHIME = "chime", "Chime"
        BELL = "bell", "Bell"
        POP = "pop", "Pop"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="chat_settings")
    show_toaster = models.BooleanField(default=True)
    web_notifications = models.BooleanField(default=True)
    play_sound = models.BooleanField(default=True)
    sound = models.CharField(max_length=20, choices=Sound.choices, default=Sound.CHIME)

    class Meta:
        verbose_name_plural = "agent settings"

    def __str__(self) -> str:
        return f"Settings of {self.user}"
