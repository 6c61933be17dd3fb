"""Template shortcut codes: what an agent types after "/" to find a template first."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

SHORTCUT_MAX = 32
_SHAPE = re.compile(r"[a-z0-9][a-z0-9_-]*")


def normalize_shortcut(value: str | None) -> str | None:
    """Trimmed and lowercased; empty means no shortcut (None), so it never collides."""
    cleaned = (value or "").strip().lower()
    return cleaned or None


def validate_shortcut(value: str | None) -> None:
    code = normalize_shortcut(value)
    if code is None:
        return
    if len(code) > SHORTCUT_MAX:
        raise ValidationError(f"A shortcut has at most {SHORTCUT_MAX} characters.")
    if not _SHAPE.fullmatch(code):
        raise ValidationError(
            "A shortcut is letters a-z, digits, - and _ only, starting with a letter or digit "
            '(no spaces and no "/").'
        )
