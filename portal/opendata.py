"""Open data of the published factsheets: JSON (with its JSON Schema), CSV, and a DCAT-AP catalogue that the
EU's open data portal can harvest. Licence: CC BY 4.0, as for Commission content."""

import csv
import io
from collections.abc import Callable

from portal.records import VOCABULARIES, Record, policy_data, rich_plain

LICENCE = {"name": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
           "url": "https://creativecommons.org/licenses/by/4.0/"}
PUBLISHER = "European Cluster Collaboration Platform (ECCP)"
FACTSHEET_TEXTS = ["introduction", "policies_intro", "assessment_intro", "qualitative_intro"]

Url = Callable[[str], str]  # a site path -> an absolute URL


def factsheet_data(record: Record, url: Url) -> dict:
    snapshot = record.snapshot
    code = record.code.lower()
    return {
        "id": record.key,
        "edition": record.year,
        "country": {"code": record.code, "name": record.country},
        "version": record.version,
        "version_note": record.note,
        "published": record.published_at.isoformat() if record.published_at else None,
        "page": url(f"/factsheets/{record.year}/{code}/"),
        "pdf": url(f"/factsheets/{record.year}/{code}.pdf"),
        "pdf_version": url(f"/factsheets/{record.year}/{code}/v{record.version}.pdf"),
        "licence": LICENCE["url"],
        "assessment_method": "score" if record.scored else "level",
        "state_of_play": [
            {"criterion": c.name, "level": c.level, "level_rank": c.rank, "levels": c.levels, "score": c.score,
             "max_score": c.max_score}
            for c in record.criteria
        ],
        "policies": [policy_data(p) for p in record.policies],
        "texts": {name: rich_plain((snapshot.get("factsheet") or {}).get(name)) for name in FACTSHEET_TEXTS},
        "qualitative": [
            {"topic": q.get("topic"), "summary": rich_plain(q.get("summary")), "text": rich_plain(q.get("text"))}
            for q in snapshot.get("qualitative", [])
        ],
        "footnotes": [{"key": f.get("key"), "text": rich_plain(f.get("text"))} for f in snapshot.get("footnotes", [])],
        "references": [
            {"citation": r.get("citation") or "", "url": r.get("url") or "", "last_accessed": r.get("last_accessed")}
            for r in snapshot.get("references", [])
        ],
    }


def edition_data(year: int, records: list[Record], url: Url) -> dict:
    published = [r.published_at for r in records if r.published_at]
    return {
        "$schema": url("/data/schema.json"),
        "title": f"ECCP country factsheets, {year} edition",
        "edition": year,
        "publisher": PUBLISHER,
        "licence": LICENCE,
        "modified": max(published).isoformat() if published else None,
        "count": len(records),
        "factsheets": [factsheet_data(r, url) for r in records],
    }


_NULLABLE_STRING = {"type": ["string", "null"]}
_NUMBER = {"type": ["number", "null"]}
_STRINGS = {"type": "array", "items": {"type": "string"}}

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "/data/schema.json",
    "title": "ECCP country factsheets: an edition's published factsheets",
    "description": "The structured content of each live published factsheet of an edition, as approved. Texts "
                   "are plain (one paragraph per line) and may hold footnote calls such as [^key], whose text is "
                   "in `footnotes`.",
    "type": "object",
    "required": ["title", "edition", "licence", "count", "factsheets"],
    "properties": {
        "$schema": {"type": "string"},
        "title": {"type": "string"},
        "edition": {"type": "integer", "description": "The edition's year."},
        "publisher": {"type": "string"},
        "licence": {"type": "object", "required": ["name", "url"],
                    "properties": {"name": {"type": "string"}, "url": {"type": "string", "format": "uri"}}},
        "modified": {"type": ["string", "null"], "format": "date-time"},
        "count": {"type": "integer", "minimum": 0},
        "factsheets": {"type": "array", "items": {"$ref": "#/$defs/factsheet"}},
    },
    "additionalProperties": False,
    "$defs": {
        "factsheet": {
            "type": "object",
            "required": ["id", "edition", "country", "version", "published", "pdf", "licence", "assessment_method",
                         "state_of_play", "policies"],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "pattern": "^[0-9]{4}-[a-z]{2}$", "description": "year-country code"},
                "edition": {"type": "integer"},
                "country": {"type": "object", "required": ["code", "name"], "additionalProperties": False,
                            "properties": {"code": {"type": "string", "pattern": "^[A-Z]{2}$"},
                                           "name": {"type": "string"}}},
                "version": {"type": "integer", "minimum": 1, "description": "The published version's number."},
                "version_note": {"type": "string", "description": "What this version corrects (empty for a "
                                                                  "first version)."},
                "published": {"type": "string", "format": "date-time"},
                "page": {"type": "string", "format": "uri"},
                "pdf": {"type": "string", "format": "uri", "description": "The current version's PDF."},
                "pdf_version": {"type": "string", "format": "uri", "description": "This version's PDF."},
                "licence": {"type": "string", "format": "uri"},
                "assessment_method": {"enum": ["level", "score"],
                                      "description": "Levels (2023 on) or scores (2020): they do not compare."},
                "state_of_play": {"type": "array", "items": {"$ref": "#/$defs/criterion"}},
                "policies": {"type": "array", "items": {"$ref": "#/$defs/policy"}},
                "texts": {"type": "object", "additionalProperties": {"type": "string"}},
                "qualitative": {"type": "array", "items": {
                    "type": "object", "properties": {"topic": _NULLABLE_STRING, "summary": {"type": "string"},
                                                     "text": {"type": "string"}}}},
                "footnotes": {"type": "array", "items": {
                    "type": "object", "required": ["key", "text"],
                    "properties": {"key": {"type": "string"}, "text": {"type": "string"}}}},
                "references": {"type": "array", "items": {
                    "type": "object", "required": ["citation"],
                    "properties": {"citation": {"type": "string"}, "url": {"type": "string"},
                                   "last_accessed": {"type": ["string", "null"], "format": "date"}}}},
            },
        },
        "criterion": {
            "type": "object",
            "required": ["criterion", "level", "score"],
            "additionalProperties": False,
            "properties": {
                "criterion": {"type": "string"},
                "level": {**_NULLABLE_STRING, "description": "The level marked (level method)."},
                "level_rank": {"type": ["integer", "null"], "minimum": 1, "description": "1 = the lowest level."},
                "levels": {**_STRINGS, "description": "Every level, lowest first."},
                "score": {**_NUMBER, "description": "The score (score method)."},
                "max_score": _NUMBER,
            },
        },
        "budget": {
            "type": "object", "required": ["eur", "amount", "currency"], "additionalProperties": False,
            "properties": {"eur": {**_NUMBER, "description": "In euros, as converted by the analysts."},
                           "amount": {**_NUMBER, "description": "In the original currency."},
                           "currency": {"type": "string"}},
        },
        "policy": {
            "type": "object",
            "required": ["name", "categories", "budget"],
            "properties": {
                "order": {"type": ["integer", "null"]},
                "name": {"type": "string"},
                "categories": {
                    "type": "object", "description": "The standardised categories, by vocabulary.",
                    "required": list(VOCABULARIES), "additionalProperties": False,
                    "properties": {v: _STRINGS for v in VOCABULARIES},
                },
                "period": {"type": "string"},
                "start_year": {"type": ["integer", "null"]},
                "end_year": {"type": ["integer", "null"]},
                "budget": {"type": "object", "required": ["overall", "annual"],
                           "properties": {"overall": {"$ref": "#/$defs/budget"},
                                          "annual": {"$ref": "#/$defs/budget"}}},
                "budget_exchange_rate": _NUMBER,
                "budget_exchange_rate_date": {"type": ["string", "null"], "format": "date"},
                "texts": {"type": "object", "additionalProperties": {"type": "string"}},
            },
            "additionalProperties": {"type": "string"},
        },
    },
}


def schema(url: Url) -> dict:
    return {**SCHEMA, "$id": url("/data/schema.json")}


POLICY_COLUMNS = [
    "edition", "country_code", "country", "version", "version_note", "published", "pdf", "policy_order",
    "policy_name",
    *VOCABULARIES, "type_detail", "period", "start_year", "end_year", "budget_overall_eur", "budget_annual_eur",
    "budget_overall_amount", "budget_overall_currency", "budget_annual_amount", "budget_annual_currency",
]
STATE_COLUMNS = ["edition", "country_code", "country", "version", "assessment_method", "criterion", "level",
                 "level_rank", "levels", "score", "max_score"]


def _cell(value) -> str:
    """A CSV cell that a spreadsheet cannot take for a formula."""
    if value is None:
        return ""
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _write(columns: list[str], rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue()


def policies_csv(records: list[Record], url: Url) -> str:
    """One row per policy; several categories of one vocabulary are separated by " | "."""
    def rows():
        for record in records:
            data = factsheet_data(record, url)
            for policy in data["policies"]:
                yield {
                    "edition": record.year, "country_code": record.code, "country": record.country,
                    "version": record.version, "version_note": record.note, "published": data["published"],
                    "pdf": data["pdf"],
                    "policy_order": policy["order"], "policy_name": policy["name"],
                    **{v: " | ".join(labels) for v, labels in policy["categories"].items()},
                    "type_detail": policy["type_detail"], "period": policy["period"],
                    "start_year": policy["start_year"], "end_year": policy["end_year"],
                    **{f"budget_{part}_{k}": policy["budget"][part][k]
                       for part in ("overall", "annual") for k in ("eur", "amount", "currency")},
                }
    return _write(POLICY_COLUMNS, rows())


def state_csv(records: list[Record]) -> str:
    """One row per country and criterion."""
    def rows():
        for record in records:
            for c in record.criteria:
                yield {"edition": record.year, "country_code": record.code, "country": record.country,
                       "version": record.version, "assessment_method": "score" if record.scored else "level",
                       "criterion": c.name, "level": c.level, "level_rank": c.rank, "levels": " | ".join(c.levels),
                       "score": c.score, "max_score": c.max_score}
    return _write(STATE_COLUMNS, rows())


def catalog(editions: list[dict], url: Url) -> dict:
    """A DCAT-AP catalogue: one dataset per edition, its JSON and CSV files as distributions."""
    licence = {"@id": LICENCE["url"]}
    datasets = []
    for edition in editions:
        year = edition["year"]
        files = [
            (f"/data/{year}.json", "application/json", "JSON", f"All published factsheets of {year} (JSON)"),
            (f"/data/{year}.csv", "text/csv", "CSV", f"The policies of every published factsheet of {year} (CSV)"),
            (f"/data/{year}-state-of-play.csv", "text/csv", "CSV",
             f"The state of play of every published factsheet of {year} (CSV)"),
        ]
        datasets.append({
            "@id": url(f"/data/{year}.json#dataset"),
            "@type": "dcat:Dataset",
            "dct:title": {"@value": f"ECCP country factsheets {year}", "@language": "en"},
            "dct:description": {"@value": f"Cluster policy of {edition['count']} countries, {year} edition of the "
                                          "European Cluster Collaboration Platform's country factsheets: policies "
                                          "with their standardised categories, budgets and the state of play.",
                                "@language": "en"},
            "dct:identifier": f"eccp-country-factsheets-{year}",
            "dct:issued": {"@value": edition["first"], "@type": "xsd:dateTime"},
            "dct:modified": {"@value": edition["modified"], "@type": "xsd:dateTime"},
            "dct:publisher": {"@id": url("/factsheets/#publisher")},
            "dct:language": {"@id": "http://publications.europa.eu/resource/authority/language/ENG"},
            "dct:license": licence,
            "dct:conformsTo": {"@id": url("/data/schema.json")},
            "dcat:keyword": ["cluster policy", "clusters", "innovation policy", "SMEs", str(year)],
            "dcat:theme": {"@id": "http://publications.europa.eu/resource/authority/data-theme/ECON"},
            "dcat:landingPage": {"@id": url(f"/factsheets/{year}/")},
            "dcat:distribution": [
                {"@id": url(path) + "#distribution", "@type": "dcat:Distribution", "dcat:accessURL": {"@id": url(path)},
                 "dcat:downloadURL": {"@id": url(path)}, "dcat:mediaType": media, "dct:title": title,
                 "dct:format": {"@id": f"http://publications.europa.eu/resource/authority/file-type/{kind}"},
                 "dct:license": licence}
                for path, media, kind, title in files
            ],
        })
    return {
        "@context": {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
                     "foaf": "http://xmlns.com/foaf/0.1/", "xsd": "http://www.w3.org/2001/XMLSchema#"},
        "@id": url("/data/catalog.jsonld"),
        "@type": "dcat:Catalog",
        "dct:title": {"@value": "ECCP country factsheets: open data", "@language": "en"},
        "dct:description": {"@value": "The structured content of the published country factsheets of the European "
                                      "Cluster Collaboration Platform, one dataset per edition.", "@language": "en"},
        "dct:publisher": {"@id": url("/factsheets/#publisher"), "@type": "foaf:Agent", "foaf:name": PUBLISHER},
        "dct:license": licence,
        "foaf:homepage": {"@id": url("/factsheets/")},
        "dcat:dataset": datasets,
    }
