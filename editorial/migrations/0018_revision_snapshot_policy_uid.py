"""Revisions hold each policy's stable identifier (factsheets.Policy.uid). Revisions recorded before it existed
get the identifier factsheets' migration gave the policy at the same position of the same factsheet (the same
uuid5), so the latest revision still equals the working copy (no approval turns stale) and every published
version of a factsheet names its policies alike."""

import uuid

from django.db import migrations

NAMESPACE = uuid.UUID("6f1d3c0e-2b7a-4f55-9d8e-0c4e5a7b9f21")  # as in factsheets/migrations/0008_policy_uid.py


def backfill(apps, schema_editor):
    Revision = apps.get_model("editorial", "Revision")
    for revision in Revision.objects.only("pk", "factsheet_id", "snapshot").iterator(chunk_size=200):
        snapshot = revision.snapshot
        policies = [p for p in snapshot.get("policies", []) if isinstance(p, dict) and not p.get("uid")]
        for policy in policies:
            policy["uid"] = str(uuid.uuid5(NAMESPACE, f"factsheet-{revision.factsheet_id}-policy-{policy.get('order')}"))
        if policies:
            Revision.objects.filter(pk=revision.pk).update(snapshot=snapshot)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0017_publication_page_html"),
        ("factsheets", "0008_policy_uid"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
