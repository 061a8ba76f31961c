"""Edition releases and stored summaries: everyone sees them, only their services write them; editors keep each
edition's completeness rules."""

from django.db import migrations


def forwards(apps, schema_editor):
    from editorial.roles import RELEASE_PERMISSIONS, grant

    grant(apps, RELEASE_PERMISSIONS)


def backwards(apps, schema_editor):
    from editorial.roles import RELEASE_PERMISSIONS, revoke

    revoke(apps, RELEASE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("editorial", "0021_edition_release_summaries_notes"),
                    ("factsheets", "0010_completeness_rules_for_existing_editions")]

    operations = [migrations.RunPython(forwards, backwards)]
