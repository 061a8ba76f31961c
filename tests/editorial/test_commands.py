import io

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from editorial.models import Publication

pytestmark = pytest.mark.django_db


def test_publish_demo_publishes_each_factsheet_once(demo, settings):
    out = io.StringIO()
    call_command("publish_demo", stdout=out)
    assert Publication.objects.count() == 2
    assert "Published Mexico 2023 v1" in out.getvalue()
    publication = Publication.objects.get(factsheet=demo[2023])
    with publication.pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    call_command("publish_demo", stdout=io.StringIO())
    assert Publication.objects.count() == 2


def test_render_factsheet_writes_a_pdf(demo, tmp_path):
    target = tmp_path / "out.pdf"
    call_command("render_factsheet", "mx", "2020", "-o", str(target), "--draft", stdout=io.StringIO())
    reader = PdfReader(str(target))
    assert 11 <= len(reader.pages) <= 17
    assert "DRAFT" in reader.pages[3].extract_text()


def test_render_factsheet_unknown_factsheet(demo, tmp_path):
    with pytest.raises(CommandError, match="no 2023 factsheet for FR"):
        call_command("render_factsheet", "FR", "2023", "-o", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_render_edition_renders_published_factsheets(demo, tmp_path):
    with pytest.raises(CommandError, match="No published factsheet"):
        call_command("render_edition", "2023", "-o", str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO())
    call_command("publish_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("render_edition", "2023", "--jobs", "1", "-o", str(tmp_path), stdout=out, stderr=io.StringIO())
    assert (tmp_path / "ECCP-Country-Factsheet-Mexico-2023.pdf").read_bytes().startswith(b"%PDF")
    assert not (tmp_path / "ECCP-Country-Factsheet-Mexico-2020.pdf").exists()
    assert "Rendered 1 factsheet(s)" in out.getvalue()


def test_publish_demo_goes_through_the_workflow_records(demo):
    from factsheets.models import State

    call_command("publish_demo", stdout=io.StringIO())
    factsheet = demo[2023]
    factsheet.refresh_from_db()
    assert factsheet.state == State.PUBLISHED
    publication = factsheet.publications.get()
    assert publication.revision is not None and publication.revision.number == 1
    entry = factsheet.audit_entries.get()
    assert (entry.action, entry.from_state, entry.to_state) == ("publish", State.DRAFT, State.PUBLISHED)


def test_publish_demo_leaves_factsheets_past_draft_alone(demo):
    from factsheets.models import Factsheet, State

    Factsheet.objects.filter(pk=demo[2020].pk).update(state=State.IN_REVIEW)
    call_command("publish_demo", stdout=io.StringIO())
    assert not Publication.objects.filter(factsheet=demo[2020]).exists()


def test_render_edition_publish_uses_the_publish_jobs(users, factsheet, walk_to, monkeypatch):
    from io import StringIO

    from editorial.models import PublishJob

    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda fs, snapshot=None, **k: b"%PDF-1.7 test")
    walk_to(factsheet, "approved")
    out = StringIO()
    call_command("render_edition", str(factsheet.edition.year), "--publish", users["editor"].username, stdout=out,
                 stderr=StringIO())
    assert "Published 1 of 1" in out.getvalue()
    job = PublishJob.objects.get()
    assert job.batch and job.status == "done" and job.requested_by == users["editor"]
    with pytest.raises(CommandError, match="No active user"):
        call_command("render_edition", str(factsheet.edition.year), "--publish", "nobody-here")
