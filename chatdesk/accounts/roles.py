"""Roles as Django groups with real permissions.

Each role is one group. What a role may do is declared once, in
`ROLE_PERMISSIONS`, as "app_label.codename" strings (string names keep this
module free of imports from the apps above accounts). The admin, the API
(`chatdesk.accounts.permissions`) and the UI ask `user.has_perm(...)`, so the
group is the single source of truth.

A user's role group (and `is_staff`) follows `User.role` on every save; a
superuser is a system owner whatever the stored role says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

from chatdesk.accounts.models import Role

if TYPE_CHECKING:
    from django.apps.registry import Apps

    from chatdesk.accounts.models import User

GROUP_NAMES: dict[str, str] = {
    Role.AGENT: "Agent",
    Role.MANAGER: "Manager",
    Role.GROUP_OWNER: "Group owner",
    Role.SYSTEM_OWNER: "System owner",
}

# Roles that work in Django admin: the "control room" is for supervisors only.
STAFF_ROLES = frozenset({Role.MANAGER, Role.GROUP_OWNER, Role.SYSTEM_OWNER})

# The system owner holds every permission there is (see `role_permissions`).
ALL_PERMISSIONS = "*"


_ACTIONS = ("view", "add", "change", "delete")


def _crud(app_label: str, *models: str) -> set[str]:
    return {f"{app_label}.{action}_{model}" for model in models for action in _ACTIONS}


def _view(app_label: str, *models: str) -> set[str]:
    return {f"{app_label}.view_{model}" for model in models}


_AGENT = {
    *_view("templates_app", "quicktemplate", "category"),
    *_view("queues", "businesshours", "openingwindow", "holiday"),
    # Agents add the unknown customer of a chat as a contact and correct it.
    "contacts.view_contact",
    "contacts.add_contact",
    "contacts.change_contact",
    # Labels: every agent reads them (and puts them on chats); supervisors keep the list.
    "inbox.view_label",
}

# Managers run templates and contacts and read the desk's activity; they never
# see queues' or channel accounts' configuration beyond reading queues, and
# channel accounts (which hold provider secrets) not at all.
_MANAGER = {
    *_AGENT,
    *_crud("templates_app", "quicktemplate", "category"),
    *_crud("contacts", "contact", "identity"),
    *_view("accounts", "user"),
    *_view("queues", "queue", "queuemember"),
    # When queues are open: supervisors keep the schedules and holidays current.
    *_crud("queues", "businesshours", "openingwindow", "holiday"),
    *_view("inbox", "conversation", "message", "conversationevent"),
    # Live-chat blocks: a supervisor shortens or lifts one (blocks are made in a chat).
    *_view("inbox", "visitorblock"),
    "inbox.change_visitorblock",
    "inbox.delete_visitorblock",
    # The Reports page in admin (archive.reports): volumes and response times.
    "archive.view_reports",
    # Retention deletes history for good: managers read it, the system owner sets it.
    "archive.view_retentionpolicy",
    *_crud("inbox", "label"),
}

ROLE_PERMISSIONS: dict[str, set[str] | str] = {
    Role.AGENT: _AGENT,
    Role.MANAGER: _MANAGER,
    # Same rights as a manager today; a separate group so that giving group
    # owners more later is a change of this table, not of anyone's data.
    Role.GROUP_OWNER: set(_MANAGER),
    Role.SYSTEM_OWNER: ALL_PERMISSIONS,
}


def role_permissions(role: str, *, permission_model: Any = Permission) -> Any:
    """The Permission queryset a role's group should hold (those that exist yet)."""
    wanted = ROLE_PERMISSIONS[role]
    permissions = permission_model.objects.all()
    if wanted == ALL_PERMISSIONS:
        return permissions
    by_app: dict[str, list[str]] = {}
    for name in wanted:
        app_label, codename = name.split(".", 1)
        by_app.setdefault(app_label, []).append(codename)
    query = permissions.none()
    for app_label, codenames in by_app.items():
        query |= permissions.filter(content_type__app_label=app_label, codename__in=codenames)
    return query


def permissions_create_and_sync(apps: Apps) -> None:
    """For data migrations: create the permissions of the models that exist at this point
    (Django creates them only after all migrations ran, post_migrate), then set the
    role groups' permissions to the table above."""
    for app_config in apps.get_app_configs():
        # Historical app configs have no models module; create_permissions skips those.
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    role_groups_sync(apps=apps)


def role_groups_sync(*, apps: Apps | None = None) -> None:
    """Create the four groups and set each one's permissions to the table above.

    Idempotent. Data migrations call it with their historical `apps`; a later
    migration that adds a model a role needs runs it again.
    """
    group_model = apps.get_model("auth", "Group") if apps else Group
    permission_model = apps.get_model("auth", "Permission") if apps else Permission
    for role, group_name in GROUP_NAMES.items():
        group, _ = group_model.objects.get_or_create(name=group_name)
        group.permissions.set(role_permissions(role, permission_model=permission_model))


def role_group(role: str) -> Group:
    """The group of a role, recreated with its permissions if it went missing.

    A transactional test's flush empties the groups table while permissions
    come back by themselves, so this must not assume the migration's rows.
    """
    group, created = Group.objects.get_or_create(name=GROUP_NAMES[role])
    if created:
        group.permissions.set(role_permissions(role))
    return group


def user_role_sync(user: User) -> None:
    """Put the user in exactly their role's group, keeping any other groups."""
    role_names = set(GROUP_NAMES.values())
    wanted = GROUP_NAMES[user.effective_role]
    current = set(user.groups.filter(name__in=role_names).values_list("name", flat=True))
    if current == {wanted}:
        return
    stale = current - {wanted}
    if stale:
        user.groups.remove(*Group.objects.filter(name__in=stale))
    if wanted not in current:
        user.groups.add(role_group(user.effective_role))
    # ModelBackend caches a user's permissions on the instance; they just changed.
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)


def is_staff_role(role: str) -> bool:
    return role in STAFF_ROLES
