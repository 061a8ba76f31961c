"""The team's day, holes found in the walkthrough (issue 19.5–19.7): assigning a published factsheet starts the
work (or says who can), a confirmation with corrections is refused, links in e-mails follow the served address."""

import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from editorial import services, team
from editorial.models import AuditEntry, ValidationRequest
from editorial.national_validation import services as validation
from editorial.permissions import can
from factsheets.models import NationalContact, Section, State

pytestmark = pytest.mark.django_db


# --- 19.5 assignment starts the work -------------------------------------------------------------------------

def test_assigning_a_published_factsheet_opens_a_new_draft_for_the_analyst(
        users, factsheet, walk_to, client, django_capture_on_commit_callbacks):
    walk_to(factsheet, State.PUBLISHED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheets_assign(factsheets=[factsheet], by=users["editor"], analyst=users["analyst"])
    factsheet.refresh_from_db()
    assert factsheet.state == State.DRAFT and factsheet.publications.get().withdrawn_at is None
    body = mail.outbox[-1].body
    assert "write or update it" in body and "submit it for review" in body
    queues = team.dashboard(user=users["analyst"])
    assert factsheet in queues["my_drafts"]["items"]
    client.force_login(users["analyst"])
    page = client.get(reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])).content.decode()
    assert "This version is published and cannot change" not in page and 'name="_continue"' in page


def test_an_analyst_allowed_on_assignment_starts_the_revision_themselves(
        users, factsheet, walk_to, django_capture_on_commit_callbacks):
    walk_to(factsheet, State.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheets_assign(factsheets=[factsheet], by=users["editor"], analyst=users["analyst"],
                                   published="allow")
    factsheet.refresh_from_db()
    assert factsheet.state == State.PUBLISHED and factsheet.analyst_may_reopen
    assert "click “Start new draft”" in mail.outbox[-1].body
    assert can(users["analyst"], "start_new_draft", factsheet)
    other = users["nobody"]
    assert not can(other, "start_new_draft", factsheet)
    services.factsheet_start_new_draft(factsheet=factsheet, by=users["analyst"])
    factsheet.refresh_from_db()
    assert factsheet.state == State.DRAFT and not factsheet.analyst_may_reopen  # allowed once


def test_left_published_the_page_says_who_can_open_it_and_the_analyst_asks_the_editor(
        users, factsheet, walk_to, client, django_capture_on_commit_callbacks):
    walk_to(factsheet, State.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        services.factsheets_assign(factsheets=[factsheet], by=users["editor"], analyst=users["analyst"],
                                   published="leave")
    body = mail.outbox[-1].body
    assert "write or update it" not in body and "“Ask the editor”" in body  # the words match what the page allows
    client.force_login(users["analyst"])
    page = client.get(reverse("admin:factsheets_factsheet_change", args=[factsheet.pk])).content.decode()
    assert "Only an editor can open a new draft of it: edi, root" in page and "Ask the editor" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:factsheets_factsheet_reopen_ask", args=[factsheet.pk]))
    assert response.status_code == 302
    assert {users["editor"].email, users["superuser"].email} <= set(mail.outbox[-1].to)
    assert "asks for a new draft" in mail.outbox[-1].body
    assert AuditEntry.objects.filter(factsheet=factsheet, action="reopen_asked", actor=users["analyst"]).exists()
    factsheet.refresh_from_db()
    assert factsheet.state == State.PUBLISHED  # asking changes nothing but the timeline
    reviewer_page = client.get(reverse("admin:factsheets_factsheet_change", args=[factsheet.pk]))
    assert reviewer_page.status_code == 200


def test_the_dashboards_assign_form_offers_the_choice(users, factsheet, walk_to, client):
    walk_to(factsheet, State.PUBLISHED)
    client.force_login(users["editor"])
    url = reverse("admin:factsheets_edition_factsheets", args=[factsheet.edition.year])
    assert 'value="allow"' in client.get(url).content.decode()
    client.post(url, {"factsheets": [factsheet.pk], "analyst": users["analyst"].pk, "published": "allow"})
    factsheet.refresh_from_db()
    assert factsheet.analyst_may_reopen and factsheet.state == State.PUBLISHED


# --- 19.6 validation answers that mean what they say ---------------------------------------------------------

@pytest.fixture
def sent(demo, users, monkeypatch):
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda *a, **k: b"%PDF-1.7 test")
    mexico = demo[2023]
    contact = NationalContact.objects.get(country=mexico.country)
    (request,) = validation.validation_request_send(factsheet=mexico, contacts=[contact], by=users["analyst"],
                                                     message="", deadline=timezone.localdate() + timedelta(days=9))
    return request


def test_a_confirmation_with_a_proposed_correction_is_refused_and_the_form_says_so(client, sent, users):
    url = reverse("editorial:validation", args=[re.search(r"/validate/([^/]+)/", sent.link)[1]])
    page = client.get(url).content.decode()
    assert "If you propose a correction on any section, choose “Corrections needed”" in page
    policies = Section.objects.get(edition=sent.request.factsheet.edition, kind="policies")
    data = {"verdict": "confirmed", "comment": ""}
    for section in Section.objects.filter(edition=sent.request.factsheet.edition):
        data[f"section-{section.pk}-status"] = "correct"
    data.update({f"section-{policies.pk}-status": "correction", f"section-{policies.pk}-comment": "Budget wrong."})
    response = client.post(url, data)
    assert response.status_code == 200
    assert "You proposed corrections on 2. National cluster policy" in response.content.decode()
    request = ValidationRequest.objects.get(pk=sent.request.pk)
    assert request.verdict == "" and not request.answers.exists()
    data["verdict"] = "corrections"
    assert client.post(url, data).status_code == 302
    # Confirming later without withdrawing the correction is refused too (the earlier answer still stands).
    with pytest.raises(ValidationError, match="2. National cluster policy"):
        validation.validation_answer_submit(request=request, answers=[], verdict="confirmed")
    staff = client.__class__()
    staff.force_login(users["analyst"])
    panel = staff.get(reverse("admin:factsheets_factsheet_change", args=[request.factsheet.pk])
                      ).content.decode().split('id="validation"')[1]
    assert "corrections</span> on 2. National cluster policy" in panel


# --- 19.7 links in e-mails follow the served address ---------------------------------------------------------

def test_make_run_gives_the_served_address_to_the_links_in_e_mails():
    root = Path(__file__).resolve().parents[2]
    dry = subprocess.run(["make", "-n", "run", "HOST=127.0.0.1:8507"], cwd=root, capture_output=True, text=True,
                         check=False, env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"}).stdout
    assert "DJANGO_SITE_URL=http://127.0.0.1:8507" in dry.splitlines()[-1]
    dry = subprocess.run(["make", "-n", "run"], cwd=root, capture_output=True, text=True, check=False,
                         env={"PATH": "/usr/bin:/bin", "HOME": "/tmp",
                              "DJANGO_SITE_URL": "https://factsheets.example.org"}).stdout
    assert "DJANGO_SITE_URL=https://factsheets.example.org" in dry.splitlines()[-1]
    assert "DJANGO_SITE_URL" in (root / "README.md").read_text()


def test_e_mail_links_use_the_site_url(users, factsheet, walk_to, settings, django_capture_on_commit_callbacks):
    settings.EDITORIAL_SITE_URL = "http://127.0.0.1:8507"
    with django_capture_on_commit_callbacks(execute=True):
        walk_to(factsheet, State.IN_REVIEW)
    assert f"http://127.0.0.1:8507/admin/factsheets/factsheet/{factsheet.pk}/change/" in mail.outbox[-1].body
