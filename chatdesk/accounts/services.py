"""State changes of agents: their role, settings and presence."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from chatdesk.accounts.models import AgentSettings, Role, User


@transaction.atomic
def role_assign(*, user: User, role: str) -> User:
    """Give a user a role: its group, its permissions and (for supervisors) admin access."""
    user.role = Role(role)
    # User.save keeps the role group and is_staff in step with the role.
    user.save(update_fields=["role"])
    return user


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
