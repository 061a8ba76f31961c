"""Who may do what to a factsheet: role permissions, the state table and four eyes, in one place."""

from django.core.exceptions import PermissionDenied

from editorial.models import AuditEntry, Publication, Revision
from editorial.national_validation.confirmation import validation_confirmation
from editorial.workflow import (
    ACTION_PERMISSIONS,
    EDITABLE_STATES,
    PUBLICATION_ACTIONS,
    TRANSITIONS,
    PublicationAction,
    Transition,
)
from factsheets.models import Factsheet, State


class WorkflowError(Exception):
    """The action is not possible in the factsheet's current state (or four eyes forbid it)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def required_permission(action: str) -> str:
    if action in TRANSITIONS:
        return TRANSITIONS[action].permission
    if action in PUBLICATION_ACTIONS:
        return PUBLICATION_ACTIONS[action].permission
    try:
        return ACTION_PERMISSIONS[action]
    except KeyError:
        raise ValueError(f"Unknown action {action!r}") from None


def has_role_permission(user, action: str) -> bool:
    return bool(user and user.is_active and user.has_perm(required_permission(action)))


def authors(factsheet: Factsheet) -> set[int]:
    """Users whose changes the factsheet's current content holds, who may therefore not review it: everyone who
    recorded a revision since its last published version (edits, imports, reverts, category merges; every revision
    if it was never published), its last submitter and its last editor."""
    cached = getattr(factsheet, "_editorial_authors", None)
    if cached is not None:
        return cached
    published = (Publication.objects.filter(factsheet=factsheet, revision__isnull=False).order_by("-number")
                 .values_list("revision__number", flat=True).first())
    revisions = Revision.objects.filter(factsheet=factsheet)
    if published is not None:
        revisions = revisions.filter(number__gt=published)
    ids = set(revisions.values_list("created_by", flat=True).distinct())
    ids.add(factsheet.updated_by_id)
    ids.add(AuditEntry.objects.filter(factsheet=factsheet, action="submit").order_by("-at", "-id")
            .values_list("actor", flat=True).first())
    ids.discard(None)
    factsheet._editorial_authors = ids
    return ids


def has_live_version(factsheet: Factsheet) -> bool:
    """Whether a version of the factsheet is public (a page that has read the publications says so on the
    instance, saving the query)."""
    known = getattr(factsheet, "_editorial_has_live", None)
    if known is not None:
        return known
    return Publication.objects.live().filter(factsheet=factsheet).exists()


def state_problem(user, action: str, factsheet: Factsheet | None) -> str | None:
    """Why the action is impossible on this factsheet now (state, four eyes), or None."""
    if factsheet is None:
        return None
    state = factsheet.state
    label = State(state).label.lower() if state in State.values else state
    if action in TRANSITIONS:
        transition: Transition = TRANSITIONS[action]
        if state not in transition.sources:
            return f"“{transition.label}” is not possible: the factsheet is {label}."
        if action == "approve" and factsheet.edition.validation_required:
            confirmation = validation_confirmation(factsheet=factsheet)
            if not confirmation.confirmed:
                return (f"“{transition.label}” is not possible: the {factsheet.edition.year} edition requires the "
                        f"national authority's confirmation of this revision first, and {confirmation.problem}.")
        if transition.four_eyes and user.pk in authors(factsheet):
            return (f"“{transition.label}” is not possible: this version holds changes you made or submitted since "
                    "its last published version, and someone else must review them (four eyes).")
        return None
    if action in PUBLICATION_ACTIONS:
        if not has_live_version(factsheet):
            return f"“{PUBLICATION_ACTIONS[action].label}” is not possible: no version of it is public."
        return None
    if action in ("edit", "revert") and state not in EDITABLE_STATES:
        if state in (State.PUBLISHED, State.WITHDRAWN):
            return f"The factsheet is {label} and cannot be changed; use “Start new draft” to edit it."
        return f"The factsheet is {label} and read-only until a decision is taken."
    return None


def analyst_may_reopen(user, factsheet: Factsheet | None) -> bool:
    """The assigned analyst may start a revision of a published factsheet when the editor allowed it on assignment."""
    return bool(factsheet is not None and getattr(factsheet, "analyst_may_reopen", False) and user
                and factsheet.assigned_analyst_id == user.pk and has_role_permission(user, "submit"))


def _role_allows(user, action: str, factsheet: Factsheet | None) -> bool:
    if has_role_permission(user, action):
        return True
    return action == "start_new_draft" and analyst_may_reopen(user, factsheet)


def can(user, action: str, factsheet: Factsheet | None = None) -> bool:
    return _role_allows(user, action, factsheet) and state_problem(user, action, factsheet) is None


def ensure_can(user, action: str, factsheet: Factsheet | None = None) -> None:
    """Raise PermissionDenied (role) or WorkflowError (state, four eyes) unless the user may act."""
    if not _role_allows(user, action, factsheet):
        raise PermissionDenied(f"You do not have permission to {action.replace('_', ' ')} factsheets.")
    problem = state_problem(user, action, factsheet)
    if problem:
        raise WorkflowError(problem)


def allowed_transitions(user, factsheet: Factsheet) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if can(user, t.action, factsheet)]


def allowed_publication_actions(user, factsheet: Factsheet) -> list[PublicationAction]:
    return [a for a in PUBLICATION_ACTIONS.values() if can(user, a.action, factsheet)]


def can_edit(user, factsheet: Factsheet | None) -> bool:
    return can(user, "edit", factsheet)
