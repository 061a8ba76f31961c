"""The team's day, holes found in the walkthrough (issue 19.5–19.7): assigning a published factsheet starts the
work (or says who can), a confirmation with corrections is refused, links in e-mails follow the served address."""

import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from editorial import services, team
from editorial.models import AuditEntry
from editorial.permissions import can
from factsheets.models import State

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


# 19.6 (validation answers that mean what they say) is tested in test_validation_answers.py.


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
