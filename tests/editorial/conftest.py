"""Fixtures of the editorial tests: users per role, a small factsheet, a walk to a state, the rendered demo PDFs
(once per test run: rendering is the slowest part of the suite)."""

import pytest
from django.core.management import call_command
from django.db import transaction

from editorial import services
from editorial.rendering.document import factsheet_document
from editorial.rendering.pdf import factsheet_pdf
from factsheets.models import Factsheet, State, Vocabulary
from tests import factories
from tests.editorial.pdf_helpers import page_texts


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
    from editorial.models import Publication

    analyst, reviewer, editor = users["analyst"], users["reviewer"], users["editor"]
    factsheet.updated_by = analyst
    update = ["updated_by"]
    if not factsheet.correction_note and Publication.objects.released().filter(factsheet=factsheet).exists():
        factsheet.correction_note = "Corrects the test data."  # a new version tells readers what it changes
        update.append("correction_note")
    factsheet.save(update_fields=update)
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
    services.publish_job_request(factsheet=factsheet, by=editor)
    if state == State.PUBLISHED:
        return factsheet
    services.factsheet_withdraw(factsheet=factsheet, by=editor, comment="Superseded.")
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


@pytest.fixture(scope="session")
def demo_pdfs(django_db_setup, django_db_blocker, tmp_path_factory):
    """The real factsheets, each rendered once for the whole test run: {year: {"path", "pdf", "passes", "report",
    "pages", "layout_pages", "doc", "policies", "texts", "summary"}} for Mexico 2020 and 2023, "summary" being the
    PDF of the edition's summary report once both are published."""
    from django.core.cache import cache
    from django.test import Client, override_settings

    folder = tmp_path_factory.mktemp("pdfs")
    (folder / "static").mkdir()
    result = {}
    with (django_db_blocker.unblock(), transaction.atomic(),
          override_settings(MEDIA_ROOT=folder / "media", STATIC_ROOT=folder / "static")):
        call_command("load_demo", "--no-users", verbosity=0)
        for factsheet in Factsheet.objects.select_related("edition", "country"):
            year = factsheet.edition.year
            rendered = factsheet_pdf(factsheet)
            path = folder / f"mx-{year}.pdf"
            path.write_bytes(rendered.data)
            doc = factsheet_document(factsheet)
            policies = [
                {
                    "categories": [c.label for field in ("objectives", "authority_roles", "beneficiaries",
                                                         "financial_instruments", "technical_instruments",
                                                         "eu_priorities") for c in getattr(p, field).all()]
                    + [c.label for c in (p.policy_type, p.focus, p.evaluation) if c],
                    "other": p.beneficiaries_other,
                }
                for p in doc.factsheet.policies.all()
            ]
            texts = {
                "footnotes": {f.key: f.text for f in doc.factsheet.footnotes.all()},
                "sources": _call_sources(doc.factsheet),
                "references": [(r.citation, r.url_label or r.url) for r in doc.factsheet.references.all()],
            }
            result[year] = {
                "path": path, "pdf": rendered.data, "passes": rendered.passes, "report": rendered.report,
                "pages": page_texts(path), "layout_pages": page_texts(path, mode="-layout"),
                "doc": doc, "policies": policies, "texts": texts,
            }
            factories.publish_fast(factsheet)
        cache.clear()
        client = Client()
        for year, data in result.items():
            response = client.get(f"/factsheets/{year}/summary.pdf")
            assert response.status_code == 200
            data["summary"] = response.content
            (folder / f"summary-{year}.pdf").write_bytes(response.content)
        cache.clear()
        transaction.set_rollback(True)
    return result


def _call_sources(factsheet) -> list[str]:
    """Every stored text of the factsheet that may call a footnote."""
    from factsheets.services import factsheet_texts

    return [t for t in factsheet_texts(factsheet) if t]


@pytest.fixture(autouse=True)
def _static_root(settings, tmp_path):
    """WhiteNoise warns (an error under filterwarnings) when STATIC_ROOT does not exist."""
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STATIC_ROOT.mkdir()
