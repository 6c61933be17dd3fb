"""Give every role `inbox.view_label`, and managers and group owners the label list's
other rights (chatdesk.accounts.roles); owners hold all permissions."""

from django.db import migrations

from chatdesk.accounts import roles


def grant_label_permissions(apps, schema_editor):
    roles.permissions_create_and_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0015_labels"),
        ("accounts", "0002_roles"),
        ("contacts", "0003_erasure_record"),
    ]

    operations = [migrations.RunPython(grant_label_permissions, migrations.RunPython.noop)]
