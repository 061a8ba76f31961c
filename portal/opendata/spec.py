"""The shape of the JSON data, field by field: one table that both the writer (portal.opendata.content, through
`shape`) and the JSON Schema (`schema`) are made from, so the two cannot disagree. A field's schema is either
fixed or a function of the editions' methodologies (criteria, levels, maxima, vocabularies)."""

from collections.abc import Callable
from typing import Any

import pycountry
from django_countries import countries

from portal.opendata.common import LICENCE, MAX_YEAR, MIN_YEAR, Methodology, site
from portal.records import POLICY_TEXT_FIELDS, VOCABULARIES, VOCABULARY_LABELS

Schema = dict[str, Any] | Callable[[Methodology | None], dict[str, Any]]
Spec = dict[str, tuple[Schema, str]]

CURRENCIES = sorted(c.alpha_3 for c in pycountry.currencies)  # ISO 4217
COUNTRY_CODES = sorted(str(code) for code, _ in countries)  # ISO 3166-1 alpha-2
FACTSHEET_TEXTS = ["introduction", "policies_intro", "assessment_intro", "qualitative_intro"]
UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
FOOTNOTE_KEY = "^[a-z0-9][a-z0-9-]*$"


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


STRING = {"type": "string"}
TEXT = {"type": "string", "description": "Plain text, one paragraph or list item per line; footnote calls as [^key]."}
URI = {"type": "string", "format": "uri", "pattern": r"^https?://\S+$"}  # a pattern too: formats are optional
DATE_TIME = {"type": "string", "format": "date-time",
             "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"}
DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
YEAR = {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR}
AMOUNT = nullable({"type": "number", "minimum": 0})


def shape(spec: Spec, **values) -> dict:
    """An object with exactly the fields of `spec`, in its order: a writer that forgets or invents a field fails
    here, not in a data user's validator."""
    if set(values) != set(spec):
        raise ValueError(f"Fields do not match the data's shape: {sorted(set(values) ^ set(spec))}")
    return {name: values[name] for name in spec}


def object_schema(spec: Spec, meth: Methodology | None = None) -> dict:
    properties = {}
    for name, (schema, description) in spec.items():
        resolved = schema(meth) if callable(schema) else schema
        properties[name] = {**resolved, "description": description} if description else resolved
    return {"type": "object", "additionalProperties": False, "required": list(spec), "properties": properties}


def _texts(names: list[str]) -> dict:
    return {"type": "object", "additionalProperties": False, "required": names, "properties": {n: TEXT for n in names}}


def _level(meth: Methodology | None) -> dict:
    if meth is None:
        return nullable(STRING)
    if meth.method == "score":
        return {"type": "null"}
    return {"enum": [*sorted({lv for c in meth.criteria.values() for lv in c.levels}), None]}


def _levels(meth: Methodology | None) -> dict:
    return {"type": "array", "items": STRING, "uniqueItems": True}


def _score(meth: Methodology | None) -> dict:
    if meth is not None and meth.method == "level":
        return {"type": "null"}
    return AMOUNT


CRITERION: Spec = {
    "criterion": (lambda m: {"enum": list(m.criteria)} if m else STRING, "The criterion's name."),
    "level": (_level, "The level marked (level method); null when not assessed or scored."),
    "level_rank": (lambda m: {"type": "null"} if m and m.method == "score" else nullable(
        {"type": "integer", "minimum": 1, "maximum": max((len(c.levels) for c in m.criteria.values()), default=1)
         if m else 99}), "Position of the level among the criterion's levels, 1 = the lowest."),
    "levels": (_levels, "Every level of the criterion, lowest first."),
    "score": (_score, "The score (score method); null when not assessed or levelled."),
    "max_score": (_score, "The criterion's maximum score (score method)."),
}


def criterion_schema(meth: Methodology | None) -> dict:
    """A state-of-play row; per criterion, its own levels, rank bound and maximum score."""
    schema = object_schema(CRITERION, meth)
    if meth is not None:
        rules = []
        for c in meth.criteria.values():
            then: dict[str, Any] = {}
            if meth.method == "level":
                then = {"level": {"enum": [*c.levels, None]}, "levels": {"items": {"enum": c.levels}},
                        "level_rank": nullable({"type": "integer", "minimum": 1, "maximum": max(len(c.levels), 1)})}
            elif c.max_score is not None:
                then = {"score": nullable({"type": "number", "minimum": 0, "maximum": c.max_score}),
                        "max_score": {"const": c.max_score}}
            if then:
                rules.append({"if": {"properties": {"criterion": {"const": c.name}}}, "then": {"properties": then}})
        if rules:
            schema["allOf"] = rules
    return schema


BUDGET: Spec = {
    "eur": (AMOUNT, "In euros, as the factsheet publishes it (the analysts' conversion): the source's figure."),
    "amount": (AMOUNT, "In the original currency."),
    "currency": ({"enum": ["", *CURRENCIES]}, "ISO 4217 code of `amount`; empty when there is no amount."),
    "eur_at_rate": (AMOUNT, "amount × budget_exchange_rate, computed for this file (not in the factsheet); it "
                            "differs from `eur` when the published rate is rounded."),
}


def budget_schema() -> dict:
    schema = object_schema(BUDGET)
    schema["if"] = {"properties": {"amount": {"type": "number"}}}
    schema["then"] = {"properties": {"currency": {"enum": CURRENCIES}}}
    return schema


def _categories(meth: Methodology | None) -> dict:
    def labels(vocabulary: str) -> dict:
        items = {"enum": meth.vocabularies.get(vocabulary, [])} if meth else STRING
        return {"type": "array", "items": items, "uniqueItems": True,
                "description": VOCABULARY_LABELS[vocabulary] + " (standardised categories)."}
    return {"type": "object", "additionalProperties": False, "required": list(VOCABULARIES),
            "properties": {v: labels(v) for v in VOCABULARIES}}


POLICY: Spec = {
    "id": ({"type": "string", "pattern": UUID_PATTERN, "format": "uuid"},
           "Stable identifier of the policy: the same in every version and in later editions that carry it forward."),
    "order": ({"type": "integer", "minimum": 1}, "Column of Table 1."),
    "name": (STRING, "The policy's name as printed (footnote calls as [^key])."),
    "categories": (_categories, "The standardised categories, by vocabulary."),
    "type_detail": (STRING, "Printed in brackets after the policy type, e.g. a region."),
    "beneficiaries_other": (STRING, "Beneficiaries outside the vocabulary, printed as “Other: …”."),
    "financial_instruments_note": (STRING, "Note printed with the financial instruments."),
    "technical_instruments_note": (STRING, "Note printed with the technical-assistance instruments."),
    "budget_overall_note": (STRING, "Note printed with the overall budget."),
    "budget_annual_note": (STRING, "Note printed with the annual budget."),
    "period": ({"enum": ["", "limited", "unlimited"]}, "Whether the policy runs for a limited period."),
    "start_year": (nullable(YEAR), "First year."),
    "end_year": (nullable(YEAR), "Last year (limited period only); not before start_year."),
    "budget": ({"type": "object", "additionalProperties": False, "required": ["overall", "annual"],
                "properties": {"overall": {"$ref": "#/$defs/budget"}, "annual": {"$ref": "#/$defs/budget"}}},
               "Overall and annual budget."),
    "budget_exchange_rate": (nullable({"type": "number", "exclusiveMinimum": 0}),
                             "EUR for 1 unit of the currency, as the factsheet publishes it (may be rounded)."),
    "budget_exchange_rate_date": (nullable(DATE), "Date of the exchange rate."),
    "budget_remark": (STRING, "Set when `eur` and `eur_at_rate` differ: which figure is the source's and why."),
    "texts": (_texts(POLICY_TEXT_FIELDS), "The policy's texts."),
}

FACTSHEET: Spec = {
    "id": (lambda m: {"type": "string", "pattern": f"^{m.year}-[a-z]{{2}}$" if m else "^[0-9]{4}-[a-z]{2}$"},
           "Edition and country code, e.g. 2023-mx."),
    "edition": (lambda m: {"const": m.year} if m else YEAR, "The edition's year."),
    "country": ({"type": "object", "additionalProperties": False, "required": ["code", "name"],
                 "properties": {"code": {"enum": COUNTRY_CODES, "description": "ISO 3166-1 alpha-2."},
                                "name": {"type": "string", "minLength": 1}}}, "The country."),
    "version": ({"type": "integer", "minimum": 1}, "The published version's number."),
    "version_note": (STRING, "What this version corrects, as its public note says (empty for a first version)."),
    "published": (DATE_TIME, "When this version went live."),
    "page": (URI, "The factsheet's web page."),
    "pdf": (URI, "The current version's PDF."),
    "pdf_version": (URI, "This version's PDF (immutable)."),
    "data_version": (URI, "This version's data (immutable)."),
    "licence": (URI, "Licence of the content."),
    "assessment_method": (lambda m: {"const": m.method} if m else {"enum": ["level", "score"]},
                          "Levels (2023 on) or scores (2020): they do not compare."),
    "state_of_play": (lambda m: {"type": "array", "items": {"$ref": f"#/$defs/criterion{_suffix(m)}"}},
                      "One row per criterion of the edition."),
    "policies": (lambda m: {"type": "array", "items": {"$ref": f"#/$defs/policy{_suffix(m)}"}},
                 "The policies of Table 1, in print order."),
    "texts": (_texts(FACTSHEET_TEXTS), "The factsheet's texts."),
    "qualitative": ({"type": "array", "items": {
        "type": "object", "additionalProperties": False, "required": ["topic", "summary", "text"],
        "properties": {"topic": STRING, "summary": TEXT, "text": TEXT}}}, "The qualitative assessment by topic."),
    "footnotes": ({"type": "array", "items": {
        "type": "object", "additionalProperties": False, "required": ["key", "text"],
        "properties": {"key": {"type": "string", "pattern": FOOTNOTE_KEY}, "text": TEXT}}},
                  "Footnotes, called in any text as [^key]."),
    "references": ({"type": "array", "items": {
        "type": "object", "additionalProperties": False, "required": ["citation", "url", "last_accessed"],
        "properties": {"citation": STRING, "url": {"anyOf": [URI, {"const": ""}]},
                       "last_accessed": nullable(DATE)}}}, "References."),
}


def _suffix(meth: Methodology | None) -> str:
    return f"-{meth.year}" if meth else ""


LICENCE_SCHEMA = {"type": "object", "additionalProperties": False, "required": list(LICENCE),
                  "properties": {"name": STRING, "url": URI, "iri": URI}}
ENVELOPE: Spec = {
    "$schema": (URI, "This file's JSON Schema."),
    "title": (STRING, ""),
    "edition": (lambda m: {"const": m.year} if m else YEAR, "The edition's year."),
    "publisher": (STRING, ""),
    "licence": (LICENCE_SCHEMA, "CC BY 4.0: reuse with attribution."),
    "citation": (STRING, "How to cite this file (with its version and date)."),
    "modified": (DATE_TIME, "The latest publication in this file."),
    "count": ({"type": "integer", "minimum": 0}, "Number of factsheets (equals the length of `factsheets`)."),
    "notes": ({"type": "array", "items": STRING}, "What a data user should know about these figures."),
    "factsheets": (lambda m: {"type": "array", "items": {"$ref": f"#/$defs/factsheet{_suffix(m)}"}}, ""),
}
ALL_EDITIONS: Spec = {**{k: v for k, v in ENVELOPE.items() if k != "edition"},
                      "editions": ({"type": "array", "items": YEAR, "uniqueItems": True}, "The editions included.")}


def schema(methodologies: list[Methodology], *, path: str, edition: bool = True) -> dict:
    """The JSON Schema of an edition's files (one methodology) or of the all-editions file (every one)."""
    defs: dict[str, Any] = {"budget": budget_schema()}
    for meth in methodologies:
        suffix = _suffix(meth)
        defs[f"criterion{suffix}"] = criterion_schema(meth)
        defs[f"policy{suffix}"] = object_schema(POLICY, meth)
        defs[f"factsheet{suffix}"] = object_schema(FACTSHEET, meth)
    if edition:
        (meth,) = methodologies
        root = object_schema(ENVELOPE, meth)
        title = f"ECCP country factsheets, {meth.year} edition: published factsheets"
    else:
        root = object_schema(ALL_EDITIONS)
        root["properties"]["factsheets"] = {"type": "array", "items": {"oneOf": [
            {"$ref": f"#/$defs/factsheet-{m.year}"} for m in methodologies]}}
        title = "ECCP country factsheets, every edition: published factsheets"
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": site(path), "title": title,
        "description": "The structured content of each live published factsheet, as approved. Texts are plain (one "
                       "paragraph per line) and may hold footnote calls such as [^key], whose text is in `footnotes`. "
                       "What JSON Schema cannot say (count, the file's country, level ranks, year order, footnote "
                       "calls) is checked by portal.opendata.checks.check_data and listed on the /data/ page.",
        **root, "$defs": defs,
    }
