"""The editorial writes, one module per concern, named here for the admin, the commands and the tests:
transitions (the workflow's decisions and comments), revisions (recording, reverting, methodology changes,
category merges, imports), publishing (requests, jobs), team (assignment) and national validation. The admin's
single entry point for a workflow action, factsheet_transition, lives here because it spans them."""

from editorial.audit import EditConflict, lock_version_claim
from editorial.permissions import WorkflowError
from editorial.publishing.jobs import demo_publish, publication_pages_fill, publish_job_run
from editorial.publishing.requests import StaleApproval, batch_retry, edition_publish, publish_job_request
from editorial.publishing.tasks import publish_jobs_recover
from editorial.revisions import (
    category_merge,
    methodology_changed,
    revision_record,
    revision_revert,
    revisions_record_for_import,
)
from editorial.snapshots import snapshot_restore
from editorial.team import factsheets_assign, reopen_ask, users_deactivate
from editorial.transitions import (
    carry_forward_issue_handle,
    factsheet_approve,
    factsheet_request_changes,
    factsheet_start_new_draft,
    factsheet_submit,
    factsheet_withdraw,
    review_comment_add,
    review_comment_resolve,
)
from factsheets.models import Factsheet

__all__ = [
    "EditConflict", "StaleApproval", "WorkflowError", "batch_retry", "carry_forward_issue_handle", "category_merge",
    "demo_publish", "edition_publish", "factsheet_approve", "factsheet_request_changes", "factsheet_start_new_draft",
    "factsheet_submit", "factsheet_transition", "factsheet_withdraw", "factsheets_assign", "lock_version_claim",
    "methodology_changed", "publication_pages_fill", "publish_job_request", "publish_job_run",
    "publish_jobs_recover", "reopen_ask", "review_comment_add", "review_comment_resolve", "revision_record",
    "revision_revert", "revisions_record_for_import", "snapshot_restore", "users_deactivate",
]

TRANSITION_SERVICES = {
    "submit": factsheet_submit,
    "request_changes": factsheet_request_changes,
    "approve": factsheet_approve,
    "publish": publish_job_request,
    "withdraw": factsheet_withdraw,
    "start_new_draft": factsheet_start_new_draft,
}


def factsheet_transition(*, factsheet: Factsheet, by, action: str, comment: str = "", **anchor):
    """Run the service of a workflow action by its name (the admin's single entry point): a transition of the
    working copy, or "withdraw" (an action on its live publication); "publish" returns the publish job, the others
    the audit entry."""
    if action not in TRANSITION_SERVICES:
        raise WorkflowError(f"Unknown action “{action}”.")
    if action == "request_changes":
        return factsheet_request_changes(factsheet=factsheet, by=by, comment=comment, **anchor)
    return TRANSITION_SERVICES[action](factsheet=factsheet, by=by, comment=comment)
