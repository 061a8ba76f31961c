"""Publish jobs: everyone sees them; only the publishing service and its workers write them."""

from django.db import migrations


def forwards(apps, schema_editor):
    from editorial.roles import PUBLISH_JOB_PERMISSIONS, grant

    grant(apps, PUBLISH_JOB_PERMISSIONS)


def backwards(apps, schema_editor):
    from editorial.roles import PUBLISH_JOB_PERMISSIONS, revoke

    revoke(apps, PUBLISH_JOB_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("editorial", "0015_publish_jobs")]

    operations = [migrations.RunPython(forwards, backwards)]
