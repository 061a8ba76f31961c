"""A publish whose PDF cannot be stored says so and leaves nothing behind (issue 11.13)."""

import errno
import os
import re

import pytest
from django.core.files.storage import FileSystemStorage

from editorial import services
from factsheets.models import State

pytestmark = pytest.mark.django_db


class DiskFullStorage(FileSystemStorage):
    """Writes half the file, then fails as a full disk does."""

    def _save(self, name, content):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as partial:
            partial.write(content.read()[:100])
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture(autouse=True)
def fast_pdf(monkeypatch):
    monkeypatch.setattr("editorial.rendering.pdf.render_factsheet_pdf", lambda *a, **k: b"%PDF-1.7 " + b"x" * 1000)


def test_a_full_disk_at_publishing_publishes_nothing_and_leaves_no_file(users, factsheet, walk_to, settings,
                                                                       monkeypatch):
    walk_to(factsheet, State.APPROVED)
    storage = DiskFullStorage(location=settings.MEDIA_ROOT)
    from editorial.models import Publication

    monkeypatch.setattr(Publication._meta.get_field("pdf"), "storage", storage)
    job = services.publish_job_request(factsheet=factsheet, by=users["editor"])
    assert job.status == "failed" and job.attempts == settings.EDITORIAL_PUBLISH_ATTEMPTS  # retried, then gave up
    assert re.search("could not be stored .*No space left on device.*still approved", job.error)
    failure = factsheet.audit_entries.get(action="publish_failed")
    assert "No space left on device" in failure.comment  # in the factsheet's timeline
    factsheet.refresh_from_db()
    assert factsheet.state == State.APPROVED
    assert not factsheet.publications.exists()
    files = [f for _root, _dirs, names in os.walk(settings.MEDIA_ROOT) for f in names]
    assert files == []


def test_the_editor_reads_the_reason_in_the_admin(users, factsheet, walk_to, settings, monkeypatch, client):
    from django.urls import reverse

    from editorial.models import Publication

    walk_to(factsheet, State.APPROVED)
    monkeypatch.setattr(Publication._meta.get_field("pdf"), "storage", DiskFullStorage(location=settings.MEDIA_ROOT))
    client.force_login(users["editor"])
    response = client.post(reverse("admin:factsheets_factsheet_workflow", args=[factsheet.pk]), {"action": "publish"})
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("could not be stored" in m for m in messages), messages
