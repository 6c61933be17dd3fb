"""Language tags of templates: well-formed BCP 47, stored in canonical case."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# RFC 5646 "langtag" without extensions and private use: language, script,
# region, variants. The language is an ISO 639 code (2-3 letters, up to three
# extlang subtags); the 5-8 letter form is well-formed but no such language is
# registered, and accepting it would let "english" through.
_LANGTAG_RE = re.compile(
    r"""^
    (?P<language>[a-z]{2,3}(?:-[a-z]{3}){0,3})
    (?:-(?P<script>[a-z]{4}))?
    (?:-(?P<region>[a-z]{2}|\d{3}))?
    (?P<variants>(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*)
    $""",
    re.IGNORECASE | re.VERBOSE,
)


def normalize_language(tag: str) -> str:
    """Canonical case of a BCP 47 tag ("PT-br" -> "pt-BR", "zh-hant" -> "zh-Hant").

    Raises ValidationError for anything that is not a well-formed tag.
    """
    cleaned = (tag or "").strip().replace("_", "-")
    match = _LANGTAG_RE.match(cleaned)
    if not match:
        raise ValidationError(
            f'"{tag}" is not a language code: use a BCP 47 tag such as "en", "de" or "pt-BR".',
            code="language",
        )
    parts = [match.group("language").lower()]
    if match.group("script"):
        parts.append(match.group("script").title())
    if match.group("region"):
        parts.append(match.group("region").upper())
    parts.extend(v.lower() for v in match.group("variants").split("-") if v)
    return "-".join(parts)


def validate_language(tag: str) -> None:
    normalize_language(tag)
