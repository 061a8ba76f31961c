"""Revisions now hold what their edition prints (so an approval covers it): earlier revisions get the
edition's methodology as it stands when migrating, the best record of what was printed with them. Without
it, every factsheet approved before this release would count as changed at its next publish."""

from decimal import Decimal

from django.db import migrations

FIELDS = [
    "assessment_method", "assessment_table_title", "methodology_intro", "methodology_outro", "qualitative_title",
    "qualitative_layout", "annex_title",
]


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    return value


def edition_part(edition):
    return {
        "year": edition.year,
        **{name: getattr(edition, name) for name in FIELDS},
        "sections": [{"kind": s.kind, "number": s.number, "title": s.title, "divider": s.divider}
                     for s in edition.sections.order_by("order")],
        "criteria": [
            {"name": c.name, "long_name": c.long_name, "definition": c.definition, "max_score": _plain(c.max_score),
             "note": c.note, "levels": [{"label": lv.label, "definition": lv.definition}
                                        for lv in c.levels.order_by("rank")]}
            for c in edition.criteria.order_by("order")
        ],
        "topics": [t.title for t in edition.topics.order_by("order")],
    }


def backfill(apps, schema_editor):
    Revision = apps.get_model("editorial", "Revision")
    Edition = apps.get_model("factsheets", "Edition")
    parts = {}
    for revision in Revision.objects.select_related("factsheet").iterator(chunk_size=200):
        if "edition" in revision.snapshot:
            continue
        edition_id = revision.factsheet.edition_id
        if edition_id not in parts:
            parts[edition_id] = edition_part(Edition.objects.get(pk=edition_id))
        revision.snapshot = {"edition": parts[edition_id], **revision.snapshot}
        revision.save(update_fields=["snapshot"])


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0005_import_roles"),
        ("factsheets", "0003_category_merge"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
