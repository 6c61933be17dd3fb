"""State changes of agents: their settings and presence."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from chatdesk.accounts.models import AgentSettings, User


def agent_settings_get(*, user: User) -> AgentSettings:
    settings, _ = AgentSettings.objects.get_or_create(user=user)
    return settings


@transaction.atomic
def agent_settings_update(*, user: User, changes: dict[str, Any]) -> AgentSettings:
    settings = agent_settings_get(user=user)
    for field, value in changes.items():
        setattr(settings, field, value)
    settings.save(update_fields=list(changes))
    return settings
