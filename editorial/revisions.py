"""Revisions: recording the working copy when it changes (an approval pending on other content goes stale),
reverting to an earlier one, and the writers that change many factsheets at once (methodology, category
merges, bulk imports)."""

from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from editorial.audit import audit_record, factsheet_lock, state_set
from editorial.models import Revision
from editorial.permissions import WorkflowError, ensure_can
from editorial.selectors import latest_revision
from editorial.snapshots import POLICY_FK_FIELDS, factsheet_snapshot, factsheet_snapshots, snapshot_restore
from editorial.workflow import EDITABLE_STATES
from factsheets.models import Category, CategoryMerge, Criterion, Edition, Factsheet, Level, State
from factsheets.selectors import category_policies
from factsheets.validation import POLICY_M2M_FIELDS


def revision_store(factsheet: Factsheet, *, by, reason: str, force: bool = False) -> tuple[Revision, bool]:
    """Store the factsheet's content as a new revision unless it equals the latest one (factsheet locked)."""
    snapshot = factsheet_snapshot(factsheet=factsheet)
    latest = latest_revision(factsheet=factsheet)
    if latest is not None and latest.snapshot == snapshot and not force:
        return latest, False
    revision = Revision.objects.create(
        factsheet=factsheet, number=(latest.number + 1) if latest else 1, created_by=by, reason=reason,
        snapshot=snapshot,
    )
    return revision, True


@transaction.atomic
def revision_record(*, factsheet: Factsheet, by, reason: str = "Edited") -> Revision | None:
    """Record the factsheet's content as a revision if it changed. A change while a decision is pending or taken
    (in review, approved) sends the factsheet back to draft: the approval is stale. A published or withdrawn
    factsheet keeps its state (its PDFs never change); the change waits for its next draft."""
    fs = factsheet_lock(factsheet)
    revision, created = revision_store(fs, by=by, reason=reason)
    if not created:
        return None
    if fs.state in (State.IN_REVIEW, State.APPROVED):
        previous = fs.state
        state_set(fs, State.DRAFT)
        audit_record(factsheet=fs, by=by, action="edited", from_state=previous, to_state=State.DRAFT,
                     revision=revision,
                     comment=f"{reason}: the content changed, so the factsheet is back to draft and needs a new "
                             "review.")
    elif fs.state not in EDITABLE_STATES:
        audit_record(factsheet=fs, by=by, action="edited", from_state=fs.state, to_state=fs.state,
                     revision=revision,
                     comment=f"{reason}. The published version is unchanged; the change is part of the next draft.")
    factsheet.state = fs.state
    return revision


@transaction.atomic
def factsheets_changed(*, factsheets, by, reason: str) -> list[Factsheet]:
    """The one entry point for a change that touches many factsheets at once (the methodology, a category merge, a
    bulk import): each gets a revision if its content changed, so a pending approval goes stale at once, by the
    rule of revision_record, in a fixed number of queries plus a few per changed factsheet. Returns the
    factsheets sent back to draft."""
    reason = reason[:200]
    given = {f.pk: f for f in factsheets}
    locked = list(Factsheet.objects.select_for_update(of=("self",)).select_related("country", "edition")
                  .filter(pk__in=given).order_by("pk"))
    snapshots = factsheet_snapshots(factsheet_ids=[f.pk for f in locked])
    latest = {r.factsheet_id: r for r in Revision.objects.filter(factsheet__in=locked).order_by(
        "factsheet_id", "-number").distinct("factsheet_id")} if connection.vendor == "postgresql" else {
        r.factsheet_id: r for r in Revision.objects.filter(
            pk__in=Subquery(Revision.objects.filter(factsheet=OuterRef("factsheet")).order_by("-number")
                            .values("pk")[:1]), factsheet__in=locked)}
    reopened, revisions = [], []
    for fs in locked:
        previous = latest.get(fs.pk)
        if previous is not None and previous.snapshot == snapshots[fs.pk]:
            continue
        revisions.append(Revision(factsheet=fs, number=(previous.number + 1) if previous else 1, created_by=by,
                                  reason=reason, snapshot=snapshots[fs.pk]))
    Revision.objects.bulk_create(revisions)  # their ids come back (PostgreSQL, SQLite ≥ 3.35)
    for recorded in revisions:
        fs = recorded.factsheet
        if fs.state in (State.IN_REVIEW, State.APPROVED):
            previous_state = fs.state
            state_set(fs, State.DRAFT)
            audit_record(factsheet=fs, by=by, action="edited", from_state=previous_state, to_state=State.DRAFT,
                         revision=recorded, comment=f"{reason}: the content changed, so the factsheet is back to "
                                                    "draft and needs a new review.")
            reopened.append(given.get(fs.pk, fs))
        elif fs.state not in EDITABLE_STATES:
            audit_record(factsheet=fs, by=by, action="edited", from_state=fs.state, to_state=fs.state,
                         revision=recorded, comment=f"{reason}. The published version is unchanged; the change is "
                                                    "part of the next draft.")
        if fs.pk in given:
            given[fs.pk].state = fs.state
    return reopened


def methodology_changed(*, edition, by, what: str) -> list[Factsheet]:
    """The edition's printed methodology (texts, sections, criteria, levels, topics, vocabularies) changed.
    Returns the factsheets sent back to draft."""
    factsheets = Factsheet.objects.filter(edition=edition).select_related("country", "edition")
    return factsheets_changed(factsheets=factsheets, by=by, reason=f"Methodology changed: {what}")


def methodology_row_deleted(sender, instance, **kwargs) -> None:
    """A row of what an edition prints is being deleted, however (the admin, a script, a cascade from its criterion
    or edition): once the transaction commits, methodology_changed runs for the edition, once per transaction
    whatever the cascade deleted. Connected to pre_delete of the methodology models (editorial.apps)."""
    if sender is Level:
        edition_id = Criterion.objects.filter(pk=instance.criterion_id).values_list("edition_id", flat=True).first()
    else:
        edition_id = instance.edition_id
    if edition_id is None:
        return
    connection = transaction.get_connection()
    # One call per edition per transaction: the set lives on the outermost atomic block, gone with it.
    scheduled = (connection.atomic_blocks[0].__dict__.setdefault("_methodology_editions", set())
                 if connection.in_atomic_block else set())
    if edition_id in scheduled:
        return
    scheduled.add(edition_id)
    what = f"{sender._meta.verbose_name} “{instance}” deleted"

    def changed():
        edition = Edition.objects.filter(pk=edition_id).first()
        if edition is not None:
            methodology_changed(edition=edition, by=None, what=what)
    transaction.on_commit(changed, robust=True)


@transaction.atomic
def revision_revert(*, factsheet: Factsheet, revision: Revision, by) -> Revision:
    """Bring back an earlier revision's content; recorded as a new revision."""
    fs = factsheet_lock(factsheet)
    ensure_can(by, "revert", fs)
    if revision.factsheet_id != fs.pk:
        raise WorkflowError("That revision belongs to another factsheet.")
    issues = snapshot_restore(factsheet=fs, snapshot=revision.snapshot)
    if issues:
        raise WorkflowError(f"Revision {revision.number} cannot be restored: "
                            + "; ".join(f"{where}: {message}" for where, message in issues))
    Factsheet.objects.filter(pk=fs.pk).update(lock_version=F("lock_version") + 1, updated_by=by,
                                               updated_at=timezone.now())
    fs.updated_by = by
    new, _ = revision_store(fs, by=by, reason=f"Reverted to revision {revision.number}", force=True)
    audit_record(factsheet=fs, by=by, action="revert", from_state=fs.state, to_state=fs.state, revision=new,
           comment=f"Revision {revision.number} restored as revision {new.number}.")
    factsheet.state = fs.state
    return new


def revisions_record_for_import(*, record, **_signal) -> None:
    """A bulk import is an edit: each factsheet it touched gets a revision naming the file (and, outside draft,
    goes back to draft like any other edit). A receiver of factsheets.signals.import_recorded."""
    source = f"{record.file_name} ({record.resource})" if record.file_name else record.resource
    factsheets_changed(factsheets=record.factsheets.select_related("country", "edition"), by=record.user,
                       reason=f"Imported from {source}")


@transaction.atomic
def category_merge(*, source: Category, target: Category, by) -> list[Factsheet]:
    """Merge a category into another of the same vocabulary: every policy that used it uses the target, each
    touched factsheet gets a revision (pending approvals go stale), the old label keeps mapping to the target
    (so earlier revisions stay restorable), and the source is deleted. Returns the touched factsheets."""
    ensure_can(by, "merge_category")
    source = Category.objects.select_for_update(of=("self",)).select_related("edition").get(pk=source.pk)
    target = Category.objects.select_for_update().get(pk=target.pk)
    if source.pk == target.pk:
        raise WorkflowError("Choose another category to merge into.")
    if (source.edition_id, source.vocabulary) != (target.edition_id, target.vocabulary):
        raise WorkflowError(f"“{source.label}” can only be merged into a category of the same edition and "
                            f"vocabulary ({source.get_vocabulary_display().lower()}, {source.edition.year}).")
    policies = list(category_policies(category=source))
    factsheets = {p.factsheet_id: p.factsheet for p in policies}
    for policy in policies:
        for name in POLICY_FK_FIELDS:
            if getattr(policy, f"{name}_id") == source.pk:
                setattr(policy, name, target)
        policy.save(update_fields=POLICY_FK_FIELDS)
        for name in POLICY_M2M_FIELDS:
            selection = getattr(policy, name)
            if selection.filter(pk=source.pk).exists():
                selection.remove(source)
                selection.add(target)
    CategoryMerge.objects.filter(into=source).update(into=target)
    CategoryMerge.objects.update_or_create(
        edition=source.edition, vocabulary=source.vocabulary, label=source.label,
        defaults={"into": target, "merged_by": by},
    )
    reason = f"Category “{source.label}” merged into “{target.label}”"
    source.delete()
    factsheets_changed(factsheets=factsheets.values(), by=by, reason=reason)
    return sorted(factsheets.values(), key=lambda f: str(f))

