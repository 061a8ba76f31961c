"""Footnote calls that cannot print stop Submit, Approve and Publish; the edit form warns on save (issue 11.1)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from editorial import services
from editorial.permissions import WorkflowError
from editorial.rendering.document import factsheet_document
from editorial.rendering.pdf import factsheet_html
from factsheets.models import State
from tests import factories
from tests.editorial.conftest import footprint
from tests.factsheets.test_admin import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_pdf(monkeypatch):
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda *a, **k: b"%PDF-1.7 test")


def _break(factsheet, html):
    factsheet.introduction = html
    factsheet.save(update_fields=["introduction"])


@pytest.mark.parametrize("html, fragment", [
    ("<p>Text.[^nonexistent]</p>", "[^nonexistent] is called but not defined"),
    ('<p><a href="https://example.org/[^one]" title="x">link</a></p>', "inside a link"),
    ('<p><a href="https://example.org/" title="see [^one]">link</a></p>', "inside a link"),
])
def test_submit_refuses_a_call_that_cannot_print_and_names_the_section(users, factsheet, walk_to, html, fragment):
    walk_to(factsheet, State.DRAFT)
    _break(factsheet, html)
    services.revision_record(factsheet=factsheet, by=users["analyst"])
    before = footprint(factsheet)
    with pytest.raises(WorkflowError) as error:
        services.factsheet_submit(factsheet=factsheet, by=users["analyst"])
    assert fragment in error.value.message
    assert "Introduction" in error.value.message
    assert footprint(factsheet) == before


@pytest.mark.parametrize("state, action, role", [
    (State.IN_REVIEW, "approve", "reviewer"),
    (State.APPROVED, "publish", "editor"),
])
def test_approve_and_publish_refuse_an_undefined_call(users, factsheet, walk_to, state, action, role):
    walk_to(factsheet, state)
    # Behind the workflow's back (as an import or a script could): the rows change but no revision is recorded.
    factsheet.footnotes.all().delete()
    before = footprint(factsheet)
    with pytest.raises(WorkflowError, match=r"\[\^one\] is called but not defined"):
        services.factsheet_transition(factsheet=factsheet, by=users[role], action=action)
    assert footprint(factsheet)[0] == before[0] == state
    assert not factsheet.publications.exists()


def test_unused_footnotes_do_not_block(users, factsheet, walk_to):
    walk_to(factsheet, State.DRAFT)
    factories.FootnoteFactory(factsheet=factsheet, key="spare")
    services.revision_record(factsheet=factsheet, by=users["analyst"])
    services.factsheet_submit(factsheet=factsheet, by=users["analyst"])
    factsheet.refresh_from_db()
    assert factsheet.state == State.IN_REVIEW


def test_a_call_inside_an_attribute_never_garbles_the_printed_markup(factsheet):
    _break(factsheet, '<p>See <a href="https://example.org/" title="note [^one]">the report</a>.[^one]</p>')
    html = factsheet_html(factsheet_document(factsheet))
    assert 'title="note [^one]"' in html
    assert html.count('class="fn"') == 1


def test_the_edit_form_warns_on_save_about_undefined_and_unused_footnotes(users, factsheet, walk_to, client):
    walk_to(factsheet, State.DRAFT)
    factories.FootnoteFactory(factsheet=factsheet, key="spare")
    client.force_login(users["analyst"])
    url = reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])
    page = client.get(url)
    data = form_data(page)
    data["introduction"] = "<p>Changed.[^ghost]</p>"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("[^ghost] is called but not defined" in t and "cannot be submitted" in t for t in texts), texts
    assert any("[^spare] is defined but never called" in t for t in texts), texts
    assert any("[^one] is defined but never called" in t for t in texts), texts

