"""The system owner holds every permission, the webhooks' included: create them now, as
post_migrate would, and sync the role groups."""

from django.db import migrations

from chatdesk.accounts import roles


def grant_webhooks_permissions(apps, schema_editor):
    roles.permissions_create_and_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_subscriptions_and_deliveries"),
        ("accounts", "0002_roles"),
        ("queues", "0004_business_hours_permissions"),
        ("archive", "0002_reports_and_blocks_permissions"),
    ]

    operations = [
        migrations.RunPython(grant_webhooks_permissions, migrations.RunPython.noop)
    ]
