# ruff: noqa: F811 - the fixtures imported from test_validation are used as arguments
"""Validation answers that mean what they say (issue 17.4, 17.5, 19.6): a confirmation counts for the revision and the
publication cycle it was given for; an old link never shows a later draft; a confirmation with a proposed
correction is refused (the form says so first) and the staff panel names the sections with corrections."""

import pytest
from django.core.cache import cache, caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from editorial import services
from editorial.models import ValidationAnswer, ValidationRequest
from editorial.permissions import WorkflowError
from factsheets.models import Section, State
from tests.editorial.conftest import walk
from tests.editorial.test_validation import answer_data, contact, mexico, send, token_of  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def renders(monkeypatch):
    """The snapshots rendered as PDFs (a stand-in file each)."""
    seen = []

    def render(factsheet, snapshot=None, **kwargs):
        seen.append(snapshot)
        return b"%PDF-1.7 test"
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", render)
    return seen


@pytest.fixture(autouse=True)
def _fresh_caches():
    cache.clear()
    caches["shared"].clear()


def _url(sent):
    return reverse("editorial:validation", args=[token_of(sent.link)])


def _section(factsheet, kind):
    return Section.objects.get(edition=factsheet.edition, kind=kind)


def _with_correction(request, section, verdict, text="The 2023 budget is wrong."):
    data = answer_data(request, verdict=verdict)
    data.update({f"section-{section.pk}-status": "correction", f"section-{section.pk}-comment": text})
    return data


def _rewrite_introduction(factsheet, by, text="<p>Rewritten after the confirmation.</p>"):
    factsheet.refresh_from_db()
    factsheet.introduction = text
    factsheet.save()
    services.revision_record(factsheet=factsheet, by=by)


@pytest.fixture
def required(mexico):
    mexico.edition.validation_required = True
    mexico.edition.save()
    return mexico


# --- 17.4: a confirmation is bound to its revision and its publication cycle ----------------------------------

def test_a_confirmation_of_an_earlier_revision_does_not_let_approve_through(required, contact, users, client):
    mexico, analyst, reviewer = required, users["analyst"], users["reviewer"]
    sent = send(mexico, contact, analyst)
    assert client.post(_url(sent), answer_data(sent.request)).status_code == 302
    _rewrite_introduction(mexico, analyst)
    services.factsheet_submit(factsheet=mexico, by=analyst)
    mexico.refresh_from_db()
    with pytest.raises(WorkflowError) as refused:
        services.factsheet_approve(factsheet=mexico, by=reviewer)
    message = refused.value.message
    assert f"confirmed revision {sent.request.revision.number}" in message
    assert "Introduction" in message  # what changed since
    assert mexico.state == State.IN_REVIEW
    # Asked again about the revision under review, and confirmed: Approve goes through.
    services.factsheet_request_changes(factsheet=mexico, by=reviewer, comment="Ask the ministry again.")
    again = send(mexico, contact, analyst)
    assert again.request.revision.number > sent.request.revision.number
    client.post(_url(again), answer_data(again.request))
    services.factsheet_submit(factsheet=mexico, by=analyst)
    mexico.refresh_from_db()
    services.factsheet_approve(factsheet=mexico, by=reviewer)


def test_a_confirmation_does_not_carry_over_to_the_next_publication_cycle(required, contact, users, client):
    mexico = required
    sent = send(mexico, contact, users["analyst"])
    client.post(_url(sent), answer_data(sent.request))
    walk(mexico, State.PUBLISHED, users)
    mexico.refresh_from_db()
    assert mexico.state == State.PUBLISHED
    services.factsheet_start_new_draft(factsheet=mexico, by=users["editor"])
    mexico.refresh_from_db()
    mexico.correction_note = "Updates the 2023 budget."
    mexico.save()
    services.revision_record(factsheet=mexico, by=users["analyst"])
    services.factsheet_submit(factsheet=mexico, by=users["analyst"])
    mexico.refresh_from_db()
    with pytest.raises(WorkflowError, match="before version 1 was published"):
        services.factsheet_approve(factsheet=mexico, by=users["reviewer"])


# --- 17.5: an old link shows what was sent, nothing newer --------------------------------------------------

def test_after_publication_an_old_link_says_so_and_never_shows_the_next_draft(mexico, contact, users, client,
                                                                            renders):
    sent = send(mexico, contact, users["analyst"])
    walk(mexico, State.PUBLISHED, users)
    services.factsheet_start_new_draft(factsheet=mexico, by=users["editor"])
    _rewrite_introduction(mexico, users["analyst"], "<p>A newer draft that nobody sent out.</p>")
    page = client.get(_url(sent))
    html = page.content.decode()
    assert page.status_code == 200
    assert "newer draft" not in html and "The factsheet changed since" not in html
    assert "has been published" in html
    assert reverse("portal:factsheet", args=[2023, "mx"]) in html
    renders.clear()
    pdf = client.get(reverse("editorial:validation_draft_pdf", args=[token_of(sent.link)]))
    assert pdf.status_code == 200 and renders == [sent.request.revision.snapshot]


def test_before_publication_the_page_lists_what_changed_since_beside_the_revision_sent(mexico, contact, users,
                                                                                      client):
    sent = send(mexico, contact, users["analyst"])
    _rewrite_introduction(mexico, users["analyst"], "<p>A sentence added after the request.</p>")
    html = client.get(_url(sent)).content.decode()
    assert "The factsheet changed since we sent you this request" in html
    body = html.split('id="changes-title"')[1]
    assert "added after the request" in body  # in the list of changes ...
    assert "the factsheet below is the version we sent you" in html  # ... not in the factsheet shown


# --- 19.6: a confirmation means "correct as it stands" ----------------------------------------------------

def test_a_confirmation_with_a_proposed_correction_is_refused_and_the_form_says_so_first(mexico, contact, users,
                                                                                       client):
    sent = send(mexico, contact, users["analyst"])
    url = _url(sent)
    before = client.get(url).content.decode()
    assert "If you propose a correction, choose “Corrections needed”" in before
    policies = _section(mexico, "policies")
    response = client.post(url, _with_correction(sent.request, policies, "confirmed"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"You propose a correction in “{policies}”: “I confirm this factsheet” means" in html
    assert "The 2023 budget is wrong." in html  # what they typed is kept on screen
    request = ValidationRequest.objects.get(pk=sent.request.pk)
    assert request.verdict == "" and not request.answers.exists()


def test_a_correction_given_earlier_counts_until_that_section_is_marked_correct(mexico, contact, users, client):
    sent = send(mexico, contact, users["analyst"])
    url = _url(sent)
    policies = _section(mexico, "policies")
    assert client.post(url, _with_correction(sent.request, policies, "corrections")).status_code == 302
    untouched = answer_data(sent.request)
    del untouched[f"section-{policies.pk}-status"]  # the earlier correction stands
    assert client.post(url, untouched).status_code == 200
    assert ValidationRequest.objects.get(pk=sent.request.pk).verdict == "corrections"
    assert client.post(url, answer_data(sent.request)).status_code == 302  # every section correct now
    assert ValidationRequest.objects.get(pk=sent.request.pk).verdict == "confirmed"


def test_the_staff_panel_names_the_sections_that_carry_corrections(mexico, contact, users, client):
    sent = send(mexico, contact, users["analyst"])
    data = _with_correction(sent.request, _section(mexico, "policies"), "corrections")
    intro = _section(mexico, "introduction")
    data.update({f"section-{intro.pk}-status": "correction", f"section-{intro.pk}-comment": "Say 2024."})
    client.post(_url(sent), data)
    staff = Client()
    staff.force_login(users["reviewer"])
    panel = staff.get(reverse("admin:factsheets_factsheet_change", args=[mexico.pk])).content.decode()
    panel = panel.split('id="validation"')[1]
    policies = _section(mexico, "policies")
    assert f"Corrections proposed on 2 sections: {intro}, {policies}" in panel


def test_a_contradiction_recorded_earlier_reads_confirmed_with_corrections_and_confirms_nothing(required, contact,
                                                                                             users):
    mexico = required
    sent = send(mexico, contact, users["analyst"])
    policies = _section(mexico, "policies")
    ValidationAnswer.objects.create(request=sent.request, section=policies, section_title=str(policies),
                                    status="correction", comment="Wrong budget.")
    ValidationAnswer.objects.create(request=sent.request, section=None, status="confirmed")
    ValidationRequest.objects.filter(pk=sent.request.pk).update(verdict="confirmed", answered_at=timezone.now())
    services.factsheet_submit(factsheet=mexico, by=users["analyst"])
    mexico.refresh_from_db()
    with pytest.raises(WorkflowError, match="requires the national authority's confirmation"):
        services.factsheet_approve(factsheet=mexico, by=users["reviewer"])
    staff = Client()
    staff.force_login(users["reviewer"])
    panel = staff.get(reverse("admin:factsheets_factsheet_change", args=[mexico.pk])).content.decode()
    assert "Confirmed with corrections" in panel.split('id="validation"')[1]
