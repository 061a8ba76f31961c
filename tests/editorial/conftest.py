"""Fixtures of the editorial tests: users per role, a small factsheet, and a helper that walks it to a state."""

import pytest

from editorial import services
from factsheets.models import State, Vocabulary
from tests import factories


@pytest.fixture
def users(make_user):
    return {
        "nobody": make_user(username="nobody"),
        "analyst": make_user(role="Analyst", username="ana"),
        "reviewer": make_user(role="Reviewer", username="rev"),
        "editor": make_user(role="Editor", username="edi"),
        "superuser": make_user(username="root", is_superuser=True),
    }


@pytest.fixture
def factsheet(db):
    """A small factsheet: one policy with categories, an assessment, a topic text, a footnote and a reference."""
    edition = factories.EditionFactory(year=2031)
    objective = factories.CategoryFactory(edition=edition, vocabulary=Vocabulary.OBJECTIVE, label="Innovation")
    factories.CategoryFactory(edition=edition, vocabulary=Vocabulary.OBJECTIVE, label="Internationalisation")
    factories.SectionFactory(edition=edition, kind="introduction", title="Introduction", number=1, order=1)
    fs = factories.FactsheetFactory(edition=edition, introduction="<p>The quick brown fox.[^one]</p>")
    policy = factories.PolicyFactory(factsheet=fs, order=1, name="Cluster programme")
    policy.objectives.set([objective])
    factories.AssessmentFactory(factsheet=fs)
    factories.QualitativeAssessmentFactory(factsheet=fs)
    factories.FootnoteFactory(factsheet=fs, key="one", text="<p>A note.</p>")
    factories.ReferenceFactory(factsheet=fs, order=1)
    return fs


def walk(factsheet, state, users):
    """Bring a factsheet to a state through the services: the analyst edits and submits, the reviewer decides,
    the editor publishes."""
    analyst, reviewer, editor = users["analyst"], users["reviewer"], users["editor"]
    factsheet.updated_by = analyst
    factsheet.save(update_fields=["updated_by"])
    services.revision_record(factsheet=factsheet, by=analyst, reason="Edited")
    if state == State.DRAFT:
        return factsheet
    services.factsheet_submit(factsheet=factsheet, by=analyst)
    if state == State.IN_REVIEW:
        return factsheet
    if state == State.CHANGES_REQUESTED:
        services.factsheet_request_changes(factsheet=factsheet, by=reviewer, comment="Fix the introduction.")
        return factsheet
    services.factsheet_approve(factsheet=factsheet, by=reviewer)
    if state == State.APPROVED:
        return factsheet
    services.factsheet_publish(factsheet=factsheet, by=editor)
    if state == State.PUBLISHED:
        return factsheet
    services.factsheet_withdraw(factsheet=factsheet, by=editor)
    return factsheet


@pytest.fixture
def walk_to(users):
    def go(factsheet, state):
        walk(factsheet, state, users)
        factsheet.refresh_from_db()
        assert factsheet.state == state
        return factsheet

    return go


def footprint(factsheet):
    """Everything a workflow action may change, to prove a refused action changed nothing."""
    factsheet.refresh_from_db()
    return (
        factsheet.state, factsheet.lock_version, factsheet.audit_entries.count(), factsheet.revisions.count(),
        factsheet.publications.count(), factsheet.publications.filter(withdrawn_at__isnull=False).count(),
        factsheet.review_comments.count(),
    )
