"""The editorial workflow as data: states, the transitions between them and who may take each one."""

from dataclasses import dataclass

from factsheets.models import EDITABLE_STATES as FACTSHEET_EDITABLE_STATES
from factsheets.models import State


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str
    permission: str
    comment_required: bool = False
    four_eyes: bool = False
    # The footnote calls must print (none undefined, none inside a link's attributes) before the action.
    printable: bool = False
    # Asked again on a page of its own before it runs (it takes the factsheet off the public pages).
    confirm: bool = False
    # The factsheet must hold every part its edition requires (and, for a new version, its public note).
    complete: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition("submit", "Submit for review", frozenset({State.DRAFT, State.CHANGES_REQUESTED}),
                   State.IN_REVIEW, "editorial.submit_factsheet", printable=True, complete=True),
        Transition("request_changes", "Request changes", frozenset({State.IN_REVIEW}),
                   State.CHANGES_REQUESTED, "editorial.review_factsheet", comment_required=True, four_eyes=True),
        Transition("approve", "Approve", frozenset({State.IN_REVIEW}),
                   State.APPROVED, "editorial.review_factsheet", four_eyes=True, printable=True, complete=True),
        Transition("publish", "Publish", frozenset({State.APPROVED}),
                   State.PUBLISHED, "editorial.publish_factsheet", printable=True, complete=True),
        Transition("start_new_draft", "Start new draft", frozenset({State.PUBLISHED, State.WITHDRAWN}),
                   State.DRAFT, "editorial.reopen_factsheet"),
    ]
}



@dataclass(frozen=True)
class PublicationAction:
    """An action on a factsheet's live publication, not on its working copy: possible whatever state the working
    copy is in (a new draft may be under way), as long as a version is public."""

    action: str
    label: str
    permission: str
    comment_required: bool = False
    confirm: bool = False


PUBLICATION_ACTIONS: dict[str, PublicationAction] = {
    a.action: a
    for a in [
        PublicationAction("withdraw", "Withdraw", "editorial.publish_factsheet", comment_required=True, confirm=True),
    ]
}

# What withdrawing the live version does to the working copy: a copy that is that very version (published) is
# withdrawn with it; any other (a new draft, in review, approved) keeps its state and its own way to publication.
WITHDRAW_MOVES = {State.PUBLISHED: State.WITHDRAWN}

# States whose content may be edited (defined with the states, in factsheets, which the imports check too); any
# content change in another state returns the factsheet to draft.
EDITABLE_STATES = FACTSHEET_EDITABLE_STATES

# Non-transition actions and the model permission each needs (on top of the state rules in permissions.py).
ACTION_PERMISSIONS = {
    "view": "factsheets.view_factsheet",
    "edit": "factsheets.change_factsheet",
    "revert": "factsheets.change_factsheet",
    "comment": "editorial.add_reviewcomment",
    "open_edition": "editorial.open_edition",
    "merge_category": "factsheets.delete_category",
    "delete_edition": "factsheets.delete_edition",
    "assign": "editorial.assign_factsheet",
    "resolve_comment": "factsheets.change_factsheet",
    "request_validation": "editorial.request_validation",
    "release": "editorial.publish_factsheet",
    "edit_request": "editorial.submit_factsheet",
}
