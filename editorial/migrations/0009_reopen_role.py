"""Starting a new draft of a published factsheet is for editors only (it was any analyst's before)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from editorial.roles import REOPEN_PERMISSIONS, grant

    grant(apps, REOPEN_PERMISSIONS)


def backwards(apps, schema_editor):
    from editorial.roles import REOPEN_PERMISSIONS, revoke

    revoke(apps, REOPEN_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("editorial", "0008_reopen_permission")]

    operations = [migrations.RunPython(forwards, backwards)]
