"""The public portal: published factsheets as pages, the edition explorer, compare, the summary report and the
open data. Published content only: every page reads the live publications and their approved revisions."""

import json
import re

from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from editorial import permissions
from editorial.rendering import render_branded_pdf
from editorial.selectors import publication_version_get
from portal import covers, explorer, opendata, selectors, seo
from portal.caching import public
from portal.compare import comparison
from portal.sitemaps import SITEMAPS
from portal.summary import edition_summary

COMPARE_KEY = re.compile(r"^(\d{4})-([a-z]{2})$")
COMPARE_MAX = 4


def _code(country: str) -> str:
    if not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise Http404("No such country.")
    return country.lower()


def _absolute(request):
    return lambda path: request.build_absolute_uri(path)


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
    filters = explorer.parse(request.GET)
    shown = filters.url(drop="sort")  # the canonical address keeps the filters, not the order
    return render(request, "portal/explorer.html", {
        "year": year, "filters": filters, "scored": any(r.scored for r in records),
        **explorer.explore(records, filters),
        "meta": seo.explorer_meta(year=year, records=records, query="" if shown == "?" else shown),
    })


def _compare_keys(request) -> list[tuple[int, str]]:
    keys = []
    for value in request.GET.getlist("f")[:20]:
        match = COMPARE_KEY.match(value.strip().lower())
        if match and (int(match[1]), match[2]) not in keys:
            keys.append((int(match[1]), match[2]))
    return keys[:COMPARE_MAX]


@require_safe
@public(query=True)
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
            "meta": seo.summary_meta(year=year, preview=preview)}


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


@public()
def _summary_public(request, year: int):
    return render(request, "portal/summary.html", _summary_context(request, year, preview=False))


@never_cache
def _summary_preview(request, year: int):
    response = render(request, "portal/summary.html", _summary_context(request, year, preview=True))
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def summary_pdf(request, year: int):
    if _preview_allowed(request):
        return never_cache(_summary_pdf)(request, year, preview=True)
    return public(max_age=300)(_summary_pdf)(request, year, preview=False)


def _summary_pdf(request, year: int, *, preview: bool):
    context = _summary_context(request, year, preview=preview)
    html = render_to_string("portal/print/summary.html", context, request=request)
    pdf = render_branded_pdf(html, name=f"Summary report {year}")
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"ECCP-Country-Factsheets-Summary-{year}{'-PREVIEW' if preview else ''}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


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


# --- open data ------------------------------------------------------------------------------------------------

def _json(data, content_type="application/json") -> HttpResponse:
    return HttpResponse(json.dumps(data, ensure_ascii=False, indent=1), content_type=f"{content_type}; charset=utf-8")


def _csv(text: str, name: str) -> HttpResponse:
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require_safe
@public(max_age=300, cors=True)
def data_schema(request):
    return _json(opendata.schema(_absolute(request)), "application/schema+json")


@require_safe
@public(max_age=300, cors=True)
def data_catalog(request):
    return _json(opendata.catalog(selectors.editions_catalog(), _absolute(request)), "application/ld+json")


def _edition_records(year: int):
    records = selectors.edition_records(year=year)
    if not records:
        raise Http404("No factsheet of this edition is published.")
    return records


@require_safe
@public(max_age=300, cors=True)
def data_edition_json(request, year: int):
    return _json(opendata.edition_data(year, _edition_records(year), _absolute(request)))


@require_safe
@public(max_age=300, cors=True)
def data_edition_csv(request, year: int):
    return _csv(opendata.policies_csv(_edition_records(year), _absolute(request)), f"eccp-factsheets-{year}.csv")


@require_safe
@public(max_age=300, cors=True)
def data_edition_state_csv(request, year: int):
    return _csv(opendata.state_csv(_edition_records(year)), f"eccp-factsheets-{year}-state-of-play.csv")


def _one_record(year: int, country: str):
    found = selectors.compare_records(keys=[(year, _code(country))])
    if not found:
        raise Http404("No published factsheet here.")
    return next(iter(found.values()))


@require_safe
@public(max_age=300, cors=True)
def data_factsheet_json(request, year: int, country: str):
    record = _one_record(year, country)
    data = opendata.edition_data(year, [record], _absolute(request))
    data["title"] = f"ECCP country factsheet {record.country} {year}"
    return _json(data)


@require_safe
@public(max_age=300, cors=True)
def data_factsheet_csv(request, year: int, country: str):
    record = _one_record(year, country)
    return _csv(opendata.policies_csv([record], _absolute(request)), f"eccp-factsheet-{record.key}.csv")


