"""The factsheet page's workflow panel: what it shows this user about the factsheet's workflow."""

from typing import Any

from editorial import permissions
from editorial.national_validation.selectors import validation_panel
from editorial.publishing.selectors import publication_list, publish_status
from editorial.selectors import (
    carry_forward_issue_groups,
    factsheet_timeline,
    latest_revision,
    review_comments_open,
    revision_last_reviewed,
)
from factsheets.models import Factsheet, Section, State

STATE_NOTES = {
    State.IN_REVIEW: "Read-only while the review is under way.",
    State.APPROVED: "Read-only: approved and waiting to be published. Any change would need a new review.",
    State.PUBLISHED: "This version is published and cannot change",
    State.WITHDRAWN: "This version is withdrawn and cannot change",
}


def _reopen(user, factsheet: Factsheet, transitions) -> dict[str, Any]:
    """For an analyst on a published factsheet they may not reopen: who can, and the "Ask the editor" action."""
    from editorial.team import users_with_role_permission

    if factsheet.state not in (State.PUBLISHED, State.WITHDRAWN) or any(
            t.action == "start_new_draft" for t in transitions) or not permissions.has_role_permission(user, "submit"):
        return {"reopen_by": None, "can_ask_reopen": False}
    editors = [u.get_full_name() or u.get_username() for u in users_with_role_permission("start_new_draft")]
    return {"reopen_by": editors, "can_ask_reopen": permissions.can(user, "edit_request", factsheet)}


def workflow_panel(*, user, factsheet: Factsheet) -> dict[str, Any]:
    """Everything the factsheet page shows about its workflow for this user: state, allowed actions, the open
    change request, open comments, carry-forward issues, versions and the comparisons worth a click."""
    publications = list(publication_list(factsheet=factsheet).select_related("revision"))
    live = next((p for p in publications if p.withdrawn_at is None and not p.embargoed), None)
    prepared = next((p for p in publications if p.embargoed), None)
    factsheet._editorial_has_live = live is not None  # read by permissions.has_live_version
    transitions = permissions.allowed_transitions(user, factsheet)
    # Actions on the live version sit beside the transitions (withdrawing it leaves a new draft as it is).
    transitions += permissions.allowed_publication_actions(user, factsheet)
    publishing = publish_status(factsheet=factsheet)
    if publishing.get("active"):  # one publish at a time: the button comes back if this one fails
        transitions = [t for t in transitions if t.action != "publish"]
    timeline = factsheet_timeline(factsheet=factsheet)
    latest = latest_revision(factsheet=factsheet)
    policies = list(factsheet.policies.only("id", "order", "name", "factsheet_id"))
    reviewed, _decision = revision_last_reviewed(factsheet=factsheet, user=user)
    can_review = permissions.has_role_permission(user, "approve")
    return {
        "state": factsheet.state,
        "state_label": State(factsheet.state).label,
        "state_note": STATE_NOTES.get(factsheet.state, ""),
        "publishing": publishing,
        "transitions": transitions,
        "can_comment": permissions.can(user, "comment", factsheet),
        "comment_open": any(t.comment_required for t in transitions),
        "editable": permissions.can_edit(user, factsheet),
        "form": None,
        "sections": list(Section.objects.filter(edition_id=factsheet.edition_id)),
        "policies": policies,
        "timeline": timeline,
        "change_request": next(
            (i.entry for i in timeline if i.kind == "audit" and i.entry.action == "request_changes"), None
        ) if factsheet.state == State.CHANGES_REQUESTED else None,
        "issues": carry_forward_issue_groups(factsheet=factsheet, policies=policies),
        "open_comments": list(review_comments_open(factsheet=factsheet)),
        "can_resolve": permissions.can(user, "resolve_comment", factsheet),
        "can_handle_issues": permissions.can_edit(user, factsheet),
        "publications": publications,
        "live": live,
        "prepared": prepared,
        "prepared_release": prepared.release if prepared else None,
        **_reopen(user, factsheet, transitions),
        # offered only when it would show something
        "compare_published": bool(live and live.revision and latest and live.revision_id != latest.pk
                                  and live.revision.snapshot != latest.snapshot),
        "changes_since_review": bool(can_review and latest and (reviewed is None or reviewed.pk != latest.pk)
                                     and (reviewed is not None or factsheet.state == State.IN_REVIEW)),
        "reviewed_revision": reviewed,
        "validation": validation_panel(user=user, factsheet=factsheet),
    }
