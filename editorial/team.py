"""The team's day: who writes and reviews which factsheet (assignment), and each user's queues (the admin index)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from editorial import notifications
from editorial.audit import audit_record
from editorial.models import AuditEntry, Publication, Revision, ValidationRequest
from editorial.permissions import WorkflowError, ensure_can, has_role_permission, required_permission
from factsheets.models import Factsheet, State

PUBLISHED_CHOICES = ("open", "allow", "leave")


@transaction.atomic
def factsheets_assign(*, factsheets, by, analyst=None, reviewer=None, clear_reviewer: bool = False,
                      published: str = "open") -> int:
    """Assign factsheets to an analyst (and optionally a reviewer); each assignment is an audit entry and the
    analyst is told by e-mail what to do next. Assigning a published (or withdrawn) factsheet starts the work:
    `published` "open" opens a new draft at once, "allow" lets the analyst start it ("Start new draft" on its
    page), "leave" leaves it published (the analyst may ask for a draft). Returns how many factsheets changed."""
    from editorial.transitions import factsheet_start_new_draft  # transitions build on the team's records

    ensure_can(by, "assign")
    if published not in PUBLISHED_CHOICES:
        raise WorkflowError(f"Unknown choice for the published factsheets: “{published}”.")
    if analyst is not None and not has_role_permission(analyst, "submit"):
        raise WorkflowError(f"{analyst} cannot write factsheets (not an analyst or editor).")
    if reviewer is not None and not has_role_permission(reviewer, "approve"):
        raise WorkflowError(f"{reviewer} cannot review factsheets (not a reviewer or editor).")
    changed = []
    for fs in Factsheet.objects.select_for_update(of=("self",)).select_related("country", "edition").filter(
            pk__in=[f.pk for f in factsheets]).order_by("pk"):
        updates = {}
        if analyst is not None and fs.assigned_analyst_id != analyst.pk:
            updates["assigned_analyst"] = analyst
        if reviewer is not None and fs.assigned_reviewer_id != reviewer.pk:
            updates["assigned_reviewer"] = reviewer
        elif clear_reviewer and fs.assigned_reviewer_id is not None:
            updates["assigned_reviewer"] = None
        if not updates:
            continue
        updates["analyst_may_reopen"] = published == "allow" and fs.state in (State.PUBLISHED, State.WITHDRAWN)
        Factsheet.objects.filter(pk=fs.pk).update(**updates)
        for name, value in updates.items():
            setattr(fs, name, value)
        opened = False
        if "assigned_analyst" in updates and published == "open" and fs.state in (State.PUBLISHED, State.WITHDRAWN):
            factsheet_start_new_draft(factsheet=fs, by=by, comment=f"Opened for {fs.assigned_analyst} on assignment.")
            fs.refresh_from_db(fields=["state", "lock_version", "correction_note"])
            opened = True
        parts = [f"analyst: {fs.assigned_analyst or '—'}", f"reviewer: {fs.assigned_reviewer or 'any reviewer'}"]
        audit_record(factsheet=fs, by=by, action=AuditEntry.Action.ASSIGN, from_state=fs.state, to_state=fs.state,
               comment="Assigned (" + ", ".join(parts) + ")." + (" A new draft is open." if opened else ""),
               notified=notifications.assignment_notify(factsheet=fs, by=by) if "assigned_analyst" in updates
               else [])
        changed.append(fs)
    return len(changed)


@transaction.atomic
def reopen_ask(*, factsheet: Factsheet, by) -> list[str]:
    """An analyst asks the editors to open a new draft of a published (or withdrawn) factsheet: they are e-mailed
    and the request is in the timeline. Returns the addresses notified."""
    from editorial.audit import factsheet_lock
    from editorial.permissions import can

    fs = factsheet_lock(factsheet)
    ensure_can(by, "edit_request", fs)
    if fs.state not in (State.PUBLISHED, State.WITHDRAWN):
        raise WorkflowError(f"The factsheet is {fs.get_state_display().lower()}: there is nothing to open.")
    if can(by, "start_new_draft", fs):
        raise WorkflowError("You may open the new draft yourself: use “Start new draft”.")
    editors = [u for u in users_with_role_permission("start_new_draft") if u.pk != by.pk]
    notified = notifications.reopen_asked_notify(factsheet=fs, by=by, editors=editors)
    audit_record(factsheet=fs, by=by, action=AuditEntry.Action.REOPEN_ASKED, from_state=fs.state, to_state=fs.state,
                 comment=f"{by} asked for a new draft to work on.", notified=notified)
    return notified


def users_deactivate(*, users, by) -> int:
    """Deactivate accounts (they can no longer log in); their names stay in every revision and decision."""
    if not (by and by.is_active and by.has_perm("auth.change_user")):
        raise PermissionDenied("You do not have permission to change users.")
    return users.filter(is_active=True).update(is_active=False)


def _last_submitter():
    return Subquery(
        AuditEntry.objects.filter(factsheet=OuterRef("pk"), action="submit").order_by("-at", "-id")
        .values("actor")[:1]
    )


def factsheets_reviewable_by(user) -> QuerySet[Factsheet]:
    """Factsheets in review that this user may decide on (four eyes: none holding their own changes since the
    last published version, none they submitted or last edited), assigned to them or to no reviewer."""
    authored = Revision.objects.filter(
        factsheet=OuterRef("pk"), created_by=user,
        number__gt=Coalesce(Subquery(
            Publication.objects.filter(factsheet=OuterRef(OuterRef("pk")), revision__isnull=False)
            .order_by("-number").values("revision__number")[:1]), 0),
    )
    return (
        Factsheet.objects.filter(state=State.IN_REVIEW)
        .filter(Q(assigned_reviewer=user) | Q(assigned_reviewer__isnull=True))
        .annotate(last_submitter=_last_submitter(), authored_by_me=Exists(authored))
        .exclude(updated_by=user).exclude(last_submitter=user).exclude(authored_by_me=True)
    )


def _last_decision_revision(user):
    return Subquery(
        AuditEntry.objects.filter(factsheet=OuterRef("pk"), actor=user, action__in=["approve", "request_changes"])
        .order_by("-at", "-id").values("revision__number")[:1]
    )


QUEUES = {
    "ready_to_publish": ("Ready to publish", "Nothing is approved and waiting to be published."),
    "awaiting_review": ("Awaiting my review", "Nothing awaits your review."),
    "my_drafts": ("My drafts", "You have no drafts."),
    "changes_requested": ("Changes requested", "No changes requested of you."),
    "waiting_for_decision": ("Mine, waiting for a decision", "None of yours is in review or approved."),
    "validation_answers": ("Validation answers to read", "No national validation answer waits to be read."),
}


QUEUE_ANCHORS = {"ready_to_publish": "ready-to-publish", "awaiting_review": "awaiting-my-review",
                 "my_drafts": "my-drafts", "changes_requested": "changes-requested",
                 "waiting_for_decision": "waiting-for-decision", "validation_answers": "validation-answers"}


def dashboard(*, user, limit: int = 25) -> dict[str, dict[str, Any]]:
    """The admin index queues of the user's roles, each with its items and total count: "Ready to publish"
    (editors), "Awaiting my review" (reviewers), "My drafts", "Changes requested" and "Mine, waiting for a
    decision" (analysts: assigned to them, or unassigned and last touched by them)."""
    base = Factsheet.objects.select_related("country", "edition", "assigned_analyst", "assigned_reviewer")
    mine = Q(assigned_analyst=user) | (Q(assigned_analyst__isnull=True)
                                       & (Q(updated_by=user) | Q(last_submitter=user)))
    querysets: dict[str, QuerySet] = {}
    if has_role_permission(user, "publish"):
        querysets["ready_to_publish"] = base.filter(state=State.APPROVED).order_by("updated_at")
    if has_role_permission(user, "approve"):
        querysets["awaiting_review"] = (
            factsheets_reviewable_by(user).select_related("country", "edition", "assigned_analyst")
            .annotate(my_last_review=_last_decision_revision(user)).order_by("updated_at")
        )
    if has_role_permission(user, "request_validation"):
        querysets["validation_answers"] = (
            ValidationRequest.objects.filter(answered_at__isnull=False, read_at__isnull=True)
            .select_related("factsheet__country", "factsheet__edition").order_by("answered_at")
        )
    if has_role_permission(user, "submit"):
        authored = base.annotate(last_submitter=_last_submitter())
        querysets["my_drafts"] = authored.filter(mine, state=State.DRAFT).order_by("-updated_at")
        querysets["changes_requested"] = authored.filter(mine, state=State.CHANGES_REQUESTED).order_by("-updated_at")
        querysets["waiting_for_decision"] = authored.filter(
            mine, state__in=[State.IN_REVIEW, State.APPROVED]).order_by("-updated_at")
    panels = {}
    for key, queryset in querysets.items():
        title, empty = QUEUES[key]
        items = list(queryset[:limit])
        count = len(items) if len(items) < limit else queryset.count()  # a count query only for long queues
        panels[key] = {"title": title, "empty": empty, "items": items, "count": count,
                       "anchor": QUEUE_ANCHORS[key]}
    return panels


def users_with_role_permission(action: str):
    """Active users who may take an action (the choices of the assignment form)."""
    app_label, _, codename = required_permission(action).partition(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    users = get_user_model().objects.filter(is_active=True)
    if permission is None:
        return users.filter(is_superuser=True)
    return users.filter(Q(groups__permissions=permission) | Q(user_permissions=permission)
                        | Q(is_superuser=True)).distinct().order_by("username")

