"""Opening a new edition from an earlier one: methodology and vocabularies copied, factsheets carried forward."""

from django.core.exceptions import ValidationError
from django.db import transaction

from editorial.models import AuditEntry, CarryForwardIssue, Publication, Revision
from editorial.permissions import ensure_can
from editorial.publishing.selectors import current_publication
from editorial.snapshots import factsheet_snapshot, snapshot_restore
from factsheets.models import (
    MAX_YEAR,
    PRESENTATION_FIELDS,
    Category,
    CompletenessRule,
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
    "qualitative_layout", "annex_title", *PRESENTATION_FIELDS,
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
    CompletenessRule.objects.bulk_create([CompletenessRule(edition=edition, part=r.part, minimum=r.minimum)
                                          for r in source.completeness_rules.all()])
    return edition


def _year_check(source: Edition, year: int) -> None:
    if not 2000 <= year <= MAX_YEAR:
        raise ValidationError(f"Choose a year between 2000 and {MAX_YEAR}.", code="year_range")
    if year <= source.year:
        raise ValidationError(f"The new edition must come after the {source.year} edition it starts from: choose a "
                              f"year after {source.year}.", code="year_not_after")
    if Edition.objects.filter(year=year).exists():
        raise ValidationError(f"There is already a {year} edition.", code="year_taken")


def _carry_source(old: Factsheet) -> tuple[dict, str]:
    published = current_publication(factsheet=old)
    if published is not None and published.revision is not None:
        return published.revision.snapshot, f"published version {published.number}"
    return factsheet_snapshot(factsheet=old), "working copy"


def edition_open_preview(*, source: Edition, year: int, by) -> dict:
    """What opening `year` from `source` would create, for the editor to read before confirming; raises
    ValidationError if it cannot be opened."""
    ensure_can(by, "open_edition")
    _year_check(source, year)
    vocabularies: dict[str, int] = {}
    for category in source.categories.all():
        vocabularies[category.get_vocabulary_display()] = vocabularies.get(category.get_vocabulary_display(), 0) + 1
    carried = []
    for old in source.factsheets.select_related("country").order_by("country__name"):
        published = current_publication(factsheet=old)
        origin = f"published version {published.number}" if published and published.revision_id else "working copy"
        carried.append({"country": old.country.name, "origin": origin, "state": old.get_state_display()})
    return {
        "source": source, "year": year,
        "sections": [str(s) for s in source.sections.order_by("order")],
        "vocabularies": sorted(vocabularies.items()),
        "criteria": [(c.name, c.levels.count()) for c in source.criteria.order_by("order")],
        "topics": [t.title for t in source.topics.order_by("order")],
        "factsheets": carried,
    }


@transaction.atomic
def edition_open(*, source: Edition, year: int, by) -> tuple[Edition, list[Factsheet]]:
    """Open the edition `year` (after `source`'s year, not taken) from `source`: copy its methodology and
    vocabularies and carry every country's factsheet forward as a draft; what does not map is listed."""
    ensure_can(by, "open_edition")
    _year_check(source, year)
    edition = _edition_copy(source, year)
    created = []
    for old in source.factsheets.select_related("country", "edition", "assigned_analyst", "assigned_reviewer").order_by(
            "country__name"):
        snapshot, origin = _carry_source(old)
        # A new edition's first version corrects nothing: the public note of the old one stays behind.
        snapshot = {**snapshot, "factsheet": {k: v for k, v in snapshot["factsheet"].items() if k != "correction_note"}}
        new = Factsheet.objects.create(country=old.country, edition=edition, state=State.DRAFT, updated_by=by,
                                       assigned_analyst=old.assigned_analyst, assigned_reviewer=old.assigned_reviewer)
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


@transaction.atomic
def edition_delete(*, edition: Edition, by) -> int:
    """Delete an edition that was never published, with its drafts and their history, in one step (an edition
    opened by mistake). Returns the number of factsheets deleted."""
    ensure_can(by, "delete_edition")
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    if Publication.objects.filter(factsheet__edition=edition).exists():
        raise ValidationError(f"The {edition.year} edition has published factsheets: it cannot be deleted (withdraw "
                              "a factsheet to take it off the public pages).", code="published")
    factsheets = Factsheet.objects.filter(edition=edition)
    count = factsheets.count()
    factsheets.delete()
    edition.delete()
    return count
