"""Give the manager and group-owner groups `archive.view_reports` and the
live-chat block rights (`inbox.*_visitorblock`); owners hold all permissions.

Permissions are normally created after all migrations ran (post_migrate), so this
creates the archive's first; the groups then follow chatdesk.accounts.roles.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from chatdesk.accounts import roles


def grant_report_permission(apps, schema_editor):
    for app_config in apps.get_app_configs():
        # Historical app configs have no models module; create_permissions skips those.
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles.role_groups_sync(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0001_initial"),
        ("accounts", "0002_roles"),
        # The newest models a role's permissions name (VisitorBlock), so they exist here.
        ("inbox", "0005_attachment_provider_media_ref"),
    ]

    operations = [migrations.RunPython(grant_report_permission, migrations.RunPython.noop)]
