"""WhatsApp message templates: what may be sent to a customer outside the 24-hour window.

A template is created and approved at Meta (WhatsApp Manager); the desk keeps its name,
language and body so agents can fill its `{{1}}`, `{{2}}` placeholders and see what the
customer will read. Meta's status webhooks keep `status` current (meta_updates.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
VARIABLE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
# A template's body holds at most this many characters at Meta: no value can be longer.
PARAMETER_LIMIT = 1024


class WhatsAppTemplate(models.Model):
    class Status(models.TextChoices):
        APPROVED = "APPROVED", "Approved"
        PENDING = "PENDING", "Pending review"
        REJECTED = "REJECTED", "Rejected"
        PAUSED = "PAUSED", "Paused"
        DISABLED = "DISABLED", "Disabled"
        FLAGGED = "FLAGGED", "Flagged"
        IN_APPEAL = "IN_APPEAL", "In appeal"
        PENDING_DELETION = "PENDING_DELETION", "Pending deletion"
        DELETED = "DELETED", "Deleted"
        ARCHIVED = "ARCHIVED", "Archived"
        LIMIT_EXCEEDED = "LIMIT_EXCEEDED", "Limit exceeded"
        LOCKED = "LOCKED", "Locked"

    class Category(models.TextChoices):
        UTILITY = "UTILITY", "Utility"
        MARKETING = "MARKETING", "Marketing"
        AUTHENTICATION = "AUTHENTICATION", "Authentication"

    account = models.ForeignKey(
        "channels_ingest.ChannelAccount", on_delete=models.CASCADE, related_name="wa_templates"
    )
    name = models.CharField(
        max_length=512,
        validators=[
            RegexValidator(
                r"^[a-z0-9_]+$",
                "Use the template's name as in WhatsApp Manager: lowercase letters, digits, _.",
            )
        ],
    )
    language = models.CharField(max_length=15, help_text="Meta's language code, e.g. en_US.")
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.UTILITY)
    body = models.TextField(help_text="The body as approved, with {{1}}, {{2}}... placeholders.")
    variables = models.JSONField(
        default=list,
        blank=True,
        help_text='Names of the placeholders in order, e.g. ["customer_name", "order_id"].',
    )
    # Meta's word, kept as given: its webhooks may name statuses this list does not know.
    status = models.CharField(max_length=30, default=Status.APPROVED)
    status_reason = models.CharField(max_length=200, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "name", "language"], name="wa_template_unique"
            )
        ]
        verbose_name = "WhatsApp template"

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"

    def clean(self) -> None:
        errors = template_problems(
            account_kind=getattr(self.account, "kind", None) if self.account_id else None,
            body=self.body,
            variables=self.variables,
        )
        if errors:
            raise ValidationError(errors)

    def render(self, values: Mapping[str, str]) -> tuple[str, list[str]]:
        """(the text the customer reads, the body parameters in order); the values by name."""
        return render(self.body, self.variables, values)


def placeholders(body: str) -> list[int]:
    """The distinct placeholder numbers of a body, ascending."""
    return sorted({int(number) for number in PLACEHOLDER.findall(body)})


def template_problems(*, account_kind: str | None, body: str, variables: object) -> dict[str, str]:
    """Field -> what is wrong with a template; {} when it can be saved."""
    errors: dict[str, str] = {}
    if account_kind is not None and account_kind != "whatsapp":
        errors["account"] = "Templates belong to a WhatsApp account."
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        errors["variables"] = "Give the placeholders' names as a list of strings."
        return errors
    numbers = placeholders(body)
    if numbers and numbers != list(range(1, len(numbers) + 1)):
        missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
        errors["body"] = (
            "Placeholders must run {{1}}, {{2}}... without gaps; missing: "
            + ", ".join(f"{{{{{n}}}}}" for n in missing)
            + "."
        )
    highest = max(numbers, default=0)
    if len(variables) != highest:
        errors["variables"] = (
            f"The body has {highest} placeholder(s) but {len(variables)} variable name(s); "
            "name each placeholder once, in order."
        )
    elif len(set(variables)) != len(variables):
        errors["variables"] = "Each variable needs its own name."
    elif bad := [v for v in variables if not VARIABLE_NAME.match(v)]:
        errors["variables"] = (
            f"Invalid name(s): {', '.join(bad)}; use lowercase letters, digits and _."
        )
    return errors


def render(body: str, variables: list[str], values: Mapping[str, str]) -> tuple[str, list[str]]:
    """Fill the placeholders; ValueError naming the variables without a value."""
    missing = [name for name in variables if not str(values.get(name) or "").strip()]
    if missing:
        raise ValueError(f"Fill in: {', '.join(missing)}.")
    too_long = [name for name in variables if len(str(values[name])) > PARAMETER_LIMIT]
    if too_long:
        raise ValueError(
            f"At most {PARAMETER_LIMIT} characters per variable: {', '.join(too_long)}."
        )
    parameters = [str(values[name]) for name in variables]
    text = PLACEHOLDER.sub(lambda match: parameters[int(match.group(1)) - 1], body)
    return text, parameters


def render_for_reply(
    template_id: int, values: dict, channel_account_id: int | None
) -> tuple[str, dict]:
    """inbox's template port: (the rendered text, what the outbox sends) for a chat on
    `channel_account_id`, or the inbox error saying why it cannot go."""
    from chatdesk.inbox.errors import InvalidInput, TemplateNotApproved

    template = WhatsAppTemplate.objects.filter(pk=template_id).first()
    if template is None or template.account_id != channel_account_id:
        raise InvalidInput("No such template for this chat's WhatsApp number.")
    if template.status != WhatsAppTemplate.Status.APPROVED:
        raise TemplateNotApproved(
            f"The template {template.name} is {template.status.lower()} at WhatsApp; "
            "only approved templates can be sent."
        )
    unknown = sorted(set(values) - set(template.variables))
    if unknown:
        raise InvalidInput(f"The template has no variable(s): {', '.join(unknown)}.")
    try:
        text, parameters = template.render(values)
    except ValueError as error:
        raise InvalidInput(str(error)) from error
    return text, {
        "id": template.pk,
        "name": template.name,
        "language": template.language,
        "parameters": parameters,
    }
