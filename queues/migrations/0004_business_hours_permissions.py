"""Give every role its rights on business hours (supervisors write, agents read);
owners hold all permissions. Permissions are created first, as post_migrate would."""

from django.db import migrations

from chatdesk.accounts import roles


def grant_business_hours_permissions(apps, schema_editor):
    roles.permissions_create_and_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("queues", "0003_businesshours_queue_out_of_hours_message_and_more"),
        ("accounts", "0002_roles"),
        ("archive", "0002_reports_and_blocks_permissions"),
    ]

    operations = [
        migrations.RunPython(grant_business_hours_permissions, migrations.RunPython.noop)
    ]
