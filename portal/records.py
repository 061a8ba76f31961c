"""The structured content of a published factsheet, read from the approved revision its publication was rendered
from (never from the working copy, which may hold a new draft): the rows of the explorer, the compare view, the
summary report and the open data."""

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from factsheets.models import Vocabulary
from factsheets.richtext import FOOTNOTE_CALL, plain_text, text_lines

# Each vocabulary of standardised categories and the policy field holding it in a revision's snapshot.
VOCABULARIES: dict[str, str] = {
    Vocabulary.POLICY_TYPE: "policy_type",
    Vocabulary.OBJECTIVE: "objectives",
    Vocabulary.FOCUS: "focus",
    Vocabulary.AUTHORITY_ROLE: "authority_roles",
    Vocabulary.BENEFICIARY: "beneficiaries",
    Vocabulary.FINANCIAL_INSTRUMENT: "financial_instruments",
    Vocabulary.TECHNICAL_INSTRUMENT: "technical_instruments",
    Vocabulary.EVALUATION: "evaluation",
    Vocabulary.EU_PRIORITY: "eu_priorities",
}
VOCABULARY_LABELS = dict(Vocabulary.choices)
POLICY_TEXT_FIELDS = [
    "objectives_text", "focus_text", "authorities_text", "beneficiaries_text", "instruments_text", "history_text",
    "budget_source", "evaluation_text",
]
POLICY_NOTE_FIELDS = ["type_detail", "beneficiaries_other", "financial_instruments_note", "technical_instruments_note",
                      "budget_overall_note", "budget_annual_note"]


def number(value: Any) -> int | float | None:
    """A snapshot's decimal string as a JSON number (None when empty)."""
    if value in (None, ""):
        return None
    try:
        decimal = Decimal(str(value))
    except InvalidOperation:
        return None
    return int(decimal) if decimal == decimal.to_integral_value() else float(decimal)


def folded(text: str) -> str:
    """Case- and accent-insensitive form for searching country names ("mexico" finds "México")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def categories(policy: dict[str, Any], vocabulary: str) -> list[str]:
    value = policy.get(VOCABULARIES[vocabulary])
    if isinstance(value, list):
        return [label for label in value if label]
    return [value] if value else []


@dataclass
class Criterion:
    name: str
    level: str | None
    rank: int | None  # 1 = the lowest level
    levels: list[str]
    score: int | float | None
    max_score: int | float | None

    @property
    def value(self) -> int | float | None:
        """What sorts and compares: the level's rank or the score."""
        return self.score if self.score is not None else self.rank

    @property
    def display(self) -> str:
        if self.score is not None:
            shown = number_text(self.score)
            return f"{shown} / {number_text(self.max_score)}" if self.max_score is not None else shown
        return self.level or "–"


def number_text(value) -> str:
    """A score as shown and as written in a filter link: 2, 1.5; "–" when unknown."""
    return "–" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))


@dataclass(eq=False)  # one record per factsheet: compared (and hashed) by identity
class Record:
    key: str  # "2023-mx": the compare view's and the data files' identifier
    year: int
    code: str
    country: str
    version: int
    published_at: datetime | None
    pdf_size: int
    scored: bool
    policies: list[dict[str, Any]]
    criteria: list[Criterion]
    snapshot: dict[str, Any] = field(repr=False, default_factory=dict)
    preview: bool = False  # approved and not yet published (only in an editor's summary preview)
    revision_id: int | None = None  # the approved revision the version was rendered from
    note: str = ""  # the public note on this version (what it corrects)

    def labels(self, vocabulary: str) -> list[str]:
        seen: list[str] = []
        for policy in self.policies:
            for label in categories(policy, vocabulary):
                if label not in seen:
                    seen.append(label)
        return seen

    @property
    def policy_names(self) -> list[str]:
        return [FOOTNOTE_CALL.sub("", p.get("name") or "").strip() for p in self.policies]

    def criterion(self, name: str) -> Criterion | None:
        return next((c for c in self.criteria if c.name == name), None)

    @property
    def dedicated(self) -> dict[str, bool]:
        """Whether the country has a dedicated national and/or regional cluster policy (by the policy types)."""
        types = [folded(label) for label in self.labels(Vocabulary.POLICY_TYPE)]
        national = any("cluster" in t and "national" in t for t in types)
        regional = any("cluster" in t and "regional" in t for t in types)
        return {"national": national, "regional": regional, "any": national or regional,
                "both": national and regional, "none": not (national or regional)}


def record_from(*, year: int, code: str, country: str, snapshot: dict[str, Any], version: int = 0,
                published_at: datetime | None = None, pdf_size: int = 0, preview: bool = False,
                revision_id: int | None = None, note: str = "") -> Record:
    code = str(code)
    edition = snapshot.get("edition") or {}
    assessments = {a.get("criterion"): a for a in snapshot.get("assessments", [])}
    criteria = []
    for item in edition.get("criteria", []):
        assessment = assessments.get(item["name"]) or {}
        levels = [lv["label"] for lv in item.get("levels", [])]
        level = assessment.get("level")
        criteria.append(Criterion(
            name=item["name"], level=level, rank=levels.index(level) + 1 if level in levels else None,
            levels=levels, score=number(assessment.get("score")), max_score=number(item.get("max_score")),
        ))
    return Record(
        key=f"{year}-{code.lower()}", year=year, code=code.upper(), country=country, version=version,
        published_at=published_at, pdf_size=pdf_size, scored=edition.get("assessment_method") == "score",
        policies=sorted(snapshot.get("policies", []), key=lambda p: p.get("order") or 0), criteria=criteria,
        snapshot=snapshot, preview=preview, revision_id=revision_id, note=note,
    )


def record_of(publication) -> Record:
    """The record of a publication (its factsheet's country and edition and its revision selected)."""
    factsheet = publication.factsheet
    return record_from(
        year=factsheet.edition.year, code=factsheet.country.code, country=factsheet.country.name,
        snapshot=publication.revision.snapshot if publication.revision_id else {}, version=publication.number,
        published_at=publication.published_at, pdf_size=publication.pdf_size,
        revision_id=publication.revision_id, note=publication.note,
    )


def policy_data(policy: dict[str, Any]) -> dict[str, Any]:
    """A policy as open data: its standardised categories by vocabulary, its figures as numbers, its texts plain."""
    return {
        "order": policy.get("order"),
        "name": plain_text(policy.get("name") or ""),
        "categories": {vocabulary: categories(policy, vocabulary) for vocabulary in VOCABULARIES},
        **{name: policy.get(name) or "" for name in POLICY_NOTE_FIELDS},
        "period": policy.get("period") or "",
        "start_year": policy.get("start_year"),
        "end_year": policy.get("end_year"),
        "budget": {
            part: {
                "eur": number(policy.get(f"budget_{part}_eur")),
                "amount": number(policy.get(f"budget_{part}_amount")),
                "currency": policy.get(f"budget_{part}_currency") or "",
            }
            for part in ("overall", "annual")
        },
        "budget_exchange_rate": number(policy.get("budget_exchange_rate")),
        "budget_exchange_rate_date": policy.get("budget_exchange_rate_date"),
        "texts": {name: rich_plain(policy.get(name)) for name in POLICY_TEXT_FIELDS},
    }


def rich_plain(html: str | None) -> str:
    """Rich text as plain text, one paragraph or list item per line (footnote calls kept as [^key])."""
    return "\n".join(text_lines(html or ""))
