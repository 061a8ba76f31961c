"""The /data/ page for people: each edition's files with their sizes and formats, how to cite them, the codebook
(every column and field with its type and definition, every vocabulary with its labels, every criterion with its
levels, generated from the edition's methodology), the rules the schema cannot state, and the changelog."""

from django.conf import settings

from portal import selectors
from portal.opendata.checks import RULES
from portal.opendata.common import LICENCE, LIST_SEPARATOR, TITLE, Methodology, citation, factsheets_count, site
from portal.opendata.dcat import EDITION_FILES
from portal.opendata.files import edition_files
from portal.opendata.spec import BUDGET, CRITERION, FACTSHEET, POLICY
from portal.opendata.tables import TABLES
from portal.records import VOCABULARY_LABELS, rich_plain

FORMAT_CHANGES = [
    ("2", "Files of an edition under /data/<year>/ (the first release's addresses redirect); a JSON Schema per "
          "edition with its methodology; policy identifiers; every printed note and footnote in the data; typed "
          "CSV tables with a Frictionless data package; an XLSX workbook; data of every published version; "
          "`eur_at_rate` and `budget_remark` beside the source's euros; a DCAT-AP 3.0.1 catalogue."),
    ("1", "JSON per edition and per factsheet, CSV of policies and of the state of play, DCAT-AP catalogue."),
]


def _constraints(constraints: dict) -> str:
    parts = []
    for key, value in constraints.items():
        if key == "enum":
            value = ", ".join(map(str, value[:8])) + (" …" if len(value) > 8 else "")
        parts.append("required" if key == "required" else "unique" if key == "unique" else f"{key} {value}")
    return "; ".join(parts)


def _tables() -> list[dict]:
    return [{"name": t.name, "file": t.file(0), "title": t.title, "key": ", ".join(t.primary_key),
             "columns": [{"name": c.name, "type": c.type + (f" (separator “{LIST_SEPARATOR}”)" if c.type == "list"
                                                             else ""),
                          "constraints": _constraints(c.constraints), "description": c.description}
                         for c in t.columns]} for t in TABLES]


def _fields() -> list[dict]:
    return [{"object": title, "fields": [{"name": name, "description": description} for name, (_, description)
                                          in spec.items() if description]}
            for title, spec in [("factsheet", FACTSHEET), ("policy", POLICY), ("budget", BUDGET),
                                ("state of play row", CRITERION)]]


def _methodology(meth: Methodology) -> dict:
    return {
        "method": meth.method,
        "criteria": [{"name": c.name, "definition": rich_plain(c.definition), "max_score": c.max_score,
                      "levels": [{"label": lv, "rank": i, "definition": c.level_definitions.get(lv, "")}
                                 for i, lv in enumerate(c.levels, start=1)]}
                     for c in meth.criteria.values()],
        "vocabularies": [{"name": v, "label": VOCABULARY_LABELS[v],
                          "labels": [{"label": lb, "description": meth.descriptions.get((v, lb), "")}
                                     for lb in labels]}
                         for v, labels in meth.vocabularies.items() if labels],
    }


def data_page(editions: list[dict], methodologies: list[Methodology], changes: list[dict]) -> dict:
    by_year = {m.year: m for m in methodologies}
    descriptions = {name: (title, description) for name, _, _, title, description in EDITION_FILES}
    descriptions["datapackage.json"] = ("Frictionless data package", "Describes every table and the JSON, with "
                                        "types, keys, licence and sources.")
    out = []
    for edition in editions:
        year = edition["year"]
        files = edition_files(year, selectors.edition_records(year=year))
        date = edition["modified"][:10]
        out.append({
            "year": year, "count": edition["count"], "modified": date,
            "files": [{"name": name, "url": f"/data/{year}/{name}", "size": len(body),
                       "format": name.rsplit(".", 1)[1].upper(), "title": descriptions[name][0],
                       "description": descriptions[name][1]} for name, body in files.items()],
            "schema": f"/data/{year}/schema.json",
            "citation": citation(title=f"{TITLE}, {year} edition", version=factsheets_count(edition["count"]),
                                 date=date, url=site(f"/data/{year}/data.json")),
            "methodology": _methodology(by_year[year]) if year in by_year else None,
        })
    return {"editions": out, "tables": _tables(), "fields": _fields(), "rules": RULES, "licence": LICENCE,
            "changes": changes, "format_changes": FORMAT_CHANGES, "separator": LIST_SEPARATOR,
            "catalog": "/data/catalog.jsonld", "nav": "data", "contact_email": settings.OPENDATA_CONTACT_EMAIL}
