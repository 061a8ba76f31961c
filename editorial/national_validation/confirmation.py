"""Whether the national authority confirmed what is about to be approved: a confirmation counts for the revision
it was given for (the same content) and for the publication cycle it was asked in, and only when it proposes no
correction. Read by editorial.permissions (Approve, when the edition requires it) and the validation panel."""

from dataclasses import dataclass

from editorial.models import Publication, ValidationAnswer, ValidationRequest
from editorial.selectors import latest_revision
from editorial.snapshots import snapshot_compare
from factsheets.models import Factsheet

CHANGES_NAMED = 5


@dataclass(frozen=True)
class Confirmation:
    confirmed: bool
    problem: str = ""  # why the current revision is not confirmed, in plain words


def corrections_proposed(*, request: ValidationRequest) -> list[str]:
    """The sections whose latest answer on this request proposes a correction, in print order."""
    latest: dict[int | None, ValidationAnswer] = {}
    for answer in request.answers.select_related("section").order_by("created_at", "id"):
        latest[answer.section_id] = answer
    corrections = [a for key, a in latest.items() if key is not None and a.status == ValidationAnswer.Status.CORRECTION]
    corrections.sort(key=lambda a: (a.section.order if a.section else 10_000, a.section_title))
    return [a.section_title for a in corrections]


def validation_confirmation(*, factsheet: Factsheet) -> Confirmation:
    """Is the factsheet's current revision confirmed by a national contact, in this publication cycle?"""
    latest = latest_revision(factsheet=factsheet)
    published = Publication.objects.filter(factsheet=factsheet).order_by("-number").first()
    confirmations = [
        r for r in (ValidationRequest.objects.filter(factsheet=factsheet, revoked_at__isnull=True,
                                                     verdict=ValidationRequest.Verdict.CONFIRMED)
                    .select_related("revision").order_by("-answered_at", "-id"))
        if not corrections_proposed(request=r)
    ]
    if latest is None or not confirmations:
        return Confirmation(False, "no contact has confirmed this factsheet")
    current = [r for r in confirmations if published is None or r.sent_at > published.published_at]
    if not current:
        earlier = confirmations[0]
        return Confirmation(False, f"{earlier.contact_label} confirmed revision {earlier.revision.number} on "
                                   f"{earlier.answered_at:%d %B %Y}, before version {published.number} was "
                                   "published; ask for national validation of this version")
    for request in current:
        if request.revision_id == latest.pk or request.revision.snapshot == latest.snapshot:
            return Confirmation(True)
    newest = current[0]
    changes = snapshot_compare(newest.revision.snapshot, latest.snapshot)
    named = "; ".join(c.label for c in changes[:CHANGES_NAMED]) + ("; …" if len(changes) > CHANGES_NAMED else "")
    parts = f"{len(changes)} part{'s' if len(changes) != 1 else ''}"
    return Confirmation(False, f"{newest.contact_label} confirmed revision {newest.revision.number}, and revision "
                               f"{latest.number} is under decision: {parts} changed since ({named}); ask for "
                               "national validation of the current revision")
