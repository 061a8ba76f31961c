"""The download fast path (issue 23.2): a live version's PDF answered by a middleware from a per-process map of the
live versions, checked against one stamp in the shared cache; the same response as the view's, no query on a hit,
and never a version that is not live, even one request after it stopped being live."""

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from editorial import services
from editorial.models import Publication
from editorial.publishing import downloads
from tests import factories

pytestmark = pytest.mark.django_db

MIDDLEWARE_PATH = "editorial.publishing.downloads.DownloadMiddleware"
COMPARED = ["Content-Type", "Content-Disposition", "Content-Length", "ETag", "Last-Modified", "Cache-Control",
            "X-Content-Type-Options"]
LOCAL_SHARED_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shared-downloads"},
}


@pytest.fixture
def published():
    factsheet = factories.FactsheetFactory(country__code="MX", country__name="Mexico", edition__year=2023)
    factories.SectionFactory(edition=factsheet.edition, kind="introduction", number=1, title="Introduction")
    return factories.publish_fast(factsheet)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _without_fast_path(settings):
    return [m for m in settings.MIDDLEWARE if m != MIDDLEWARE_PATH]


def _answered_by_the_fast_path(monkeypatch) -> list[str]:
    """Which paths the middleware answered itself (the others went down the stack)."""
    answered = []
    real = downloads.download_response

    def spy(request, download, **kwargs):
        answered.append(request.path)
        return real(request, download, **kwargs)
    monkeypatch.setattr(downloads, "download_response", spy)
    return answered


@pytest.mark.parametrize("path", ["/factsheets/2023/mx.pdf", "/factsheets/2023/mx/v1.pdf"])
def test_the_fast_path_serves_exactly_what_the_view_serves(client, settings, published, monkeypatch, path):
    answered = _answered_by_the_fast_path(monkeypatch)
    fast = client.get(path)
    assert answered == [path] and fast.status_code == 200
    with override_settings(MIDDLEWARE=_without_fast_path(settings)):
        slow = Client().get(path)  # a new client loads the middleware as it now is
    assert answered == [path]  # the second one went through the whole stack to the view
    assert slow.status_code == 200
    assert {h: fast.get(h) for h in COMPARED} == {h: slow.get(h) for h in COMPARED}
    fast_body, slow_body = _body(fast), _body(slow)
    assert fast_body == slow_body and fast_body.startswith(b"%PDF")
    for headers in ({"HTTP_IF_NONE_MATCH": fast["ETag"]}, {"HTTP_IF_MODIFIED_SINCE": fast["Last-Modified"]}):
        fast_304 = client.get(path, **headers)
        with override_settings(MIDDLEWARE=_without_fast_path(settings)):
            slow_304 = Client().get(path, **headers)
        assert fast_304.status_code == slow_304.status_code == 304
        assert {h: fast_304.get(h) for h in COMPARED} == {h: slow_304.get(h) for h in COMPARED}


def test_a_cached_hit_costs_no_query(client, settings, published, django_assert_num_queries):
    settings.CACHES = LOCAL_SHARED_CACHE
    client.get("/factsheets/2023/mx.pdf")  # the first reads the live versions (one query)
    with django_assert_num_queries(0):
        assert client.get("/factsheets/2023/mx.pdf").status_code == 200
        assert client.get("/factsheets/2023/mx/v1.pdf").status_code == 200
        assert client.get("/factsheets/2023/mx.pdf", HTTP_IF_NONE_MATCH=f'"{published.pdf_sha256}"'
                          ).status_code == 304


def test_a_withdrawal_is_seen_by_the_very_next_request(client, settings, published, users):
    settings.CACHES = LOCAL_SHARED_CACHE
    assert client.get("/factsheets/2023/mx.pdf").status_code == 200
    factsheet = published.factsheet
    factsheet.refresh_from_db()
    services.factsheet_withdraw(factsheet=factsheet, by=users["editor"], comment="Wrong figures.")
    assert client.get("/factsheets/2023/mx.pdf").status_code == 404
    assert client.get("/factsheets/2023/mx/v1.pdf").status_code == 404


def test_a_new_version_is_served_by_the_very_next_request(client, settings, published, monkeypatch):
    settings.CACHES = LOCAL_SHARED_CACHE
    answered = _answered_by_the_fast_path(monkeypatch)
    first = client.get("/factsheets/2023/mx.pdf")
    assert first["Content-Length"] == str(published.pdf_size)
    factories.publish_fast(published.factsheet)
    assert client.get("/factsheets/2023/mx/v2.pdf").status_code == 200
    assert answered[-1] == "/factsheets/2023/mx/v2.pdf"  # from the fast path's map, read again: not a miss
    assert _body(client.get("/factsheets/2023/mx/v1.pdf")) == _body(first)


def test_a_deleted_version_is_gone_from_the_very_next_request(client, settings, published):
    settings.CACHES = LOCAL_SHARED_CACHE
    assert client.get("/factsheets/2023/mx/v1.pdf").status_code == 200
    published.delete()  # as from a shell: no service announces it
    assert client.get("/factsheets/2023/mx/v1.pdf").status_code == 404
    assert client.get("/factsheets/2023/mx.pdf").status_code == 404


def test_a_change_seen_by_another_process_through_the_stamp_only(client, settings, published):
    """Another process's map is the same object here: what makes it read again is the stamp alone."""
    settings.CACHES = LOCAL_SHARED_CACHE
    client.get("/factsheets/2023/mx.pdf")
    Publication.objects.filter(pk=published.pk).update(withdrawn_at=timezone.now())  # no signal: nothing told
    assert client.get("/factsheets/2023/mx.pdf").status_code == 200  # the map holds until the stamp changes
    downloads.stamp_bump()  # what a withdrawal's commit does in the process that made it
    assert client.get("/factsheets/2023/mx.pdf").status_code == 404


def test_nothing_but_a_live_version_is_answered_by_the_fast_path(client, settings, published, monkeypatch):
    settings.CACHES = LOCAL_SHARED_CACHE
    answered = _answered_by_the_fast_path(monkeypatch)
    factsheet = factories.FactsheetFactory(country__code="BR", edition=published.factsheet.edition)
    prepared = factories.publish_fast(factsheet)
    Publication.objects.filter(pk=prepared.pk).update(embargoed=True)  # prepared for a release to come
    downloads.stamp_bump()
    for path in ("/factsheets/2023/br.pdf", "/factsheets/2023/br/v1.pdf", "/factsheets/2023/mx/v2.pdf",
                 "/factsheets/2023/zz.pdf", "/factsheets/1999/mx.pdf"):
        assert client.get(path).status_code == 404, path
    assert client.post("/factsheets/2023/mx.pdf").status_code == 405  # the view's answer: GET and HEAD only
    assert answered == []


def test_a_process_that_read_the_versions_before_the_withdrawal_committed_reads_them_again(
        client, settings, published, users, django_capture_on_commit_callbacks):
    """Rule: the stamp changes again when the change commits. Another process that read the live versions after the
    first change of the stamp but before the commit (so without the withdrawal) must not keep that map."""
    from editorial.publishing.signals import publications_changed

    settings.CACHES = LOCAL_SHARED_CACHE
    other = downloads.LiveDownloads()  # another process's map
    assert other.find(year=2023, code="mx", number=None) is not None
    before_commit = (other._current, other._versions)
    reads = []

    def another_process_reads(sender, **kwargs):  # runs after the stamp's receiver, inside the transaction
        other._stamp, (other._current, other._versions) = downloads.stamp_get(), before_commit
        reads.append(other._stamp)

    publications_changed.connect(another_process_reads, dispatch_uid="test.another_process_reads")
    try:
        factsheet = published.factsheet
        factsheet.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            services.factsheet_withdraw(factsheet=factsheet, by=users["editor"], comment="Wrong figures.")
    finally:
        publications_changed.disconnect(dispatch_uid="test.another_process_reads")
    assert reads, "the withdrawal announced nothing"
    assert other.find(year=2023, code="mx", number=None) is None
    assert other.find(year=2023, code="mx", number=1) is None
