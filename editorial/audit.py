"""What every editorial write shares: the factsheet's row lock, its lock version, its state and its audit trail.
Helpers here must be called inside a transaction (the services that use them are atomic)."""

from django.db.models import F

from editorial.models import AuditEntry, Revision
from factsheets.models import Factsheet


class EditConflict(Exception):
    """Someone else saved the factsheet since this user loaded it."""


def factsheet_lock(factsheet: Factsheet) -> Factsheet:
    """The factsheet's row, locked (only that row: not its edition's or country's)."""
    return (Factsheet.objects.select_for_update(of=("self",))
            .select_related("country", "edition", "assigned_analyst", "assigned_reviewer").get(pk=factsheet.pk))


def lock_version_claim(*, factsheet_id: int, loaded_version: int) -> int:
    """Raise the lock version if it is still the one loaded (one conditional UPDATE); else EditConflict."""
    rows = Factsheet.objects.filter(pk=factsheet_id, lock_version=loaded_version).update(
        lock_version=F("lock_version") + 1
    )
    if rows != 1:
        raise EditConflict("The factsheet was saved by someone else since you opened it.")
    return loaded_version + 1


def audit_record(*, factsheet: Factsheet, by, action: str, from_state: str, to_state: str, comment: str = "",
           revision: Revision | None = None, notified: list[str] | None = None) -> AuditEntry:
    return AuditEntry.objects.create(
        factsheet=factsheet, actor=by, action=action, from_state=from_state, to_state=to_state,
        comment=comment, revision=revision, notified="\n".join(notified or []),
    )


def state_set(factsheet: Factsheet, state: str) -> None:
    Factsheet.objects.filter(pk=factsheet.pk).update(state=state)
    factsheet.state = state


def author_id(fs: Factsheet) -> int | None:
    submitter = (AuditEntry.objects.filter(factsheet=fs, action="submit").order_by("-at", "-id")
                 .values_list("actor", flat=True).first())
    return submitter or fs.updated_by_id

