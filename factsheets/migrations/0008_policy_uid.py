"""Policies get a stable identifier (uid) that revisions and carry-forward keep. Existing policies get one
derived from their factsheet and position (uuid5), so that the revision snapshots recorded before this release
can be given the same identifiers by editorial's migration without reading this table."""

import uuid

from django.db import migrations, models

import factsheets.models

NAMESPACE = uuid.UUID("6f1d3c0e-2b7a-4f55-9d8e-0c4e5a7b9f21")  # fixed: legacy identifiers never change


def legacy_uid(factsheet_id: int, order) -> str:
    return str(uuid.uuid5(NAMESPACE, f"factsheet-{factsheet_id}-policy-{order}"))


def backfill(apps, schema_editor):
    Policy = apps.get_model("factsheets", "Policy")
    for policy in Policy.objects.only("pk", "factsheet_id", "order").iterator(chunk_size=500):
        Policy.objects.filter(pk=policy.pk).update(uid=legacy_uid(policy.factsheet_id, policy.order))


class Migration(migrations.Migration):
    dependencies = [("factsheets", "0007_edition_presentation")]

    operations = [
        migrations.AddField(
            model_name="policy", name="uid",
            field=models.CharField(default=factsheets.models.policy_uid, editable=False, max_length=36,
                                   verbose_name="identifier",
                                   help_text="Stable across versions and editions: revisions and carry-forward "
                                             "keep it; the open data shows it."),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="policy",
            constraint=models.UniqueConstraint(fields=("factsheet", "uid"), name="policy_unique_uid"),
        ),
    ]
