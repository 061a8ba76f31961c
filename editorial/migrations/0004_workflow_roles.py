"""Give the editorial roles their workflow permissions (submit, review, publish, open editions, comment)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from editorial.roles import WORKFLOW_PERMISSIONS, grant

    grant(apps, WORKFLOW_PERMISSIONS)


def backwards(apps, schema_editor):
    from editorial.roles import WORKFLOW_PERMISSIONS, revoke

    revoke(apps, WORKFLOW_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("editorial", "0003_workflow")]

    operations = [migrations.RunPython(forwards, backwards)]
