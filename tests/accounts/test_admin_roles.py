"""The user admin: the role decides the group and admin access, not the form."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from chatdesk.accounts.models import Role, User
from tests.factories import UserFactory


def _change_form(user: User, **fields) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "role": user.role,
        "status": user.status,
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "groups": [],
        "user_permissions": [],
        **fields,
    }
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def owner_client(client):
    # A system owner by role, not a superuser: the group's permissions must suffice.
    client.force_login(UserFactory(username="owner", role=Role.SYSTEM_OWNER))
    return client


@pytest.mark.django_db
def test_a_system_owner_changes_a_role_in_admin(owner_client):
    alice = UserFactory(username="alice-admin")
    page = owner_client.get(f"/admin/accounts/user/{alice.pk}/change/")
    assert page.status_code == 200
    night_shift = Group.objects.create(name="Night shift")
    response = owner_client.post(
        f"/admin/accounts/user/{alice.pk}/change/",
        _change_form(alice, role=Role.MANAGER, groups=[night_shift.pk], is_staff=None),
    )
    assert response.status_code == 302, response.context["adminform"].errors
    alice.refresh_from_db()
    # The form submitted only "Night shift"; the role group is added back after it.
    assert sorted(alice.groups.values_list("name", flat=True)) == ["Manager", "Night shift"]
    assert alice.is_staff


@pytest.mark.django_db
def test_staff_status_cannot_be_given_to_an_agent_by_hand(owner_client):
    bob = UserFactory(username="bob-admin")
    owner_client.post(f"/admin/accounts/user/{bob.pk}/change/", _change_form(bob, is_staff="on"))
    bob.refresh_from_db()
    assert not bob.is_staff


@pytest.mark.django_db
def test_a_manager_reads_agents_but_cannot_change_them(client):
    client.force_login(UserFactory(username="mgr", role=Role.MANAGER))
    agent = UserFactory(username="agent-x")
    assert client.get("/admin/accounts/user/").status_code == 200
    response = client.post(
        f"/admin/accounts/user/{agent.pk}/change/", _change_form(agent, role=Role.SYSTEM_OWNER)
    )
    assert response.status_code == 403
    agent.refresh_from_db()
    assert agent.role == Role.AGENT


@pytest.mark.django_db
def test_an_agent_cannot_open_admin(client):
    client.force_login(UserFactory(username="agent-y"))
    assert client.get("/admin/").status_code == 302
