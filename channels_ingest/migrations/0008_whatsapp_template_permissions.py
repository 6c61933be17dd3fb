"""System owners manage WhatsApp templates in admin: their permissions are created now,
as post_migrate would, and the role groups synced."""

from django.db import migrations

from chatdesk.accounts import roles


def grant_whatsapp_template_permissions(apps, schema_editor):
    roles.permissions_create_and_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("channels_ingest", "0007_whatsapp_templates_and_human_agent"),
        ("accounts", "0002_roles"),
        ("queues", "0004_business_hours_permissions"),
    ]

    operations = [
        migrations.RunPython(grant_whatsapp_template_permissions, migrations.RunPython.noop)
    ]
