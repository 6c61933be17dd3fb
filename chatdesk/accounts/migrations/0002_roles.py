"""The four roles as groups with their permissions; existing users join theirs.

Permissions are normally created after all migrations ran (post_migrate), so
they are created here first for the models that exist at this point. The
permission table itself lives in chatdesk.accounts.roles; a later migration
that adds a model a role needs calls `roles.role_groups_sync(apps=apps)` again.
"""

from django.db import migrations

from chatdesk.accounts import roles


def create_role_groups(apps, schema_editor):
    roles.permissions_create_and_sync(apps)
    place_existing_users(apps)


def place_existing_users(apps):
    User = apps.get_model("accounts", "User")
    Group = apps.get_model("auth", "Group")
    groups = {role: Group.objects.get(name=name) for role, name in roles.GROUP_NAMES.items()}
    for user in User.objects.all():
        role = "system_owner" if user.is_superuser else user.role
        user.groups.add(groups[role])
        User.objects.filter(pk=user.pk).update(is_staff=roles.is_staff_role(role))


def remove_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=roles.GROUP_NAMES.values()).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        # Every model a role's permissions name, as of this migration.
        ("templates_app", "0001_initial"),
        ("queues", "0001_initial"),
        ("contacts", "0001_initial"),
        ("inbox", "0001_initial"),
        ("channels_ingest", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
