"""Existing editions get the default completeness rules (an introduction, a policy or the "no cluster policy"
statement, every criterion assessed, every topic written, a reference); editors change them per edition."""

from django.db import migrations

DEFAULT_PARTS = ["introduction", "policies", "assessments", "qualitative", "references"]


def add_rules(apps, schema_editor):
    Edition = apps.get_model("factsheets", "Edition")
    CompletenessRule = apps.get_model("factsheets", "CompletenessRule")
    for edition in Edition.objects.all():
        for part in DEFAULT_PARTS:
            CompletenessRule.objects.get_or_create(edition=edition, part=part, defaults={"minimum": 1})


class Migration(migrations.Migration):
    dependencies = [("factsheets", "0009_completeness_rules_correction_notes")]
    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
