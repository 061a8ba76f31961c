"""Public download pages of published factsheets and the staff-only draft preview."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from editorial import permissions
from editorial.models import Publication
from editorial.publishing.downloads import Download, download_response
from editorial.publishing.selectors import publication_current_get, publication_version_get
from editorial.rendering import pdf as pdf_rendering
from editorial.selectors import latest_revision
from factsheets.models import Factsheet


def _serve(request, publication: Publication | None, *, immutable: bool):
    if publication is None:
        raise Http404("No published factsheet here.")
    return download_response(request, Download.of(publication), immutable=immutable)


@require_safe
def factsheet_download(request, year: int, country: str):
    """The current version's PDF (answered by DownloadMiddleware when it is in the stack: the same response)."""
    return _serve(request, publication_current_get(year=year, country_code=country), immutable=False)


@require_safe
def factsheet_download_version(request, year: int, country: str, number: int):
    return _serve(request, publication_version_get(year=year, country_code=country, number=number), immutable=True)


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
