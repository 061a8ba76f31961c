"""Render each demo factsheet once per test module (rendering is the slow part)."""

import pytest
from django.core.management import call_command
from django.db import transaction

from editorial.document import factsheet_document
from editorial.rendering import render_factsheet_pdf
from factsheets.models import Factsheet
from tests.editorial.pdf_helpers import page_texts


@pytest.fixture(scope="module")
def demo_pdfs(django_db_setup, django_db_blocker, tmp_path_factory):
    """{year: {"path", "pdf", "pages", "layout_pages", "doc", "factsheet"}} for Mexico 2020 and 2023."""
    folder = tmp_path_factory.mktemp("pdfs")
    result = {}
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", "--no-users", verbosity=0)
        for factsheet in Factsheet.objects.select_related("edition", "country"):
            year = factsheet.edition.year
            pdf = render_factsheet_pdf(factsheet)
            path = folder / f"mx-{year}.pdf"
            path.write_bytes(pdf)
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
            }
            result[year] = {
                "path": path, "pdf": pdf, "pages": page_texts(path), "layout_pages": page_texts(path, mode="-layout"),
                "doc": doc, "policies": policies, "texts": texts,
            }
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
