"""The tables of an edition (CSV, XLSX) and their Frictionless data package: each column declared once, with its
type, constraints and description, and read from the JSON data (portal.opendata.content), so the tables, their
table schemas and the codebook say the same thing."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook

from factsheets.imports import formula_escape
from factsheets.richtext import FOOTNOTE_CALL
from portal.opendata.common import LICENCE, LIST_SEPARATOR, MAX_YEAR, MIN_YEAR, PUBLISHER, TITLE, site
from portal.opendata.spec import CURRENCIES, FACTSHEET_TEXTS
from portal.records import POLICY_NOTE_FIELDS, POLICY_TEXT_FIELDS, VOCABULARIES, VOCABULARY_LABELS


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a Frictionless (Table Schema) type
    description: str
    get: Callable[[dict], Any]
    constraints: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def descriptor(self) -> dict:
        constraints = {k: v for k, v in self.constraints.items() if k != "format"}
        out = {"name": self.name, "type": self.type, "description": self.description, **self.extra}
        if "format" in self.constraints:
            out["format"] = self.constraints["format"]
        if constraints:
            out["constraints"] = constraints
        return out


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    rows: Callable[[dict], list[dict]]  # a factsheet's JSON data -> its rows (each handed to the columns)
    columns: list[Column]
    primary_key: list[str]

    def file(self, year: int) -> str:
        return f"{self.name.replace('_', '-')}.csv"


def _fs(name: str, description: str, type_: str = "string", **constraints) -> Column:
    return Column(name, type_, description, lambda row: row["fs"][name], constraints)


REQUIRED = {"required": True}
KEY_COLUMNS = [
    Column("edition", "integer", "The edition's year.", lambda row: row["fs"]["edition"],
           {"required": True, "minimum": 2000, "maximum": MAX_YEAR}),
    Column("country_code", "string", "ISO 3166-1 alpha-2 code of the country.",
           lambda row: row["fs"]["country"]["code"], {"required": True, "pattern": "[A-Z]{2}"}),
]
COUNTRY = Column("country", "string", "The country's name.", lambda row: row["fs"]["country"]["name"], REQUIRED)
VERSION = Column("version", "integer", "The published version the row comes from.",
                 lambda row: row["fs"]["version"], {"required": True, "minimum": 1})
URI = {"format": "uri"}  # a field property in Table Schema, not a constraint


def _listed(values: list[str]) -> str:
    return LIST_SEPARATOR.join(values)


def _called_notes(fs: dict, item: Any) -> str:
    """The footnotes called in a row's texts, one per line as “[^key] text”: the note beside its call."""
    texts = {f["key"]: f["text"] for f in fs["footnotes"]}
    keys = []
    for value in (item.values() if isinstance(item, dict) else [item]):
        for text in (value.values() if isinstance(value, dict) else [value]):
            for key in FOOTNOTE_CALL.findall(text if isinstance(text, str) else ""):
                if key not in keys:
                    keys.append(key)
    return "\n".join(f"[^{key}] {texts.get(key, '')}" for key in keys)


def _budget(part: str) -> list[Column]:
    def get(key):
        return lambda row: row["policy"]["budget"][part][key]
    label = f"{part} budget"
    return [
        Column(f"budget_{part}_eur", "number", f"The {label} in euros as the factsheet publishes it (the source's "
               "figure).", get("eur"), {"minimum": 0}),
        Column(f"budget_{part}_amount", "number", f"The {label} in its original currency.", get("amount"),
               {"minimum": 0}),
        Column(f"budget_{part}_currency", "string", "ISO 4217 code of the amount.", get("currency"),
               {"enum": CURRENCIES}),
        Column(f"budget_{part}_eur_at_rate", "number", "amount × budget_exchange_rate, computed for the data "
               "(differs from the source's euros when the published rate is rounded).", get("eur_at_rate"),
               {"minimum": 0}),
        Column(f"budget_{part}_note", "string", f"Note printed with the {label}.",
               lambda row: row["policy"][f"budget_{part}_note"]),
    ]


def _policy(name: str, description: str, type_: str = "string", **constraints) -> Column:
    return Column(name, type_, description, lambda row: row["policy"][name], constraints)


FACTSHEETS = Table("factsheets", "Factsheets: one row per published factsheet", lambda fs: [{}], [
    *KEY_COLUMNS, COUNTRY, VERSION,
    _fs("version_note", "What this version corrects, as its public note says (empty for a first version)."),
    _fs("published", "When this version went live.", "datetime", required=True),
    _fs("assessment_method", "level or score: they do not compare.", enum=["level", "score"], required=True),
    _fs("page", "The factsheet's web page.", **URI), _fs("pdf", "The current version's PDF.", **URI),
    _fs("pdf_version", "This version's PDF.", **URI), _fs("data_version", "This version's data (JSON).", **URI),
    *[Column(name, "string", f"The factsheet's text “{name}” (plain, one paragraph per line).",
             lambda row, name=name: row["fs"]["texts"][name]) for name in FACTSHEET_TEXTS],
], ["country_code"])

POLICIES = Table("policies", "Policies: one row per policy of Table 1", lambda fs: [
    {"policy": p} for p in fs["policies"]], [
    *KEY_COLUMNS, COUNTRY, VERSION,
    _fs("version_note", "What this version corrects, as its public note says (empty for a first version)."),
    _fs("published", "When this version went live.", "datetime"), _fs("pdf", "The current version's PDF.", **URI),
    Column("policy_id", "string", "Stable identifier of the policy (the same across versions and carried-forward "
           "editions).", lambda row: row["policy"]["id"], {"required": True, "unique": True}),
    Column("policy_order", "integer", "Column of Table 1.", lambda row: row["policy"]["order"],
           {"required": True, "minimum": 1}),
    Column("policy_name", "string", "The policy's name as printed.", lambda row: row["policy"]["name"], REQUIRED),
    *[Column(vocabulary, "list", f"{VOCABULARY_LABELS[vocabulary]}: standardised categories, separated by "
             f"“{LIST_SEPARATOR}”.", lambda row, v=vocabulary: _listed(row["policy"]["categories"][v]),
             extra={"delimiter": LIST_SEPARATOR, "itemType": "string"}) for vocabulary in VOCABULARIES],
    *[_policy(name, f"Printed note “{name}”.") for name in POLICY_NOTE_FIELDS if not name.startswith("budget")],
    _policy("period", "limited or unlimited (empty when not given).", enum=["limited", "unlimited"]),
    _policy("start_year", "First year.", "integer", minimum=MIN_YEAR, maximum=MAX_YEAR),
    _policy("end_year", "Last year (limited period only).", "integer", minimum=MIN_YEAR, maximum=MAX_YEAR),
    *_budget("overall"), *_budget("annual"),
    _policy("budget_exchange_rate", "EUR for 1 unit of the currency, as published (may be rounded).", "number",
            minimum=0),
    _policy("budget_exchange_rate_date", "Date of the exchange rate.", "date"),
    _policy("budget_remark", "Which budget figure is the source's and why the two differ, when they do."),
    *[Column(name, "string", f"The policy's text “{name}” (plain, one paragraph per line).",
             lambda row, name=name: row["policy"]["texts"][name]) for name in POLICY_TEXT_FIELDS],
    Column("footnotes", "string", "The footnotes called in this row, one per line as “[^key] text”.",
           lambda row: _called_notes(row["fs"], row["policy"])),
], ["country_code", "policy_order"])

STATE_OF_PLAY = Table("state_of_play", "State of play: one row per country and criterion", lambda fs: [
    {"row": r} for r in fs["state_of_play"]], [
    *KEY_COLUMNS, COUNTRY, VERSION,
    _fs("assessment_method", "level or score.", enum=["level", "score"]),
    Column("criterion", "string", "The criterion.", lambda row: row["row"]["criterion"], REQUIRED),
    Column("level", "string", "The level marked (level method).", lambda row: row["row"]["level"]),
    Column("level_rank", "integer", "Position of the level, 1 = the lowest.", lambda row: row["row"]["level_rank"],
           {"minimum": 1}),
    Column("levels", "list", f"Every level, lowest first, separated by “{LIST_SEPARATOR}”.",
           lambda row: _listed(row["row"]["levels"]), extra={"delimiter": LIST_SEPARATOR, "itemType": "string"}),
    Column("score", "number", "The score (score method).", lambda row: row["row"]["score"], {"minimum": 0}),
    Column("max_score", "number", "The criterion's maximum score.", lambda row: row["row"]["max_score"],
           {"minimum": 0}),
], ["country_code", "criterion"])

QUALITATIVE = Table("qualitative", "Qualitative assessment: one row per country and topic", lambda fs: [
    {"item": q} for q in fs["qualitative"]], [
    *KEY_COLUMNS, COUNTRY, VERSION,
    Column("topic", "string", "The topic.", lambda row: row["item"]["topic"], REQUIRED),
    Column("summary", "string", "The standardised answer.", lambda row: row["item"]["summary"]),
    Column("text", "string", "The text.", lambda row: row["item"]["text"]),
    Column("footnotes", "string", "The footnotes called in this row, one per line as “[^key] text”.",
           lambda row: _called_notes(row["fs"], row["item"])),
], ["country_code", "topic"])

FOOTNOTES = Table("footnotes", "Footnotes: one row per footnote", lambda fs: [{"note": f} for f in fs["footnotes"]], [
    *KEY_COLUMNS, COUNTRY, VERSION,
    Column("key", "string", "Called in a text as [^key].", lambda row: row["note"]["key"], REQUIRED),
    Column("text", "string", "The footnote.", lambda row: row["note"]["text"]),
], ["country_code", "key"])

REFERENCES = Table("references", "References: one row per reference", lambda fs: [
    {"ref": r, "order": i} for i, r in enumerate(fs["references"], start=1)], [
    *KEY_COLUMNS, COUNTRY, VERSION,
    Column("order", "integer", "Position in the list of references.", lambda row: row["order"],
           {"required": True, "minimum": 1}),
    Column("citation", "string", "The reference.", lambda row: row["ref"]["citation"]),
    Column("url", "string", "Its address.", lambda row: row["ref"]["url"], URI),
    Column("last_accessed", "date", "Last accessed on.", lambda row: row["ref"]["last_accessed"]),
], ["country_code", "order"])

TABLES = [FACTSHEETS, POLICIES, STATE_OF_PLAY, QUALITATIVE, FOOTNOTES, REFERENCES]
TABLES_BY_FILE = {t.name.replace("_", "-"): t for t in TABLES}


def table_rows(table: Table, factsheets: list[dict]) -> list[list[Any]]:
    """The table's rows as typed values (None when empty)."""
    out = []
    for fs in factsheets:
        for row in table.rows(fs):
            out.append([column.get({"fs": fs, **row}) for column in table.columns])
    return out


def _cell(value: Any) -> Any:
    if value is None or value == "":
        return None
    return formula_escape(value) if isinstance(value, str) else value


def csv_text(table: Table, factsheets: list[dict]) -> str:
    """RFC 4180 CSV (UTF-8, CRLF, a header row); text cells escaped as every export of the project escapes them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in table.columns])
    for row in table_rows(table, factsheets):
        writer.writerow(["" if (v := _cell(value)) is None else v for value in row])
    return out.getvalue()


def xlsx_bytes(factsheets: list[dict], *, title: str, about: list[tuple[str, str]]) -> bytes:
    """The edition as a workbook: an “about” sheet (title, licence, citation, notes), then one sheet per table."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("about")
    sheet.append([title])
    for key, value in about:
        sheet.append([key, _cell(value)])
    for table in TABLES:
        sheet = book.create_sheet(table.name)
        sheet.append([c.name for c in table.columns])
        for row in table_rows(table, factsheets):
            sheet.append([_cell(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_schema(table: Table) -> dict:
    schema: dict[str, Any] = {"fields": [c.descriptor() for c in table.columns], "primaryKey": table.primary_key,
                              "missingValues": [""]}
    if table is not FACTSHEETS:
        schema["foreignKeys"] = [{"fields": ["country_code"],
                                  "reference": {"resource": "factsheets", "fields": ["country_code"]}}]
    return schema


def datapackage(year: int, *, modified: str, sizes: dict[str, int]) -> dict:
    """The edition's Frictionless data package: its tables with their schemas, the JSON, licence and sources."""
    resources = [{
        "name": table.name.replace("_", "-"), "title": table.title, "path": table.file(year),
        "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "bytes": sizes.get(table.file(year)),
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True,
                    "header": True},
        "schema": table_schema(table),
    } for table in TABLES]
    resources.append({"name": "data-json", "title": "Every published factsheet of the edition (JSON)",
                      "path": "data.json", "profile": "data-resource", "format": "json",
                      "mediatype": "application/json", "encoding": "utf-8",
                      "bytes": sizes.get("data.json"),
                      "description": f"Valid against {site(f'/data/{year}/schema.json')}."})
    for resource in resources:
        if resource["bytes"] is None:
            del resource["bytes"]
    return {
        "profile": "data-package", "name": f"eccp-country-factsheets-{year}",
        "title": f"{TITLE}, {year} edition", "id": site(f"/data/{year}/datapackage.json"),
        "description": "The structured content of the published country factsheets of the European Cluster "
                       "Collaboration Platform: policies with their standardised categories and budgets, the state "
                       "of play, qualitative assessments, footnotes and references.",
        "homepage": site("/data/"), "version": modified[:10], "created": modified,
        "keywords": ["cluster policy", "clusters", "innovation policy", "SMEs", str(year)],
        "licenses": [{"name": "CC-BY-4.0", "path": LICENCE["url"], "title": LICENCE["name"]}],
        "sources": [{"title": f"{TITLE}, {year} edition (published PDFs and web pages)",
                     "path": site(f"/factsheets/{year}/")}],
        "contributors": [{"title": PUBLISHER, "role": "publisher", "path": site("/factsheets/")}],
        "resources": resources,
    }
