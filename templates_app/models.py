"""Quick-response templates agents insert into replies, grouped in categories."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from templates_app.languages import normalize_language, validate_language
from templates_app.placeholders import validate_placeholders
from templates_app.shortcuts import normalize_shortcut, validate_shortcut


class Category(models.Model):
    """A tab of the template picker."""

    name = models.CharField(max_length=60, unique=True)
    position = models.PositiveIntegerField(default=0, help_text="Tabs are shown by position.")

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class QuickTemplate(models.Model):
    title = models.CharField(max_length=120)
    body = models.TextField(
        validators=[validate_placeholders],
        help_text=(
            "Placeholders: {{ contact.name }}, {{ contact.first_name }}, {{ agent.name }}, "
            "{{ agent.first_name }}, {{ agent.extension }}."
        ),
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="templates"
    )
    language = models.CharField(
        max_length=35,
        default="en",
        db_index=True,
        validators=[validate_language],
        help_text='BCP 47 language tag, such as "en", "de" or "pt-BR".',
    )
    # A string reference: queues is a sibling app that templates_app must not import.
    # Deleting a queue deletes its templates rather than widening them to everyone.
    queue = models.ForeignKey(
        "queues.Queue",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quick_templates",
        help_text="Empty: every agent sees it. Otherwise only that queue's members.",
    )
    # Typed after "/" in the reply box to pick this template first; NULL: none, so
    # any number of templates may go without one while a set code stays unique.
    shortcut = models.CharField(
        max_length=32,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_shortcut],
        help_text='Optional code typed after "/" in a reply, such as "thanks" or "refund-eu": '
        "lowercase letters, digits, - and _.",
        error_messages={"unique": "Another template already has this shortcut."},
    )
    usage_count = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-usage_count", "title", "id"]
        # Title and language name a template within its scope; CSV import updates by them.
        constraints = [
            models.UniqueConstraint(
                fields=["title", "language"],
                condition=Q(queue__isnull=True),
                name="quicktemplate_unique_global_title",
                violation_error_message="A template for every queue with this title and "
                "language already exists.",
            ),
            models.UniqueConstraint(
                fields=["title", "language", "queue"],
                condition=Q(queue__isnull=False),
                name="quicktemplate_unique_queue_title",
                violation_error_message="A template of this queue with this title and "
                "language already exists.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    def clean(self) -> None:
        # Runs after the field validators; a malformed tag is already reported by them.
        with contextlib.suppress(ValidationError):
            self.language = normalize_language(self.language)
        self.shortcut = normalize_shortcut(self.shortcut)
