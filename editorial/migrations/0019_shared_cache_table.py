"""The table of the "shared" cache (the database cache by default: validation rate limits, health status), created
by `migrate` so no deployment step is forgotten. Idempotent: `createcachetable` skips existing tables."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("editorial", "0018_revision_snapshot_policy_uid")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop, elidable=True)]
