"""Revisions hold what their edition prints, now including its presentation settings (captions, source lines,
contents, list and reference styles), and references their printed address and sub-item flag. Earlier revisions
get the edition's settings as they stand when migrating and the references' defaults, the best record of what
was printed with them: without it, every factsheet approved before this release would count as changed."""

from django.db import migrations

PRESENTATION_FIELDS = [
    "contents_title", "contents_lists_itself", "policy_table_caption", "assessment_table_caption",
    "qualitative_table_caption", "annex_table_caption", "chart_caption", "source_lines", "ordered_list_style",
    "bullet_style", "reference_style",
]


def backfill(apps, schema_editor):
    Revision = apps.get_model("editorial", "Revision")
    Edition = apps.get_model("factsheets", "Edition")
    settings = {}
    for revision in Revision.objects.select_related("factsheet").iterator(chunk_size=200):
        snapshot = revision.snapshot
        changed = False
        edition = snapshot.get("edition")
        if isinstance(edition, dict) and not all(name in edition for name in PRESENTATION_FIELDS):
            edition_id = revision.factsheet.edition_id
            if edition_id not in settings:
                source = Edition.objects.get(pk=edition_id)
                settings[edition_id] = {name: getattr(source, name) for name in PRESENTATION_FIELDS}
            snapshot["edition"] = {**settings[edition_id], **edition}
            changed = True
        for reference in snapshot.get("references", []):
            if "url_label" not in reference or "sub_item" not in reference:
                reference.setdefault("url_label", "")
                reference.setdefault("sub_item", False)
                changed = True
        if changed:
            revision.snapshot = snapshot
            revision.save(update_fields=["snapshot"])


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0013_validation_roles"),
        ("factsheets", "0007_edition_presentation"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
