"""The shared DRF permission classes ask the roles' real permissions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from chatdesk.accounts.models import Role
from chatdesk.accounts.permissions import CanEditTemplates, IsSupervisor, IsSystemOwner
from tests.factories import UserFactory

ROLES = [Role.AGENT, Role.MANAGER, Role.GROUP_OWNER, Role.SYSTEM_OWNER]


def _allowed(permission, user, method: str = "get") -> bool:
    request = Request(getattr(APIRequestFactory(), method)("/"))
    request.user = user
    return permission().has_permission(request, view=None)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["get", "head", "options", "post", "put", "patch", "delete"])
def test_can_edit_templates(role, method):
    user = UserFactory(username=f"p-{role}", role=role)
    expected = method in {"get", "head", "options"} or role != Role.AGENT
    assert _allowed(CanEditTemplates, user, method) is expected


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_supervisor_and_system_owner(role):
    user = UserFactory(username=f"s-{role}", role=role)
    assert _allowed(IsSupervisor, user) is (role != Role.AGENT)
    assert _allowed(IsSystemOwner, user) is (role == Role.SYSTEM_OWNER)


@pytest.mark.django_db
def test_a_superuser_passes_everything():
    root = UserFactory(username="root", is_superuser=True)
    assert all(
        _allowed(cls, root, "delete") for cls in (CanEditTemplates, IsSupervisor, IsSystemOwner)
    )


@pytest.mark.parametrize("permission", [CanEditTemplates, IsSupervisor, IsSystemOwner])
def test_anonymous_users_pass_nothing(permission):
    assert not _allowed(permission, AnonymousUser())
