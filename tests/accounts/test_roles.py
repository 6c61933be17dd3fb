"""Roles are Django groups with real permissions, kept in step with User.role."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from chatdesk.accounts import roles
from chatdesk.accounts.models import Presence, Role, User
from chatdesk.accounts.services import role_assign
from tests.factories import UserFactory

TEMPLATE_WRITES = [
    "templates_app.add_quicktemplate",
    "templates_app.change_quicktemplate",
    "templates_app.delete_quicktemplate",
]


def _role_groups(user: User) -> list[str]:
    return sorted(
        user.groups.filter(name__in=roles.GROUP_NAMES.values()).values_list("name", flat=True)
    )


@pytest.mark.django_db
def test_the_migration_created_the_four_groups_with_permissions():
    groups = {group.name: group for group in Group.objects.all()}
    assert set(roles.GROUP_NAMES.values()) <= set(groups)

    def codenames(name: str) -> set[str]:
        return set(groups[name].permissions.values_list("codename", flat=True))

    assert {"view_quicktemplate", "view_category"} <= codenames("Agent")
    assert "add_quicktemplate" not in codenames("Agent")
    assert {"add_quicktemplate", "delete_quicktemplate", "view_queue"} <= codenames("Manager")
    assert codenames("Group owner") == codenames("Manager")
    assert not {"view_channelaccount", "change_queue", "change_user"} & codenames("Manager")
    assert {"add_channelaccount", "change_queue", "change_user"} <= codenames("System owner")


@pytest.mark.django_db
def test_a_new_user_is_an_agent_without_admin():
    user = UserFactory(username="newbie")
    assert _role_groups(user) == ["Agent"]
    assert not user.is_staff
    assert user.has_perm("templates_app.view_quicktemplate")
    assert not any(user.has_perm(perm) for perm in TEMPLATE_WRITES)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "group", "staff"),
    [
        (Role.AGENT, "Agent", False),
        (Role.MANAGER, "Manager", True),
        (Role.GROUP_OWNER, "Group owner", True),
        (Role.SYSTEM_OWNER, "System owner", True),
    ],
)
def test_role_assign_moves_the_user_to_the_roles_group(role, group, staff):
    user = UserFactory(username="mover", role=Role.MANAGER)
    assert user.has_perm("templates_app.add_quicktemplate")  # fills the permission cache
    role_assign(user=user, role=role)
    user.refresh_from_db()
    assert _role_groups(user) == [group]
    assert user.is_staff is staff
    assert user.has_perm("templates_app.add_quicktemplate") is staff


@pytest.mark.django_db
def test_role_assign_forgets_the_cached_permissions_of_the_instance():
    user = UserFactory(username="demoted", role=Role.MANAGER)
    assert user.has_perm("templates_app.add_quicktemplate")
    role_assign(user=user, role=Role.AGENT)
    assert not user.has_perm("templates_app.add_quicktemplate")


@pytest.mark.django_db
def test_role_assign_refuses_an_unknown_role():
    user = UserFactory(username="typo")
    with pytest.raises(ValueError):
        role_assign(user=user, role="boss")


@pytest.mark.django_db
def test_a_superuser_is_a_system_owner_whatever_the_stored_role():
    user = User.objects.create_superuser("root", "root@example.com", "x-Pass-123456")
    assert user.role == Role.AGENT
    assert user.effective_role == Role.SYSTEM_OWNER
    assert _role_groups(user) == ["System owner"]
    assert user.is_staff


@pytest.mark.django_db
def test_other_groups_of_a_user_are_kept():
    night_shift = Group.objects.create(name="Night shift")
    user = UserFactory(username="owl")
    user.groups.add(night_shift)
    role_assign(user=user, role=Role.MANAGER)
    assert sorted(user.groups.values_list("name", flat=True)) == ["Manager", "Night shift"]


@pytest.mark.django_db
def test_saving_other_fields_does_not_touch_groups(django_assert_num_queries):
    user = UserFactory(username="busy")
    user.status = Presence.AWAY
    with django_assert_num_queries(1):
        user.save(update_fields=["status"])


@pytest.mark.django_db
def test_a_missing_role_group_comes_back_with_its_permissions():
    Group.objects.filter(name="Manager").delete()
    user = UserFactory(username="rebuilt", role=Role.MANAGER)
    assert _role_groups(user) == ["Manager"]
    assert user.has_perm("templates_app.change_quicktemplate")


@pytest.mark.django_db
def test_role_groups_sync_is_idempotent_and_restores_the_table():
    manager = Group.objects.get(name="Manager")
    manager.permissions.clear()
    roles.role_groups_sync()
    roles.role_groups_sync()
    assert Group.objects.filter(name__in=roles.GROUP_NAMES.values()).count() == 4
    assert manager.permissions.filter(codename="add_quicktemplate").exists()


@pytest.mark.django_db
def test_the_migration_places_users_that_existed_before_it():
    migration = importlib.import_module("chatdesk.accounts.migrations.0002_roles")
    agent = UserFactory(username="old-agent")
    boss = UserFactory(username="old-boss", role=Role.GROUP_OWNER)
    for user in (agent, boss):
        user.groups.clear()
    User.objects.update(is_staff=False)
    migration.place_existing_users(apps)
    boss.refresh_from_db()
    assert (_role_groups(agent), _role_groups(boss)) == (["Agent"], ["Group owner"])
    assert boss.is_staff
