"""The open data over HTTP: the /data/ page, the catalogue, schemas, data packages, an edition's files, one
factsheet's and one version's data. Every data file answers CORS preflights, carries its own dataset's ETag and
Last-Modified, has one canonical address (other spellings redirect) and answers a miss with a JSON 404."""

from functools import wraps

from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from portal import opendata, selectors, seo
from portal.caching import CORS_HEADERS, public
from portal.opendata.codebook import data_page

PREFLIGHT_HEADERS = {
    **CORS_HEADERS, "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since, Range", "Access-Control-Max-Age": "86400",
}
EDITION_FILES = {name for name, *_ in opendata.dcat.EDITION_FILES} | {"datapackage.json", "schema.json"}


def data_file(view):
    """GET and HEAD, a CORS preflight (OPTIONS) answered with 204, anything else 405; a miss is a JSON 404."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            for name, value in PREFLIGHT_HEADERS.items():
                response[name] = value
            return response
        if request.method not in ("GET", "HEAD"):
            response = JsonResponse({"error": "Method not allowed: use GET."}, status=405)
            response["Allow"] = "GET, HEAD, OPTIONS"
            return response
        try:
            return view(request, *args, **kwargs)
        except Http404 as error:
            return not_found(request, message=str(error) or None)
    return wrapped


def not_found(request, rest: str = "", message: str | None = None) -> JsonResponse:
    response = JsonResponse({"error": message or "No data file here.", "path": request.path,
                             "index": opendata.site("/data/")}, status=404)
    for name, value in CORS_HEADERS.items():
        response[name] = value
    return response


def _body(body: bytes, kind: str, name: str | None = None) -> HttpResponse:
    response = HttpResponse(body, content_type=opendata.CONTENT_TYPES[kind])
    if name:
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _records(year: int):
    records = selectors.edition_records(year=year)
    if not records:
        raise Http404("No factsheet of this edition is published.")
    return records


def _methodologies(years=None):
    return selectors.edition_methodologies(years=years)


def _canonical(request, country: str) -> str | None:
    """The country code as the canonical address writes it; a redirect target when it was written otherwise."""
    if not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise Http404("No such country.")
    return None if country == country.lower() else request.path.replace(f"/{country}", f"/{country.lower()}", 1)


def _year(**kwargs):
    return {"year": int(kwargs["year"])}


def _country(**kwargs):
    return {"year": kwargs["year"], "code": kwargs["country"].lower()}


def _version(**kwargs):
    return {**_country(**kwargs), "number": kwargs["number"]}


@public(max_age=300)
def data_index(request):
    meta = seo.page_meta(title="Open data", path=reverse("portal:data"),
                         description="The open data of the ECCP country factsheets: files per edition with their "
                                     "sizes, licence, how to cite them, the codebook and the changelog.")
    return render(request, "portal/data.html", {**data_page(selectors.editions_catalog(), _methodologies(),
                                                            selectors.data_changes()), "meta": meta})


@data_file
@public(max_age=300, cors=True)
def catalog(request):
    return _body(opendata.dump(opendata.catalog(selectors.editions_catalog())), "jsonld")


@data_file
@public(max_age=300, cors=True)
def schema_all(request):
    response = _body(opendata.dump(opendata.schema(_methodologies(), path="/data/schema.json", edition=False)),
                     "json")
    response["Content-Type"] = "application/schema+json; charset=utf-8"
    return response


@data_file
@public(max_age=300, cors=True)
def all_editions(request):
    return _body(opendata.dump(opendata.all_editions_data(selectors.all_records())), "json")


@data_file
@public(max_age=300, cors=True, scope=_year)
def edition_file(request, year, name: str):
    year = int(year)
    if name == "schema.json":
        methodologies = _methodologies([year])
        if not methodologies:
            raise Http404("No such edition.")
        response = _body(opendata.dump(opendata.schema(methodologies, path=f"/data/{year}/schema.json")), "json")
        response["Content-Type"] = "application/schema+json; charset=utf-8"
        return response
    body = opendata.edition_files(year, _records(year))[name]
    kind = name.rsplit(".", 1)[1]
    return _body(body, kind, None if kind == "json" else f"eccp-factsheets-{year}-{name}")


def _one(year: int, country: str):
    found = selectors.compare_records(keys=[(year, country.lower())])
    if not found:
        raise Http404("No published factsheet here.")
    return next(iter(found.values()))


@data_file
@public(max_age=300, cors=True, scope=_country)
def factsheet_json(request, year: int, country: str):
    if target := _canonical(request, country):
        return HttpResponsePermanentRedirect(target)
    record = _one(year, country)
    return _body(opendata.dump(opendata.edition_data(
        year, [record], path=f"/data/{year}/{record.code.lower()}.json",
        title=f"ECCP country factsheet {record.country} {year}")), "json")


@data_file
@public(max_age=300, cors=True, scope=_country)
def factsheet_csv(request, year: int, country: str):
    if target := _canonical(request, country):
        return HttpResponsePermanentRedirect(target)
    record = _one(year, country)
    data = opendata.factsheet_data(record)
    return _body(opendata.csv_text(opendata.TABLES_BY_FILE["policies"], [data]).encode(), "csv",
                 f"eccp-factsheet-{record.key}-policies.csv")


@data_file
@public(max_age=3600, cors=True, scope=_version)
def version_json(request, year: int, country: str, number: int):
    """One published version's data, from the revision it was rendered from: it never changes (a withdrawn version
    is gone, as its PDF is)."""
    if target := _canonical(request, country):
        return HttpResponsePermanentRedirect(target)
    record = selectors.version_record(year=year, code=country, number=number)
    if record is None:
        raise Http404("No such published version.")
    return _body(opendata.dump(opendata.edition_data(
        year, [record], path=f"/data/{year}/{record.code.lower()}/v{number}.json",
        title=f"ECCP country factsheet {record.country} {year}, version {number}")), "json")


@data_file
def moved(request, year: int, name: str):
    """The addresses of the first open data release, now one canonical address each."""
    if not 1000 <= year <= 9999:
        raise Http404("No such edition.")
    return HttpResponsePermanentRedirect(reverse("portal:data_edition_file", args=[year, name]))
