"""DRF permission classes shared by every app's API.

They ask Django's permission system (the role groups of `roles.py`), so the
API, admin and UI agree on who may do what.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from chatdesk.accounts.models import Role

_WRITE_ACTIONS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}


def _signed_in(request: Request) -> bool:
    return bool(request.user and request.user.is_authenticated)


class WriteNeedsModelPermission(BasePermission):
    """Reads for every signed-in user; writes need `<app_label>.<action>_<model_name>`.

    Subclass it per model. Unlike DRF's DjangoModelPermissions it does not read
    the view's queryset, so custom actions and non-model views can use it too.
    """

    app_label = ""
    model_name = ""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not _signed_in(request):
            return False
        if request.method in SAFE_METHODS:
            return True
        action = _WRITE_ACTIONS.get(request.method or "")
        return bool(action) and request.user.has_perm(
            f"{self.app_label}.{action}_{self.model_name}"
        )


class CanEditTemplates(WriteNeedsModelPermission):
    """Quick-response templates: managers, group owners and system owners write (docs/api.md)."""

    app_label = "templates_app"
    model_name = "quicktemplate"


class IsSupervisor(BasePermission):
    """Managers, group owners and system owners."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return _signed_in(request) and request.user.is_supervisor


class IsSystemOwner(BasePermission):
    """Agents, queues and channel accounts are the system owner's (docs/api.md)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return _signed_in(request) and request.user.effective_role == Role.SYSTEM_OWNER


class CanEditLabels(WriteNeedsModelPermission):
    """Conversation labels: managers, group owners and system owners write (docs/api.md)."""

    app_label = "inbox"
    model_name = "label"
