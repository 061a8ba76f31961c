"""Downloads of published PDFs at a static file's pace. Every process keeps a map of the live versions (year, country,
number → file) and checks, at each download, one stamp in the shared cache (Redis in production) that changes in
the very transaction commit that publishes, withdraws or releases anything (publications_changed): a hit costs
one cache read, no database query, no session, authentication, axes or CSP work. The middleware answers the
download URLs from the map; the views (editorial.views) answer with the same response when the middleware is not
in the stack, so the two cannot drift apart."""

import re
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header, http_date

from editorial.models import Publication

STAMP_KEY = "editorial:publications-stamp"
DOWNLOAD_PATH = re.compile(r"^/factsheets/(?P<year>[0-9]{1,6})/(?P<code>[a-z]{2})(?:/v(?P<number>[0-9]{1,9}))?\.pdf$")


@dataclass(frozen=True)
class Download:
    """What a download needs to know about a live version (no model instance, so no lazy query)."""

    name: str  # in the media storage
    file_name: str  # as the reader's browser saves it
    sha256: str
    size: int
    published_at: datetime

    @classmethod
    def of(cls, publication: Publication) -> "Download":
        return cls(name=publication.pdf.name, file_name=publication.file_name, sha256=publication.pdf_sha256,
                   size=publication.pdf_size, published_at=publication.published_at)


def _stamps():
    return caches["shared"]


def stamp_get() -> str:
    """The current state of what the public sees, as a token: it changes whenever a version goes live or is
    withdrawn. A lost stamp (a flushed cache) is replaced, which makes every process read the versions again."""
    stamp = _stamps().get(STAMP_KEY)
    if stamp is None:
        _stamps().add(STAMP_KEY, uuid.uuid4().hex, timeout=None)
        stamp = _stamps().get(STAMP_KEY)
    return stamp


def stamp_bump() -> None:
    _stamps().set(STAMP_KEY, uuid.uuid4().hex, timeout=None)


def publications_changed_receiver(sender, **kwargs) -> None:
    """Receiver of editorial.publishing.signals.publications_changed (sent inside the transaction that changes what
    the public sees): the stamp changes at once and again when that transaction commits, so no process keeps the
    map it read before the commit (a rollback only costs a reading)."""
    stamp_bump()
    transaction.on_commit(stamp_bump)


class LiveDownloads:
    """The live versions of every factsheet, read in one query whenever the stamp changes."""

    def __init__(self):
        self._lock = threading.Lock()
        self._stamp: str | None = None
        self._current: dict[tuple[int, str], Download] = {}
        self._versions: dict[tuple[int, str, int], Download] = {}

    def find(self, *, year: int, code: str, number: int | None) -> Download | None:
        stamp = stamp_get()
        if stamp != self._stamp:
            self._load(stamp)
        code = code.upper()
        return self._current.get((year, code)) if number is None else self._versions.get((year, code, number))

    def forget(self) -> None:
        """Read the versions again at the next download, whatever the stamp says."""
        with self._lock:
            self._stamp, self._current, self._versions = None, {}, {}

    def _load(self, stamp: str) -> None:
        with self._lock:
            if stamp == self._stamp:
                return
            current, versions = {}, {}
            for publication in Publication.objects.live().select_related("factsheet__country", "factsheet__edition") \
                    .only("number", "pdf", "pdf_sha256", "pdf_size", "published_at", "factsheet__country__code",
                          "factsheet__country__name", "factsheet__edition__year").order_by("number"):
                key = (publication.factsheet.edition.year, str(publication.factsheet.country.code))
                versions[(*key, publication.number)] = current[key] = Download.of(publication)
            self._current, self._versions, self._stamp = current, versions, stamp


live_downloads = LiveDownloads()


def download_response(request, download: Download, *, immutable: bool) -> HttpResponse:
    """The download of a live version, with its ETag, Last-Modified and caching headers; 304 when the reader has it
    already. A front server (EDITORIAL_SENDFILE_HEADER) may send the bytes; then Django only decides."""
    etag = f'"{download.sha256}"'
    last_modified = download.published_at.timestamp()
    response = get_conditional_response(request, etag=etag, last_modified=int(last_modified))
    if response is None:
        header = settings.EDITORIAL_SENDFILE_HEADER
        if header:
            response = HttpResponse(content_type="application/pdf")
            storage = Publication._meta.get_field("pdf").storage
            location = settings.EDITORIAL_SENDFILE_PREFIX + download.name
            response[header] = location if header == "X-Accel-Redirect" else storage.path(download.name)
            response["Content-Disposition"] = content_disposition_header(True, download.file_name)
        else:
            storage = Publication._meta.get_field("pdf").storage
            response = FileResponse(storage.open(download.name, "rb"), content_type="application/pdf",
                                    as_attachment=True, filename=download.file_name)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "public, max-age=31536000, immutable" if immutable else "public, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    if not response.streaming and not response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))  # as CommonMiddleware gives the view's answer
    response._csp_exempt = True  # a PDF runs no script: no policy to build for it
    return response


class DownloadMiddleware:
    """Answers GET and HEAD of a live version's PDF (`/factsheets/<year>/<cc>.pdf`, `…/<cc>/v<n>.pdf`) before the
    session, authentication, CSRF, axes and the URL resolver; anything else (a miss included: the view then
    answers 404) goes on down the stack. Place it right after SecurityMiddleware and WhiteNoise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            match = DOWNLOAD_PATH.match(request.path_info)
            if match is not None:
                number = match["number"]
                found = live_downloads.find(year=int(match["year"]), code=match["code"],
                                            number=int(number) if number else None)
                if found is not None:
                    return download_response(request, found, immutable=number is not None)
        return self.get_response(request)
