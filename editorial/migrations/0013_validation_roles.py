"""National validation: analysts and editors keep the contacts and send requests; reviewers see them."""

from django.db import migrations


def forwards(apps, schema_editor):
    from editorial.roles import VALIDATION_PERMISSIONS, grant

    grant(apps, VALIDATION_PERMISSIONS)


def backwards(apps, schema_editor):
    from editorial.roles import VALIDATION_PERMISSIONS, revoke

    revoke(apps, VALIDATION_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("editorial", "0012_national_validation"), ("factsheets", "0006_national_contacts")]

    operations = [migrations.RunPython(forwards, backwards)]
