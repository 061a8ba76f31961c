"""Corrections in public (issue 19.2): a new version of a published factsheet needs a public note, approved with
the revision; the note is on the factsheet page's versions, in the PDF's colophon, in the data files and the
feed; readers see what changed in words."""

import io
import json

import pytest
from django.urls import reverse
from pypdf import PdfReader

from editorial import services
from editorial.completeness import IncompleteFactsheet
from editorial.models import Publication
from editorial.selectors import latest_revision
from factsheets.models import State

pytestmark = pytest.mark.django_db

NOTE = "Corrects the 2021 budget of the Nuevo León strategy"


def _pdf_text(publication) -> str:
    with publication.pdf.open("rb") as file:
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(file.read())).pages)


def test_a_new_version_needs_its_note_which_then_shows_on_the_page_pdf_data_and_feed(
        client, users, factsheet, walk_to):
    analyst, reviewer, editor = users["analyst"], users["reviewer"], users["editor"]
    walk_to(factsheet, State.PUBLISHED)
    first = Publication.objects.get(factsheet=factsheet)
    assert first.note == "" and "Version 1 of" in _pdf_text(first)  # every published PDF names its version

    services.factsheet_start_new_draft(factsheet=factsheet, by=editor)
    factsheet.refresh_from_db()
    factsheet.introduction = "<p>The quick brown fox jumps.[^one]</p>"
    factsheet.updated_by = analyst
    factsheet.save()
    services.revision_record(factsheet=factsheet, by=analyst)
    with pytest.raises(IncompleteFactsheet) as refused:
        services.factsheet_submit(factsheet=factsheet, by=analyst)
    assert "the public note on this version" in refused.value.message
    assert f'href="/admin/factsheets/factsheet/{factsheet.pk}/change/#id_correction_note"' in refused.value.html
    factsheet.refresh_from_db()
    assert factsheet.state == State.DRAFT

    factsheet.correction_note = NOTE
    factsheet.save()
    services.revision_record(factsheet=factsheet, by=analyst)
    services.factsheet_submit(factsheet=factsheet, by=analyst)
    assert latest_revision(factsheet=factsheet).snapshot["factsheet"]["correction_note"] == NOTE
    services.factsheet_approve(factsheet=factsheet, by=reviewer)
    services.publish_job_request(factsheet=factsheet, by=editor)
    second = Publication.objects.get(factsheet=factsheet, number=2)
    assert second.note == NOTE and second.revision.snapshot["factsheet"]["correction_note"] == NOTE

    text = " ".join(_pdf_text(second).split())
    assert "Version 2 of" in text and NOTE in text and "Version 1 of" in text  # the colophon, with the history

    year, code = factsheet.edition.year, str(factsheet.country.code).lower()
    page = client.get(f"/factsheets/{year}/{code}/").content.decode()
    assert f'<span class="version-note">{NOTE}</span>' in page
    assert reverse("portal:version_changes", args=[year, code, 2]) in page
    compare = client.get(f"/factsheets/compare/?f={year}-{code}&f={year}-{code}").content.decode()
    assert f'href="{reverse("portal:version_changes", args=[year, code, 2])}"' in compare and NOTE in compare
    changes = client.get(reverse("portal:version_changes", args=[year, code, 2])).content.decode()
    assert "Introduction" in changes and "fox<ins> jumps</ins>" in changes and NOTE in changes
    data = json.loads(client.get(f"/data/{year}/{code}.json").content)
    assert data["factsheets"][0]["version_note"] == NOTE and data["factsheets"][0]["version"] == 2
    assert NOTE in client.get(f"/data/{year}/{code}.csv").content.decode()
    feed = client.get("/factsheets/feed.atom").content.decode()
    assert f"{factsheet.country.name}, {year} edition: version 2" in feed and NOTE in feed

    services.factsheet_start_new_draft(factsheet=factsheet, by=editor)  # the next version needs its own note
    factsheet.refresh_from_db()
    assert factsheet.correction_note == ""


def test_the_note_is_part_of_what_the_reviewer_approves(users, factsheet, walk_to):
    """Changing the note after the approval makes the approval stale, like any other change."""
    walk_to(factsheet, State.PUBLISHED)
    services.factsheet_start_new_draft(factsheet=factsheet, by=users["editor"])
    factsheet.refresh_from_db()
    walk_to(factsheet, State.APPROVED)  # the walk writes a note
    factsheet.correction_note = "Something else entirely"
    factsheet.save()
    services.revision_record(factsheet=factsheet, by=users["analyst"])
    factsheet.refresh_from_db()
    assert factsheet.state == State.DRAFT


def test_every_public_page_links_the_feeds(client, users, factsheet, walk_to):
    walk_to(factsheet, State.PUBLISHED)
    year, code = factsheet.edition.year, str(factsheet.country.code).lower()
    for url in ["/factsheets/", f"/factsheets/{year}/", f"/factsheets/{year}/{code}/", f"/factsheets/{year}/summary/",
                "/factsheets/compare/"]:
        html = client.get(url).content.decode()
        assert '<link rel="alternate" type="application/atom+xml"' in html and 'href="/factsheets/feed.atom"' in html
    assert f'href="/factsheets/{year}/feed.atom"' in client.get(f"/factsheets/{year}/").content.decode()
    feed = client.get(f"/factsheets/{year}/feed.atom")
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    assert f"{factsheet.country.name}, {year} edition: new factsheet" in feed.content.decode()


def test_a_withdrawal_is_in_the_feed(client, users, factsheet, walk_to):
    walk_to(factsheet, State.WITHDRAWN)
    feed = client.get("/factsheets/feed.atom").content.decode()
    assert f"{factsheet.country.name}, {factsheet.edition.year} edition: withdrawn" in feed
