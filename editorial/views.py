"""Public download pages of published factsheets and the staff-only draft preview."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header, http_date
from django.views.decorators.cache import never_cache
from django.views.decorators.http import condition, require_safe

from editorial import permissions
from editorial.models import Publication
from editorial.publishing.selectors import publication_current_get, publication_version_get
from editorial.rendering import pdf as pdf_rendering
from editorial.selectors import latest_revision
from factsheets.models import Factsheet


def _once(request, key, find):
    """The ETag, Last-Modified and response of one download share one lookup (one query per request)."""
    found = request.__dict__.setdefault("_publications", {})
    if key not in found:
        found[key] = find()
    return found[key]


def _current(request, year, country, **kwargs):
    return _once(request, ("current", year, country),
                 lambda: publication_current_get(year=year, country_code=country))


def _version(request, year, country, number, **kwargs):
    return _once(request, ("version", year, country, number),
                 lambda: publication_version_get(year=year, country_code=country, number=number))


def _serve(publication: Publication | None, *, immutable: bool):
    if publication is None:
        raise Http404("No published factsheet here.")
    header = settings.EDITORIAL_SENDFILE_HEADER
    if header:  # the front server sends the bytes; Django only decides (permission, version, caching headers)
        response = HttpResponse(content_type="application/pdf")
        location = settings.EDITORIAL_SENDFILE_PREFIX + publication.pdf.name
        response[header] = location if header == "X-Accel-Redirect" else publication.pdf.path
        response["Content-Disposition"] = content_disposition_header(True, publication.file_name)
    else:
        response = FileResponse(
            publication.pdf.open("rb"), content_type="application/pdf", as_attachment=True,
            filename=publication.file_name,
        )
    response["ETag"] = f'"{publication.pdf_sha256}"'
    response["Last-Modified"] = http_date(publication.published_at.timestamp())
    response["Cache-Control"] = "public, max-age=31536000, immutable" if immutable else "public, max-age=300"
    return response


def _etag(finder):
    def etag(request, *args, **kwargs):
        publication = finder(request, *args, **kwargs)
        return f'"{publication.pdf_sha256}"' if publication else None
    return etag


def _last_modified(finder):
    def last_modified(request, *args, **kwargs):
        publication = finder(request, *args, **kwargs)
        return publication.published_at if publication else None
    return last_modified


@require_safe
@condition(etag_func=_etag(_current), last_modified_func=_last_modified(_current))
def factsheet_download(request, year: int, country: str):
    return _serve(_current(request, year, country), immutable=False)


@require_safe
@condition(etag_func=_etag(_version), last_modified_func=_last_modified(_version))
def factsheet_download_version(request, year: int, country: str, number: int):
    return _serve(_version(request, year, country, number), immutable=True)


@require_safe
@never_cache
@login_required
def factsheet_preview(request, pk: int):
    """Render any factsheet's current working copy as a watermarked draft (staff with view permission)."""
    if not (request.user.is_staff and permissions.can(request.user, "view")):
        raise PermissionDenied
    factsheet = get_object_or_404(Factsheet.objects.select_related("country", "edition"), pk=pk)
    revision = latest_revision(factsheet=factsheet)
    number = revision.number if revision else 0
    # The working copy as a snapshot of now, through the same path as a publication.
    pdf = pdf_rendering.render_factsheet_pdf(factsheet, draft=True,
                                             revision_label=f"revision {number}" if revision else None)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"DRAFT-{factsheet.country.code}-{factsheet.edition.year}-r{number or factsheet.lock_version}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["X-Robots-Tag"] = "noindex"
    return response
