"""Opening a new edition from an earlier one: methodology and vocabularies copied, factsheets carried forward."""

from django.core.exceptions import ValidationError
from django.db import transaction

from editorial.models import AuditEntry, CarryForwardIssue, Revision
from editorial.permissions import ensure_can
from editorial.selectors import current_publication, factsheet_snapshot
from editorial.services import snapshot_restore
from factsheets.models import (
    MAX_YEAR,
    Category,
    Criterion,
    Edition,
    Factsheet,
    Level,
    Section,
    State,
    Topic,
)

EDITION_FIELDS = [
    "assessment_method", "assessment_table_title", "methodology_intro", "methodology_outro", "qualitative_title",
    "qualitative_layout", "annex_title",
]


def _edition_copy(source: Edition, year: int) -> Edition:
    edition = Edition.objects.create(year=year, **{name: getattr(source, name) for name in EDITION_FIELDS})
    Section.objects.bulk_create([
        Section(edition=edition, kind=s.kind, number=s.number, title=s.title, divider=s.divider, order=s.order)
        for s in source.sections.all()
    ])
    Category.objects.bulk_create([
        Category(edition=edition, vocabulary=c.vocabulary, label=c.label, description=c.description, order=c.order)
        for c in source.categories.all()
    ])
    for criterion in source.criteria.prefetch_related("levels"):
        copy = Criterion.objects.create(
            edition=edition, name=criterion.name, long_name=criterion.long_name, definition=criterion.definition,
            max_score=criterion.max_score, note=criterion.note, order=criterion.order,
        )
        Level.objects.bulk_create([
            Level(criterion=copy, label=lv.label, definition=lv.definition, rank=lv.rank)
            for lv in criterion.levels.all()
        ])
    Topic.objects.bulk_create([Topic(edition=edition, title=t.title, order=t.order) for t in source.topics.all()])
    return edition


@transaction.atomic
def edition_open(*, source: Edition, year: int, by) -> tuple[Edition, list[Factsheet]]:
    """Open the edition `year` from `source`: copy its methodology and vocabularies (unless the edition was
    already prepared) and carry every country's factsheet forward as a draft; what does not map is listed."""
    ensure_can(by, "open_edition")
    if not 2000 <= year <= MAX_YEAR:
        raise ValidationError(f"Choose a year between 2000 and {MAX_YEAR}.", code="year_range")
    if year == source.year:
        raise ValidationError("The new edition needs another year than the one it starts from.", code="same_year")
    edition = Edition.objects.filter(year=year).first() or _edition_copy(source, year)
    existing = set(Factsheet.objects.filter(edition=edition).values_list("country_id", flat=True))
    created = []
    for old in source.factsheets.select_related("country", "edition").order_by("country__name"):
        if old.country_id in existing:
            continue
        published = current_publication(factsheet=old)
        if published is not None and published.revision is not None:
            snapshot, origin = published.revision.snapshot, f"published version {published.number}"
        else:
            snapshot, origin = factsheet_snapshot(factsheet=old), "working copy"
        new = Factsheet.objects.create(country=old.country, edition=edition, state=State.DRAFT, updated_by=by)
        issues = snapshot_restore(factsheet=new, snapshot=snapshot)
        CarryForwardIssue.objects.bulk_create([
            CarryForwardIssue(factsheet=new, source=old, where=where[:600], message=message[:1000])
            for where, message in issues
        ])
        reason = f"Carried forward from the {source.year} edition ({origin})"
        revision = Revision.objects.create(factsheet=new, number=1, created_by=by, reason=reason,
                                           snapshot=factsheet_snapshot(factsheet=new))
        AuditEntry.objects.create(
            factsheet=new, actor=by, action="carry_forward", from_state="", to_state=State.DRAFT, revision=revision,
            comment=reason + (f"; {len(issues)} item(s) to check" if issues else ""),
        )
        created.append(new)
    return edition, created
