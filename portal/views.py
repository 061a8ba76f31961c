"""The public portal: published factsheets as pages, the edition explorer, compare, the summary report and the
open data. Published content only: every page reads the live publications and their approved revisions."""

import re
from urllib.parse import urlencode

from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from editorial import permissions
from editorial.notifications import absolute
from editorial.publishing import summaries
from editorial.publishing.selectors import publication_version_get
from editorial.rendering.pdf import render_branded_pdf
from portal import covers, explorer, selectors, seo
from portal.caching import public
from portal.compare import comparison
from portal.feeds import publications_feed
from portal.opendata import site
from portal.search import selectors as search_selectors
from portal.search.forms import SearchForm
from portal.sitemaps import SITEMAPS
from portal.summary import edition_summary

COMPARE_KEY = re.compile(r"^(\d{4})-([a-z]{2})$")
COMPARE_MAX = 4


def _code(country: str) -> str:
    if not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise Http404("No such country.")
    return country.lower()


def _absolute(request):
    """Absolute links from the canonical site (DJANGO_SITE_URL), never from the request's Host header: a cached
    page or data file says the same whoever asked for it."""
    return absolute


@require_safe
@public()
def index(request):
    return render(request, "portal/index.html", {"editions": selectors.editions_index(), "nav": "home",
                                                 "meta": seo.index_meta()})


@require_safe
@public()
def factsheet(request, year: int, country: str):
    code = _code(country)
    page = selectors.factsheet_page(year=year, code=code)
    if page is None:
        raise Http404("No published factsheet here.")
    meta = seo.factsheet_meta(publication=page["publication"], earlier=page["earlier"], year=year, code=code)
    return render(request, "portal/factsheet.html", {**page, "year": year, "code": code, "meta": meta})


@require_safe
def factsheet_cover(request, year: int, country: str, number: int):
    """The preview image of a live version for social sites, rendered once per publication (portal/covers.py)."""
    publication = publication_version_get(year=year, country_code=_code(country), number=number)
    if publication is None:
        raise Http404("No published factsheet here.")
    etag = f'"{publication.pdf_sha256[:32]}-{covers.DESIGN}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        png = covers.cover_or_none(publication)
        if png is None:
            raise Http404("No preview image for this factsheet.")
        response = HttpResponse(png, content_type="image/png")
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=7 * 24 * 3600)  # a version's image never changes
    return response


@require_safe
@public(query=True)
def edition(request, year: int):
    records = _edition_records(year)
    filters = explorer.canonical(explorer.parse(request.GET), records)
    wanted = filters.query_string()
    if request.META.get("QUERY_STRING", "") != wanted:  # one spelling per set of filters: the only one cached
        return HttpResponsePermanentRedirect(request.path + (f"?{wanted}" if wanted else ""))
    shown = filters.url(drop="sort")  # the canonical address keeps the filters, not the order
    return render(request, "portal/explorer.html", {
        "year": year, "filters": filters, "scored": any(r.scored for r in records),
        **explorer.explore(records, filters),
        "meta": seo.explorer_meta(year=year, records=records, query="" if shown == "?" else shown),
    })


@require_safe
@public(query=True)
def search(request):
    years, countries = search_selectors.search_choices()
    form = SearchForm(request.GET, years=years, countries=countries)
    results, pages = None, {}
    if form.is_valid() and form.query is not None:
        data = form.cleaned_data
        results = search_selectors.search(query=form.query, year=data["edition"], code=data["country"] or None,
                                          page=data["page"])
        kept = [(name, data[name]) for name in ("q", "edition", "country") if data[name]]
        pages = {"previous": urlencode([*kept, ("page", results.page - 1)]) if results.page > 1 else "",
                 "next": urlencode([*kept, ("page", results.page + 1)]) if results.page < results.pages else "",
                 "restart": urlencode(kept), "first": (results.page - 1) * search_selectors.PAGE_SIZE + 1,
                 "country": dict(countries).get(data["country"], "")}
    return render(request, "portal/search.html", {
        "form": form, "results": results, "pages": pages, "search_q": request.GET.get("q", "")[:300],
        "meta": seo.search_meta(query=form.cleaned_data["q"].strip() if form.is_valid() else ""),
    })


def _compare_keys(request) -> list[tuple[int, str]]:
    keys = []
    for value in request.GET.getlist("f")[:20]:
        match = COMPARE_KEY.match(value.strip().lower())
        if match and (int(match[1]), match[2]) not in keys:
            keys.append((int(match[1]), match[2]))
    return keys[:COMPARE_MAX]


def _compare_query(request) -> str:
    """The compare page's canonical query (its cache key): the factsheets it shows, and whether more were asked."""
    keys = [f"f={year}-{code}" for year, code in _compare_keys(request)]
    return "&".join(keys + (["more"] if len(request.GET.getlist("f")) > COMPARE_MAX else []))


@require_safe
@public(query=_compare_query)
def compare(request):
    keys = _compare_keys(request)
    found = selectors.compare_records(keys=keys)
    records = [found[k] for k in keys if k in found]
    missing = [f"{year}-{code}" for year, code in keys if (year, code) not in found]
    return render(request, "portal/compare.html", {
        "records": records, "missing": missing, "choices": selectors.compare_choices(),
        "selected": [r.key for r in records], "slots": range(COMPARE_MAX),
        "too_many": len(request.GET.getlist("f")) > COMPARE_MAX,
        "comparison": comparison(records) if len(records) >= 2 else None, "nav": "compare",
        "meta": seo.compare_meta(records=records),
    })


def _summary_context(request, year: int, *, preview: bool) -> dict:
    records = selectors.summary_preview_records(year=year) if preview else _edition_records(year)
    if not records:
        raise Http404("No factsheet of this edition is published.")
    return {"year": year, "summary": edition_summary(records), "preview": preview, "records": records,
            "data_url": site(f"/data/{year}/data.json"), "meta": seo.summary_meta(year=year, preview=preview)}


def _preview_allowed(request) -> bool:
    if request.GET.get("preview") != "1":
        return False
    user = request.user
    if not (user.is_authenticated and user.is_staff and permissions.can(user, "view")):
        raise PermissionDenied
    return True


@require_safe
def summary(request, year: int):
    if _preview_allowed(request):
        return _summary_preview(request, year)
    return _summary_public(request, year)


def _summary_stored(year: int):
    """The stored summary of the edition's live versions (rendered when they were published), or None while it is
    being rendered (a moment after a change, or a worker down)."""
    records = _edition_records(year)
    fingerprint = summaries.summary_fingerprint((r.code, r.revision_id) for r in records)
    return records, summaries.summary_get(edition_year=year, fingerprint=fingerprint)


def _summary_pending() -> HttpResponse:
    return HttpResponse("The summary report is being prepared: try again in a minute.", status=503,
                        content_type="text/plain; charset=utf-8", headers={"Retry-After": "30"})


@public()
def _summary_public(request, year: int):
    records, stored = _summary_stored(year)
    if stored is None:
        return _summary_pending()
    return render(request, "portal/summary.html", {"year": year, "preview": False, "stored_html": stored.html,
                                                   "summary": {"countries": len(records)},
                                                   "meta": seo.summary_meta(year=year, preview=False)})


@never_cache
def _summary_preview(request, year: int):
    response = render(request, "portal/summary.html", _summary_context(request, year, preview=True))
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def summary_pdf(request, year: int):
    if _preview_allowed(request):
        return never_cache(_summary_pdf)(request, year, preview=True)
    return _summary_pdf_public(request, year)


@public(max_age=300)
def _summary_pdf_public(request, year: int):
    """The stored PDF, rendered when the edition's live versions were published: never on a reader's request."""
    _records, stored = _summary_stored(year)
    if stored is None:
        return _summary_pending()
    with stored.pdf.open("rb") as file:
        response = HttpResponse(file.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ECCP-Country-Factsheets-Summary-{year}.pdf"'
    return response


def _summary_pdf(request, year: int, *, preview: bool):  # editors' preview only
    context = _summary_context(request, year, preview=preview)
    html = render_to_string("portal/print/summary.html", context, request=request)
    pdf = render_branded_pdf(html, name=f"Summary report {year}")
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"ECCP-Country-Factsheets-Summary-{year}{'-PREVIEW' if preview else ''}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require_safe
@public()
def version_changes(request, year: int, country: str, number: int):
    code = _code(country)
    found = selectors.version_changes(year=year, code=code, number=number)
    if found is None:
        raise Http404("No such version, or no version before it.")
    return render(request, "portal/version_changes.html", {
        **found, "year": year, "code": code,
        "meta": seo.page_meta(title=f"{found['publication'].factsheet.country.name}, {year}: what changed in "
                                    f"version {number}",
                              description=f"What version {number} of the {year} country factsheet of "
                                          f"{found['publication'].factsheet.country.name} changed, in words.",
                              path=reverse("portal:version_changes", args=[year, code, number]))})


@require_safe
@public(max_age=300)
def feed(request, year: int | None = None):
    return publications_feed(request, year=year) if year is not None else publications_feed(request)


def _edition_records(year: int):
    records = selectors.edition_records(year=year)
    if not records:
        raise Http404("No factsheet of this edition is published.")
    return records


# --- for search engines -----------------------------------------------------------------------------------------

@require_safe
@public(max_age=3600)
def sitemap(request):
    response = sitemap_view(request, sitemaps=SITEMAPS)
    response.render()
    return response


ROBOTS = """User-agent: *
Disallow: /admin/
Disallow: /validate/
Disallow: /editorial/
Disallow: /*preview=

Sitemap: {sitemap}
"""


@require_safe
@public(max_age=3600)
def robots(request):
    """Keeps crawlers out of the back office, the national validation links and the editors' previews."""
    return HttpResponse(ROBOTS.format(sitemap=seo.absolute(reverse("portal:sitemap"))),
                        content_type="text/plain; charset=utf-8")
