"""Let every editorial role see the record of bulk imports."""

from django.db import migrations


def forwards(apps, schema_editor):
    from editorial.roles import IMPORT_PERMISSIONS, grant

    grant(apps, IMPORT_PERMISSIONS)


def backwards(apps, schema_editor):
    from editorial.roles import IMPORT_PERMISSIONS, revoke

    revoke(apps, IMPORT_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("editorial", "0004_workflow_roles"), ("factsheets", "0002_data_import")]

    operations = [migrations.RunPython(forwards, backwards)]
