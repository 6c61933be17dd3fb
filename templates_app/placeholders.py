"""Placeholders in template bodies: a fixed whitelist, checked on save, filled on insert.

No template engine ever sees a body: the bodies are written in admin and the
API, and Django's engine would give their authors tags, filters and access to
whatever object is in the context. A regular expression over a whitelist does
all a quick response needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Protocol

from django.core.exceptions import ValidationError


class Agent(Protocol):
    """What rendering reads from the replying agent (a chatdesk User)."""

    username: str
    first_name: str
    extension: str | None

    def get_full_name(self) -> str: ...


def _first_word(text: str) -> str:
    return text.split()[0] if text.split() else ""


# What a customer is called when nobody knows their name: "Hi {{ contact.first_name }},"
# reads "Hi there,". Never a word of a stand-in title ("Website visitor" -> "Hi Website,").
NAME_FALLBACK = "there"

# Titles that stand in for a name: channels and the desk give them to nameless senders.
_STAND_IN_WORDS = {
    "anonymous", "client", "customer", "guest", "unknown", "user", "visitor", "website",
    "web", "chat", "live", "livechat", "sms", "whatsapp", "messenger", "facebook", "contact",
}  # fmt: skip
_NOT_A_NAME_RE = re.compile(r"[@\d]|^visitor-", re.I)


def personal_name(name: str | None) -> str:
    """`name` when it is a person's name, "" when it is a stand-in title, an address,
    a phone number or an id (a visitor with no name, a sender known by number)."""
    name = (name or "").strip()
    if not name or _NOT_A_NAME_RE.search(name):
        return ""
    words = re.findall(r"[^\W\d_]+", name.lower())
    if not words or all(word in _STAND_IN_WORDS for word in words):
        return ""
    return name


def _agent_name(agent: Agent) -> str:
    return agent.get_full_name() or agent.username


# name -> how to compute it from (contact name, agent)
PLACEHOLDERS: dict[str, Callable[[str, Agent], str]] = {
    "contact.name": lambda contact_name, agent: contact_name,
    "contact.first_name": lambda contact_name, agent: _first_word(contact_name),
    "agent.name": lambda contact_name, agent: _agent_name(agent),
    "agent.first_name": lambda contact_name, agent: agent.first_name or _agent_name(agent),
    "agent.extension": lambda contact_name, agent: agent.extension or "",
}

# `{{ name }}` with any spaces inside the braces; group 1 is the name.
PLACEHOLDER_RE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
# An empty value takes the spaces before it along, so "Hi {{ contact.first_name }},"
# becomes "Hi," rather than "Hi ," for a customer whose name nobody knows.
_RENDER_RE = re.compile(r"(?P<lead>[ \t]*)\{\{\s*(?P<name>[^{}]*?)\s*\}\}")


def placeholder_errors(body: str) -> list[str]:
    """Human-readable problems with the placeholders of a body; empty when fine."""
    errors = []
    allowed = ", ".join(f"{{{{ {name} }}}}" for name in PLACEHOLDERS)
    for match in PLACEHOLDER_RE.finditer(body):
        name = match.group(1)
        if name not in PLACEHOLDERS:
            errors.append(f"Unknown placeholder {match.group(0)}. Allowed: {allowed}.")
    leftover = PLACEHOLDER_RE.sub("", body)
    if "{{" in leftover or "}}" in leftover:
        errors.append("A placeholder is not closed: write it as {{ contact.name }}.")
    return errors


def validate_placeholders(body: str) -> None:
    """Model and serializer validator: refuse unknown placeholders when saving."""
    errors = placeholder_errors(body)
    if errors:
        raise ValidationError(errors, code="placeholder")


def render_template(body: str, *, contact_name: str | None, agent: Agent) -> str:
    """The body with every placeholder filled; a contact without a (real) name is
    called "there" (`NAME_FALLBACK`)."""
    contact = personal_name(contact_name) or NAME_FALLBACK

    def fill(match: re.Match[str]) -> str:
        compute = PLACEHOLDERS.get(match.group("name"))
        if compute is None:
            # Saved bodies are validated; anything else is left for a human to see.
            return match.group(0)
        value = compute(contact, agent)
        return match.group("lead") + value if value else ""

    return _RENDER_RE.sub(fill, body)
