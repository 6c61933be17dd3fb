"""Give the manager and group-owner groups `archive.view_reports` and the
live-chat block rights (`inbox.*_visitorblock`); owners hold all permissions.

Permissions are normally created after all migrations ran (post_migrate), so this
creates the archive's first; the groups then follow chatdesk.accounts.roles.
"""

from django.db import migrations

from chatdesk.accounts import roles


def grant_report_permission(apps, schema_editor):
    roles.permissions_create_and_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0001_initial"),
        ("accounts", "0002_roles"),
        # The newest models a role's permissions name (VisitorBlock), so they exist here.
        ("inbox", "0005_attachment_provider_media_ref"),
    ]

    operations = [migrations.RunPython(grant_report_permission, migrations.RunPython.noop)]
