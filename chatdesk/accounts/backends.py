"""A system owner may do everything, like a superuser (docs/api.md: Authentication and roles).

Role groups get their permissions from a table at migration time; without
this backend a model added later would be closed to system owners until a
migration re-synced the groups.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from chatdesk.accounts.models import Role


class RoleBackend(ModelBackend):
    def has_perm(self, user_obj, perm: str, obj: object = None) -> bool:
        if user_obj.is_active and getattr(user_obj, "role", None) == Role.SYSTEM_OWNER:
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        if user_obj.is_active and getattr(user_obj, "role", None) == Role.SYSTEM_OWNER:
            return True
        return super().has_module_perms(user_obj, app_label)
