"""State changes of quick-response templates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F

from templates_app.csv_io import CsvImportError, CsvRow
from templates_app.languages import normalize_language
from templates_app.models import Category, QuickTemplate

_EDITABLE = ("title", "body", "category", "language", "queue", "shortcut")


def category_resolve(*, name: str | None) -> Category | None:
    """The category called `name` (created on first use); None for no category."""
    cleaned = (name or "").strip()
    if not cleaned:
        return None
    existing = Category.objects.filter(name__iexact=cleaned).first()
    return existing or Category.objects.create(name=cleaned)


@transaction.atomic
def template_create(
    *,
    created_by: AbstractBaseUser | None,
    title: str,
    body: str,
    category: str | None = None,
    language: str = "en",
    queue: Any = None,
    shortcut: str | None = None,
) -> QuickTemplate:
    template = QuickTemplate(
        title=title,
        shortcut=shortcut,
        body=body,
        category=category_resolve(name=category),
        language=language,
        queue=queue,
        created_by=created_by,
    )
    # full_clean: placeholders, language and the per-scope title uniqueness.
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def template_update(*, template: QuickTemplate, changes: Mapping[str, Any]) -> QuickTemplate:
    """Apply `changes` (any of title, body, category name, language, queue, shortcut)."""
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        if field == "category":
            value = category_resolve(name=value)
        setattr(template, field, value)
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def template_delete(*, template: QuickTemplate) -> None:
    template.delete()


@transaction.atomic
def template_use(*, template: QuickTemplate) -> None:
    """Count one insertion into a reply; F() so that simultaneous uses all count."""
    QuickTemplate.objects.filter(pk=template.pk).update(usage_count=F("usage_count") + 1)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


@transaction.atomic
def templates_import(
    *, rows: Iterable[CsvRow], created_by: AbstractBaseUser | None
) -> ImportResult:
    """Create or update (by title, language and queue) every row, or none of them.

    Every row is checked and every problem reported with its line; any problem
    raises CsvImportError, which rolls the whole transaction back.
    """
    queues = _queues_by_name()
    errors: list[str] = []
    seen: dict[tuple, int] = {}
    created = updated = 0
    for row in rows:
        try:
            template, is_new = _import_row(row, queues=queues, created_by=created_by)
        except ValidationError as error:
            errors.append(f"Line {row.line}: {_describe(error)}")
            continue
        key = (template.title, template.language, template.queue_id)
        if key in seen:
            errors.append(f"Line {row.line}: the same template as line {seen[key]}.")
            continue
        seen[key] = row.line
        created, updated = created + is_new, updated + (not is_new)
    if errors:
        raise CsvImportError(errors)
    return ImportResult(created=created, updated=updated)


def _queues_by_name() -> dict[str, Any]:
    # The queue model through the foreign key: templates_app does not import queues.
    queue_model = QuickTemplate._meta.get_field("queue").related_model
    return {queue.name.casefold(): queue for queue in queue_model.objects.all()}


def _import_row(
    row: CsvRow, *, queues: dict[str, Any], created_by: AbstractBaseUser | None
) -> tuple[QuickTemplate, bool]:
    queue = None
    if row.queue:
        queue = queues.get(row.queue.casefold())
        if queue is None:
            raise ValidationError({"queue": f'There is no queue named "{row.queue}".'})
    language = normalize_language(row.language)
    template = QuickTemplate.objects.filter(title=row.title, language=language, queue=queue).first()
    is_new = template is None
    if is_new:
        template = QuickTemplate(created_by=created_by, queue=queue, title=row.title)
    template.body = row.body
    template.language = language
    template.category = category_resolve(name=row.category)
    if row.shortcut is not None:  # a file without the column keeps the codes as they are
        template.shortcut = row.shortcut or None
    template.full_clean()
    template.save()
    return template, is_new


def _describe(error: ValidationError) -> str:
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    parts = []
    for field, messages in error.message_dict.items():
        text = " ".join(messages)
        parts.append(text if field == NON_FIELD_ERRORS else f"{field}: {text}")
    return "; ".join(parts)
