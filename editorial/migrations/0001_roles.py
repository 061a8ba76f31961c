"""Create the editorial roles as groups with their model permissions."""

from django.db import migrations


def forwards(apps, schema_editor):
    from editorial.roles import ROLE_PERMISSIONS, grant

    grant(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    from editorial.roles import ROLE_PERMISSIONS

    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("factsheets", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
