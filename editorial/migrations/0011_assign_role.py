"""Assigning factsheets to analysts and reviewers is for editors."""

from django.db import migrations


def forwards(apps, schema_editor):
    from editorial.roles import ASSIGN_PERMISSIONS, grant

    grant(apps, ASSIGN_PERMISSIONS)


def backwards(apps, schema_editor):
    from editorial.roles import ASSIGN_PERMISSIONS, revoke

    revoke(apps, ASSIGN_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("editorial", "0010_team_day")]

    operations = [migrations.RunPython(forwards, backwards)]
