"""The DCAT-AP 3.0.1 catalogue of the open data (JSON-LD): one dataset per edition and one for every edition, each
with its files as distributions. Every linked resource is typed as the DCAT-AP range shapes ask; vocabularies are
the EU's (licence, file type, data theme, language, country, corporate body, planned availability) and IANA's
media types; every address comes from the site's configured address. Checked in the tests with the official
SHACL shapes and the EU vocabularies (tests/data/dcat-ap/)."""

from django.conf import settings
from django_countries import countries

from portal.opendata.common import AUTHORITY, LICENCE, TITLE, site

IANA = "https://www.iana.org/assignments/media-types/"
ADMS = "http://purl.org/adms/"
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/", "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#", "skos": "http://www.w3.org/2004/02/skos/core#",
    "vcard": "http://www.w3.org/2006/vcard/ns#", "dcatap": "http://data.europa.eu/r5r/",
}
# (file in /data/<year>/, media type, EU file type, title, description)
EDITION_FILES = [
    ("data.json", "application/json", "JSON", "Every published factsheet (JSON)",
     "The structured content of each published factsheet: policies, state of play, texts, footnotes, references."),
    ("policies.csv", "text/csv", "CSV", "Policies (CSV)", "One row per policy of Table 1."),
    ("state-of-play.csv", "text/csv", "CSV", "State of play (CSV)", "One row per country and criterion."),
    ("factsheets.csv", "text/csv", "CSV", "Factsheets (CSV)", "One row per published factsheet, with its texts."),
    ("qualitative.csv", "text/csv", "CSV", "Qualitative assessment (CSV)", "One row per country and topic."),
    ("footnotes.csv", "text/csv", "CSV", "Footnotes (CSV)", "One row per footnote."),
    ("references.csv", "text/csv", "CSV", "References (CSV)", "One row per reference."),
    ("data.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX",
     "Every table (XLSX)", "The tables of the edition, one sheet each, for spreadsheets."),
]


def _text(value: str) -> dict:
    return {"@value": value, "@language": "en"}


def _date(value: str, kind: str = "dateTime") -> dict:
    return {"@value": value, "@type": f"xsd:{kind}"}


def _concept(iri: str, label: str, kind: str | None = None) -> dict:
    return {"@id": iri, "@type": ["skos:Concept", *([kind] if kind else [])], "skos:prefLabel": _text(label)}


def country_iri(code: str) -> str:
    """A country in the EU countries authority (its codes are ISO 3166-1 alpha-3)."""
    return f"{AUTHORITY}country/{countries.alpha3(code)}"


def _publisher() -> dict:
    return {"@id": settings.OPENDATA_PUBLISHER_IRI, "@type": "foaf:Agent",
            "foaf:name": _text(settings.OPENDATA_PUBLISHER_NAME),
            "dct:type": _concept(ADMS + "publishertype/SupraNationalAuthority", "Supra-national authority")}


def _contact() -> dict:
    contact = {"@id": site("/data/#contact"), "@type": "vcard:Kind", "vcard:fn": f"{TITLE}: open data",
               "vcard:hasURL": {"@id": site("/data/")}}
    if settings.OPENDATA_CONTACT_EMAIL:
        contact["vcard:hasEmail"] = {"@id": f"mailto:{settings.OPENDATA_CONTACT_EMAIL}"}
    return contact


def _licence() -> dict:
    return {"@id": LICENCE["iri"], "@type": "dct:LicenseDocument", "skos:prefLabel": _text(LICENCE["name"]),
            "dct:type": _concept(ADMS + "licencetype/Attribution", "Attribution")}


def _spatial(places: dict[str, str]) -> list[dict]:
    return [{"@id": country_iri(code), "@type": ["dct:Location", "skos:Concept"], "skos:prefLabel": _text(name)}
            for code, name in sorted(places.items(), key=lambda item: item[1])]


def _distribution(path: str, media: str, kind: str, title: str, description: str, *, conforms: str | None) -> dict:
    out = {
        "@id": site(path) + "#distribution", "@type": "dcat:Distribution",
        "dct:title": _text(title), "dct:description": _text(description),
        "dcat:accessURL": {"@id": site(path)}, "dcat:downloadURL": {"@id": site(path)},
        "dcat:mediaType": {"@id": IANA + media, "@type": "dct:MediaType"},
        "dct:format": {"@id": f"{AUTHORITY}file-type/{kind}", "@type": "dct:MediaTypeOrExtent"},
        "dct:license": {"@id": LICENCE["iri"]},
        "dcatap:availability": _concept(f"{AUTHORITY}planned-availability/STABLE", "stable"),
    }
    if conforms:
        out["dct:conformsTo"] = {"@id": conforms, "@type": "dct:Standard"}
    return out


def _dataset(*, anchor: str, title: str, description: str, identifier: str, first: str, modified: str,
             places: dict[str, str], start: int, end: int, landing: str, distributions: list[dict]) -> dict:
    return {
        "@id": site(f"/data/#{anchor}"), "@type": "dcat:Dataset",
        "dct:title": _text(title), "dct:description": _text(description), "dct:identifier": identifier,
        "dct:issued": _date(first), "dct:modified": _date(modified),
        "dct:publisher": {"@id": settings.OPENDATA_PUBLISHER_IRI},
        "dcat:contactPoint": _contact(),
        "dct:language": {"@id": f"{AUTHORITY}language/ENG"},
        "dcat:keyword": [_text(k) for k in ("cluster policy", "clusters", "innovation policy", "SMEs")],
        "dcat:theme": _concept(f"{AUTHORITY}data-theme/ECON", "Economy and finance"),
        "dcat:landingPage": {"@id": landing, "@type": "foaf:Document"},
        "dct:spatial": [{"@id": country_iri(code)} for code in sorted(places)],
        "dct:temporal": {"@type": "dct:PeriodOfTime", "dcat:startDate": _date(f"{start}-01-01", "date"),
                         "dcat:endDate": _date(f"{end}-12-31", "date")},
        "dcat:distribution": distributions,
    }


def _countries_text(places: dict[str, str]) -> str:
    names = sorted(places.values())
    if len(names) == 1:
        return f"1 country ({names[0]})"
    return f"{len(names)} countries"


def catalog(editions: list[dict]) -> dict:
    """editions: newest first, each {"year", "first", "modified", "countries": {code: name}}."""
    datasets = []
    for edition in editions:
        year, places = edition["year"], edition["countries"]
        datasets.append(_dataset(
            anchor=f"edition-{year}", title=f"{TITLE} {year}", identifier=f"eccp-country-factsheets-{year}",
            description=f"Cluster policy of {_countries_text(places)}, {year} edition of the European Cluster "
                        "Collaboration Platform's country factsheets: policies with their standardised categories "
                        "and budgets, the state of play, qualitative assessments, footnotes and references.",
            first=edition["first"], modified=edition["modified"], places=places, start=year, end=year,
            landing=site(f"/factsheets/{year}/"),
            distributions=[_distribution(f"/data/{year}/{name}", media, kind, f"{title}, {year}", description,
                                         conforms=site(f"/data/{year}/schema.json") if name.endswith(".json")
                                         else site(f"/data/{year}/datapackage.json"))
                           for name, media, kind, title, description in EDITION_FILES],
        ))
    everywhere = {code: name for e in editions for code, name in e["countries"].items()}
    if editions:
        years = [e["year"] for e in editions]
        datasets.append(_dataset(
            anchor="all-editions", title=f"{TITLE}, every edition", identifier="eccp-country-factsheets-all",
            description=f"Every published ECCP country factsheet of every edition ({', '.join(map(str, years))}) "
                        "in one file.",
            first=min(e["first"] for e in editions), modified=max(e["modified"] for e in editions),
            places=everywhere, start=min(years), end=max(years), landing=site("/data/"),
            distributions=[_distribution("/data/all.json", "application/json", "JSON", "Every edition (JSON)",
                                         "The factsheets of every edition, valid against /data/schema.json.",
                                         conforms=site("/data/schema.json"))],
        ))
    return {
        "@context": CONTEXT,
        "@id": site("/data/catalog.jsonld"), "@type": "dcat:Catalog",
        "dct:title": _text(f"{TITLE}: open data"),
        "dct:description": _text("The structured content of the published country factsheets of the European "
                                 "Cluster Collaboration Platform, one dataset per edition and one for every edition."),
        "dct:publisher": _publisher(),
        "foaf:homepage": {"@id": site("/data/"), "@type": "foaf:Document"},
        "dct:language": {"@id": f"{AUTHORITY}language/ENG", "@type": "dct:LinguisticSystem"},
        "dct:license": _licence(),
        **({"dct:issued": _date(min(e["first"] for e in editions)),
            "dct:modified": _date(max(e["modified"] for e in editions))} if editions else {}),
        "dct:spatial": _spatial(everywhere),
        "dcat:themeTaxonomy": {"@id": f"{AUTHORITY}data-theme", "@type": "skos:ConceptScheme",
                               "dct:title": _text("Data theme")},
        "dcat:dataset": datasets,
    }
