"""The public portal: published factsheets as pages, the edition explorer, compare, the summary report and the
open data. Published content only: every page reads the live publications and their approved revisions."""

import re
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from editorial import permissions
from editorial.rendering.pdf import render_branded_pdf
from portal import explorer, selectors
from portal.caching import public
from portal.compare import comparison
from portal.opendata import site
from portal.search import selectors as search_selectors
from portal.search.forms import SearchForm
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
    return render(request, "portal/index.html", {"editions": selectors.editions_index(), "nav": "home"})


@require_safe
@public()
def factsheet(request, year: int, country: str):
    code = _code(country)
    page = selectors.factsheet_page(year=year, code=code)
    if page is None:
        raise Http404("No published factsheet here.")
    return render(request, "portal/factsheet.html", {**page, "year": year, "code": code})


@require_safe
@public(query=True)
def edition(request, year: int):
    records = _edition_records(year)
    filters = explorer.parse(request.GET)
    return render(request, "portal/explorer.html", {
        "year": year, "filters": filters, "scored": any(r.scored for r in records),
        **explorer.explore(records, filters),
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
    })


def _summary_context(request, year: int, *, preview: bool) -> dict:
    records = selectors.summary_preview_records(year=year) if preview else _edition_records(year)
    if not records:
        raise Http404("No factsheet of this edition is published.")
    return {"year": year, "summary": edition_summary(records), "preview": preview, "records": records,
            "data_url": site(f"/data/{year}/data.json")}


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


def _edition_records(year: int):
    records = selectors.edition_records(year=year)
    if not records:
        raise Http404("No factsheet of this edition is published.")
    return records
